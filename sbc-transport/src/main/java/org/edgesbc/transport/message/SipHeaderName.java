package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A header name as a reader looks for it: case-insensitive, with its compact form where RFC 3261 §7.3.3 (and the
 * extensions registering one) defines it, so that {@code v:} and {@code VIA:} are both found as Via.
 */
public final class SipHeaderName {
    public static final SipHeaderName VIA = new SipHeaderName("Via", 'v');
    public static final SipHeaderName CALL_ID = new SipHeaderName("Call-ID", 'i');
    public static final SipHeaderName FROM = new SipHeaderName("From", 'f');
    public static final SipHeaderName TO = new SipHeaderName("To", 't');
    public static final SipHeaderName CSEQ = new SipHeaderName("CSeq", (char) 0);
    public static final SipHeaderName CONTACT = new SipHeaderName("Contact", 'm');
    public static final SipHeaderName MAX_FORWARDS = new SipHeaderName("Max-Forwards", (char) 0);
    public static final SipHeaderName CONTENT_LENGTH = new SipHeaderName("Content-Length", 'l');
    public static final SipHeaderName CONTENT_TYPE = new SipHeaderName("Content-Type", 'c');

    /** Every name with a compact form (RFC 3261 §7.3.3, RFC 3515, RFC 3892, RFC 3265, RFC 3841, RFC 4028, RFC 8224). */
    private static final Map<String, SipHeaderName> KNOWN = new HashMap<>();

    static {
        for (SipHeaderName name : new SipHeaderName[] {VIA, CALL_ID, FROM, TO, CSEQ, CONTACT, MAX_FORWARDS,
                CONTENT_LENGTH, CONTENT_TYPE,
                new SipHeaderName("Content-Encoding", 'e'), new SipHeaderName("Subject", 's'),
                new SipHeaderName("Supported", 'k'), new SipHeaderName("Refer-To", 'r'),
                new SipHeaderName("Referred-By", 'b'), new SipHeaderName("Event", 'o'),
                new SipHeaderName("Allow-Events", 'u'), new SipHeaderName("Accept-Contact", 'a'),
                new SipHeaderName("Reject-Contact", 'j'), new SipHeaderName("Request-Disposition", 'd'),
                new SipHeaderName("Session-Expires", 'x'), new SipHeaderName("Identity", 'y')}) {
            KNOWN.put(name.lower, name);
            if (name.compact != 0) {
                KNOWN.put(String.valueOf(name.compact), name);
            }
        }
    }

    private final String canonical;
    /** {@link #canonical} as the writer copies it into a message, once per edit of the header. */
    private final byte[] canonicalBytes;
    private final String lower;
    private final char compact;

    private SipHeaderName(String canonical, char compact) {
        this.canonical = canonical;
        this.canonicalBytes = canonical.getBytes(StandardCharsets.UTF_8);
        this.lower = canonical.toLowerCase(Locale.ROOT);
        this.compact = compact;
    }

    /** The name for a header written either way; an unknown name matches itself in any case. */
    public static SipHeaderName of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        SipHeaderName known = KNOWN.get(lower);
        return known != null ? known : new SipHeaderName(name, (char) 0);
    }

    /** The full name in lower case: one key for the full and compact forms. */
    String lower() {
        return lower;
    }

    /** The full name as the SBC writes it. */
    public String canonical() {
        return canonical;
    }

    byte[] canonicalBytes() {
        return canonicalBytes;
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
        return canonical;
    }
}
