package org.edgesbc.core.relay;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The value of a {@code Replaces} header (RFC 3891 §6.1): the Call-ID of the dialog to replace, then its
 * parameters ({@code to-tag}, {@code from-tag}, {@code early-only}) exactly as written. Also its escaped form as a
 * header of a Refer-To URI (RFC 3261 §19.1.1 {@code hvalue}), and the value of a {@code Target-Dialog} header
 * (RFC 4538 §7), which names a dialog the same way with other names for the two tags ({@link Form}).
 *
 * @param callId the Call-ID, never blank
 * @param parameters everything from the first {@code ;} on, or the empty string
 */
record ReplacesValue(String callId, String parameters) {
    /** Longest value taken; a Call-ID and two tags fit well within it. */
    static final int MAX_LENGTH = 1024;

    /**
     * The header a dialog is named in, and the names of its two tags: the recipient's (the tag its own end of the
     * dialog has) and the sender's. RFC 3891 §3: the to-tag is compared with the recipient's local tag; RFC 4538
     * §4: the remote-tag is.
     */
    enum Form {
        REPLACES("to-tag", "from-tag"),
        TARGET_DIALOG("remote-tag", "local-tag");

        final String recipientTag;
        final String senderTag;

        Form(String recipientTag, String senderTag) {
            this.recipientTag = recipientTag;
            this.senderTag = senderTag;
        }
    }

    /** The Replaces value read, or null when it is blank, too long, or lacks to-tag or from-tag (RFC 3891 §6.1). */
    static ReplacesValue parse(String value) {
        return parse(value, Form.REPLACES);
    }

    /** The value read, or null when it is blank, too long, or lacks one of the two tags of {@code form}. */
    static ReplacesValue parse(String value, Form form) {
        if (value == null || value.length() > MAX_LENGTH) {
            return null;
        }
        String trimmed = value.trim();
        int semicolon = trimmed.indexOf(';');
        String callId = (semicolon < 0 ? trimmed : trimmed.substring(0, semicolon)).trim();
        String parameters = semicolon < 0 ? "" : trimmed.substring(semicolon).replace(" ", "");
        ReplacesValue parsed = new ReplacesValue(callId, parameters);
        if (callId.isEmpty() || parsed.parameter(form.recipientTag) == null
                || parsed.parameter(form.senderTag) == null) {
            return null;
        }
        return parsed;
    }

    /** The value of parameter {@code name} (matched case-insensitively), or null when it has none. */
    String parameter(String name) {
        for (String parameter : parameters.split(";")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).equalsIgnoreCase(name)) {
                return parameter.substring(equals + 1);
            }
        }
        return null;
    }

    /**
     * This value naming another dialog: {@code newCallId} and the two tags of {@code form}, every other parameter
     * (such as {@code early-only}) kept as written.
     */
    ReplacesValue naming(String newCallId, Form form, String recipientTag, String senderTag) {
        StringBuilder rewritten = new StringBuilder(parameters.length() + 32);
        for (String parameter : parameters.split(";")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            rewritten.append(';');
            if (name.equalsIgnoreCase(form.recipientTag)) {
                rewritten.append(name).append('=').append(recipientTag);
            } else if (name.equalsIgnoreCase(form.senderTag)) {
                rewritten.append(name).append('=').append(senderTag);
            } else {
                rewritten.append(parameter);
            }
        }
        return new ReplacesValue(newCallId, rewritten.toString());
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
