package org.edgesbc.media.srtp;

/**
 * One {@code a=crypto} attribute value (RFC 4568 §9.1): {@code tag suite inline:key||salt[|lifetime]}, key and salt
 * of exactly the suite's lengths. A lifetime is accepted and not enforced (the 2^31 packets of the default outlast
 * any call). Master key identifiers (MKI) and session parameters are not supported: such lines are skipped, as
 * RFC 4568 §6.1 lets an answerer do with offers it cannot use.
 */
public record SdesCrypto(int tag, SrtpSuite suite, SrtpKeys keys) {

    /** The attribute value, or null when the line is malformed or asks for something unsupported. */
    public static SdesCrypto parse(String value) {
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 3 || !parts[2].startsWith("inline:")) {
            return null;
        }
        SrtpSuite suite = SrtpSuite.fromSdes(parts[1]);
        if (suite == null) {
            return null;
        }
        String[] keyParams = parts[2].substring(7).split("\\|");
        if (keyParams.length > 2 || (keyParams.length == 2 && !keyParams[1].matches("(2\\^)?\\d+"))) {
            return null;
        }
        try {
            int tag = Integer.parseInt(parts[0]);
            if (tag < 0 || tag > 999_999_999) {
                return null;
            }
            SrtpKeys keys = SrtpKeys.fromInline(keyParams[0]);
            // The inline key must be exactly the suite's key || salt (RFC 4568 §6.1, RFC 7714 §14.2).
            if (keys.saltLength() != suite.masterSaltBytes()) {
                return null;
            }
            return new SdesCrypto(tag, suite, keys);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public String format() {
        return tag + " " + suite.sdesName() + " inline:" + keys.toInline(suite.masterSaltBytes());
    }
}
