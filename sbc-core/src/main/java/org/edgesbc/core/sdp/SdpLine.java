package org.edgesbc.core.sdp;

import java.util.Locale;

/**
 * One SDP line, {@code <type>=<value>} (RFC 8866 §5), kept as it was read apart from the line ending.
 *
 * @param type the one-letter line type
 * @param value everything after the {@code =}
 */
public record SdpLine(char type, String value) {

    public boolean isAttribute() {
        return type == 'a';
    }

    /** For {@code a=} lines, the attribute name before any colon, lower-cased; empty for other lines. */
    public String attributeName() {
        if (type != 'a') {
            return "";
        }
        int colon = value.indexOf(':');
        return (colon < 0 ? value : value.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    /** For {@code a=name:value} lines, the part after the colon; empty when there is none. */
    public String attributeValue() {
        int colon = value.indexOf(':');
        return type != 'a' || colon < 0 ? "" : value.substring(colon + 1);
    }

    @Override
    public String toString() {
        return type + "=" + value;
    }
}
