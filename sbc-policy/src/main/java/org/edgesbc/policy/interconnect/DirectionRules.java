package org.edgesbc.policy.interconnect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happens to a request's numbers and headers as it arrives from a zone (inbound) or leaves toward one
 * (outbound), applied in this fixed order:
 * <ol>
 *   <li>{@code removeHeaders} are removed;</li>
 *   <li>the calling number (From user, and the user of a P-Asserted-Identity) and the called number
 *       (Request-URI and To user) are written in {@code callingNumber} and {@code calledNumber} format;</li>
 *   <li>P-Asserted-Identity is kept, removed, or set to the From URI ({@code assertedIdentity});</li>
 *   <li>Diversion is removed when {@code stripDiversion};</li>
 *   <li>the From host becomes {@code fromHost} when set;</li>
 *   <li>privacy (RFC 3323, RFC 3325 §9.3): with {@code honourPrivacy}, a request carrying {@code Privacy: id} gets
 *       the anonymous From of RFC 3323 §4.1.1.3 and loses its P-Asserted-Identity;</li>
 *   <li>{@code addHeaders} are set (replacing any of the same name).</li>
 * </ol>
 *
 * @param addHeaders header name to value, in order
 */
public record DirectionRules(NumberFormat callingNumber, NumberFormat calledNumber, AssertedIdentity assertedIdentity,
        boolean stripDiversion, String fromHost, boolean honourPrivacy, Map<String, String> addHeaders,
        List<String> removeHeaders) {

    /** Nothing changes. */
    public static final DirectionRules NONE = new DirectionRules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED,
            AssertedIdentity.KEEP, false, null, false, Map.of(), List.of());

    /** What becomes of P-Asserted-Identity (RFC 3325). */
    public enum AssertedIdentity { KEEP, STRIP, FROM }

    public DirectionRules {
        addHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(addHeaders));
        removeHeaders = List.copyOf(removeHeaders);
    }

    public boolean changesNothing() {
        return equals(NONE);
    }
}
