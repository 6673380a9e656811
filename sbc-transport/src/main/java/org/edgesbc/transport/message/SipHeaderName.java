package org.edgesbc.transport.message;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A header name as a reader looks for it: case-insensitive, with its compact form where RFC 3261 §7.3.3 (and the
 * extensions registering one) defines it, so that {@code v:} and {@code VIA:} are both found as Via.
 */
public final class SipHeaderName {
    public static final SipHeaderName VIA = new SipHeaderName("via", 'v');
    public static final SipHeaderName CALL_ID = new SipHeaderName("call-id", 'i');
    public static final SipHeaderName FROM = new SipHeaderName("from", 'f');
    public static final SipHeaderName TO = new SipHeaderName("to", 't');
    public static final SipHeaderName CSEQ = new SipHeaderName("cseq", (char) 0);
    public static final SipHeaderName CONTACT = new SipHeaderName("contact", 'm');
    public static final SipHeaderName MAX_FORWARDS = new SipHeaderName("max-forwards", (char) 0);
    public static final SipHeaderName CONTENT_LENGTH = new SipHeaderName("content-length", 'l');
    public static final SipHeaderName CONTENT_TYPE = new SipHeaderName("content-type", 'c');

    /** Every name with a compact form (RFC 3261 §7.3.3, RFC 3515, RFC 3892, RFC 3265, RFC 3841, RFC 4028, RFC 8224). */
    private static final Map<String, SipHeaderName> KNOWN = new HashMap<>();

    static {
        for (SipHeaderName name : new SipHeaderName[] {VIA, CALL_ID, FROM, TO, CSEQ, CONTACT, MAX_FORWARDS,
                CONTENT_LENGTH, CONTENT_TYPE,
                new SipHeaderName("content-encoding", 'e'), new SipHeaderName("subject", 's'),
                new SipHeaderName("supported", 'k'), new SipHeaderName("refer-to", 'r'),
                new SipHeaderName("referred-by", 'b'), new SipHeaderName("event", 'o'),
                new SipHeaderName("allow-events", 'u'), new SipHeaderName("accept-contact", 'a'),
                new SipHeaderName("reject-contact", 'j'), new SipHeaderName("request-disposition", 'd'),
                new SipHeaderName("session-expires", 'x'), new SipHeaderName("identity", 'y')}) {
            KNOWN.put(name.lower, name);
            if (name.compact != 0) {
                KNOWN.put(String.valueOf(name.compact), name);
            }
        }
    }

    private final String lower;
    private final char compact;

    private SipHeaderName(String lower, char compact) {
        this.lower = lower;
        this.compact = compact;
    }

    /** The name for a header written either way; an unknown name matches itself in any case. */
    public static SipHeaderName of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        SipHeaderName known = KNOWN.get(lower);
        return known != null ? known : new SipHeaderName(lower, (char) 0);
    }

    /** Whether the header name [from, end) is this one, in full or compact form, in any case. */
    boolean matches(byte[] m, int from, int end) {
        if (end - from == 1) {
            return compact != 0 ? (m[from] | 0x20) == compact : lower.length() == 1 && (m[from] | 0x20) == lower.charAt(0);
        }
        return SipGrammar.equalsIgnoreCase(m, from, end, lower);
    }

    @Override
    public String toString() {
        return lower;
    }
}
