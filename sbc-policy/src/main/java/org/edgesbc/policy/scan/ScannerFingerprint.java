package org.edgesbc.policy.scan;

import java.util.Locale;

/**
 * One fingerprint of a SIP scanning tool: a lower-case substring looked for, without regard to case, in every value
 * of one header of a request.
 *
 * @param header the header it is looked for in
 * @param contains the substring, in lower case
 * @param tool what it identifies, for the security event
 */
public record ScannerFingerprint(Header header, String contains, String tool) {

    public ScannerFingerprint {
        contains = contains.toLowerCase(Locale.ROOT);
    }

    /** The headers scanners give themselves away in. */
    public enum Header {
        USER_AGENT("user-agent"),
        FROM("from"),
        TO("to"),
        CONTACT("contact"),
        VIA("via"),
        CALL_ID("call-id");

        private final String key;

        Header(String key) {
            this.key = key;
        }

        /** The name in configuration and in the shipped list: the header name in lower case. */
        public String key() {
            return key;
        }

        /** The header a configuration key names, or null. */
        public static Header fromKey(String key) {
            for (Header header : values()) {
                if (header.key.equalsIgnoreCase(key)) {
                    return header;
                }
            }
            return null;
        }
    }
}
