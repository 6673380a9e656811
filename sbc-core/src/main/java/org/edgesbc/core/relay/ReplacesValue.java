package org.edgesbc.core.relay;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The value of a {@code Replaces} header (RFC 3891 §6.1): the Call-ID of the dialog to replace, then its
 * parameters ({@code to-tag}, {@code from-tag}, {@code early-only}) exactly as written. Also its escaped form as a
 * header of a Refer-To URI (RFC 3261 §19.1.1 {@code hvalue}).
 *
 * @param callId the Call-ID, never blank
 * @param parameters everything from the first {@code ;} on, or the empty string
 */
record ReplacesValue(String callId, String parameters) {
    /** Longest value taken; a Call-ID and two tags fit well within it. */
    static final int MAX_LENGTH = 1024;

    /** The value read, or null when it is blank, too long, or has no to-tag and from-tag (RFC 3891 §6.1). */
    static ReplacesValue parse(String value) {
        if (value == null || value.length() > MAX_LENGTH) {
            return null;
        }
        String trimmed = value.trim();
        int semicolon = trimmed.indexOf(';');
        String callId = (semicolon < 0 ? trimmed : trimmed.substring(0, semicolon)).trim();
        String parameters = semicolon < 0 ? "" : trimmed.substring(semicolon).replace(" ", "");
        String lower = parameters.toLowerCase(java.util.Locale.ROOT);
        if (callId.isEmpty() || !lower.contains(";to-tag=") || !lower.contains(";from-tag=")) {
            return null;
        }
        return new ReplacesValue(callId, parameters);
    }

    /** The value of a Refer-To URI header, %-escapes decoded; null when an escape is broken. */
    static String unescape(String hvalue) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(hvalue.length());
        for (int i = 0; i < hvalue.length(); i++) {
            char c = hvalue.charAt(i);
            if (c == '%') {
                if (i + 2 >= hvalue.length()) {
                    return null;
                }
                int high = Character.digit(hvalue.charAt(i + 1), 16);
                int low = Character.digit(hvalue.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                out.write(high << 4 | low);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    ReplacesValue withCallId(String newCallId) {
        return new ReplacesValue(newCallId, parameters);
    }

    /** As a header value. */
    String text() {
        return callId + parameters;
    }

    /** As the value of a URI header: every character outside RFC 3261's hnv-unreserved and unreserved escaped. */
    String escaped() {
        StringBuilder out = new StringBuilder(callId.length() + parameters.length() + 16);
        for (byte b : text().getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (Character.isLetterOrDigit(c) && c < 0x80 || "-_.!~*'()[]/?:+$".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
