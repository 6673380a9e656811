package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One From, To or Contact value (RFC 3261 §20.10): an optional display name, the URI and the header parameters.
 * In the addr-spec form (no angle brackets) the parameters after the URI belong to the header, not to the URI.
 *
 * @param address the name-addr without header parameters: as written when in angle brackets, else the URI put in
 *     them (so that parameters appended to it can never be read as the URI's); {@code *} for the Contact wildcard
 * @param displayName the display name as written (a quoted one without its quotes, quoted-pairs kept), or null
 * @param uri the URI exactly as written; null for the {@code *} of a Contact
 * @param parameters the header parameters, starting with {@code ;}, or the empty string
 */
public record NameAddress(String address, String displayName, String uri, String parameters) {
    /** What a check that builds nothing returns for a well-formed value. */
    private static final NameAddress WELL_FORMED = new NameAddress("", null, "", "");

    /** {@code Contact: *} (RFC 3261 §10.2.2). */
    public boolean isWildcard() {
        return uri == null;
    }

    /** This value with its tag parameter set to {@code tag} (added, or replacing the one it had). */
    public String withTag(String tag) {
        return withoutTag().append(";tag=").append(tag).toString();
    }

    /** This value with its other header parameters, and no tag. */
    public String untagged() {
        return withoutTag().toString();
    }

    private StringBuilder withoutTag() {
        StringBuilder out = new StringBuilder(address.length() + parameters.length() + 24).append(address);
        int p = 0;
        while (p < parameters.length()) {
            int next = nextParameter(parameters, p + 1);
            String parameter = parameters.substring(p, next);
            if (!parameter.substring(1).split("=", 2)[0].trim().equalsIgnoreCase("tag")) {
                out.append(parameter);
            }
            p = next;
        }
        return out;
    }

    /** The tag parameter (RFC 3261 §19.3), or null. */
    public String tag() {
        return parameter("tag");
    }

    /**
     * The value of a header parameter, matched case-insensitively; the empty string for a parameter without a value;
     * null when absent.
     */
    public String parameter(String name) {
        int p = 0;
        while (p < parameters.length()) {
            int next = nextParameter(parameters, p + 1);
            int nameStart = p + 1;
            int equals = parameters.indexOf('=', nameStart);
            int nameEnd = equals < 0 || equals > next ? next : equals;
            if (parameters.substring(nameStart, nameEnd).trim().equalsIgnoreCase(name)) {
                return equals < 0 || equals > next ? "" : parameters.substring(equals + 1, next).trim();
            }
            p = next;
        }
        return null;
    }

    private static int nextParameter(String parameters, int from) {
        boolean quoted = false;
        for (int i = from; i < parameters.length(); i++) {
            char c = parameters.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                return i;
            }
        }
        return parameters.length();
    }

    /**
     * Parses one value [from, end); null when it is not a well-formed name-addr or addr-spec with generic
     * parameters (RFC 3261 §20.10, §25.1). Refused as RFC 4475 §3.1.2 lists: an unterminated quoted string
     * (§3.1.2.6), blanks inside the angle brackets (§3.1.2.14), an unquoted display name with non-token characters
     * (§3.1.2.15), an addr-spec with a headers component that only angle brackets would make unambiguous
     * (§3.1.2.13).
     */
    static NameAddress parse(byte[] m, int from, int end) {
        return read(m, from, end, true);
    }

    /** {@link #parse}, or with {@code build} false only the check: no text copied into strings. */
    private static NameAddress read(byte[] m, int from, int end, boolean build) {
        from = SipGrammar.trimStart(m, from, end);
        end = SipGrammar.trimEnd(m, from, end);
        if (from >= end) {
            return null;
        }
        int open = -1;
        for (int i = from; i < end && open < 0; i++) {
            if (m[i] == '"') {
                i = SipGrammar.closingQuote(m, i, end);
                if (i < 0) {
                    return null;
                }
            } else if (m[i] == '<') {
                open = i;
            }
        }
        if (open >= 0) {
            int close = open + 1;
            while (close < end && m[close] != '>') {
                close++;
            }
            int displayEnd = SipGrammar.trimEnd(m, from, open);
            if (close == end || !UriSyntax.valid(m, open + 1, close, true)
                    || !displayNameWellFormed(m, from, displayEnd) || !parametersWellFormed(m, close + 1, end)) {
                return null;
            }
            return build ? new NameAddress(text(m, from, close + 1), displayName(m, from, displayEnd),
                    text(m, open + 1, close), parameters(m, close + 1, end)) : WELL_FORMED;
        }
        // addr-spec: the URI ends at the first ";" after its host part; a user part may hold ";" (RFC 3261 §25.1
        // user-unreserved), which an "@" ends. Its parameters are the header's (RFC 3261 §20.10).
        int hostStart = from;
        int colon = UriSyntax.scheme(m, from, end);
        if (colon > 0 && (SipGrammar.equalsIgnoreCase(m, from, colon, "sip")
                || SipGrammar.equalsIgnoreCase(m, from, colon, "sips"))) {
            for (int i = colon; i < end; i++) {
                if (m[i] == '@') {
                    hostStart = i + 1;
                    break;
                }
            }
        }
        int uriEnd = hostStart;
        while (uriEnd < end && m[uriEnd] != ';' && !SipGrammar.isBlank(m[uriEnd])) {
            uriEnd++;
        }
        if (!UriSyntax.valid(m, from, uriEnd, false) || !parametersWellFormed(m, uriEnd, end)) {
            return null;
        }
        if (!build) {
            return WELL_FORMED;
        }
        String uri = text(m, from, uriEnd);
        return new NameAddress("<" + uri + ">", null, uri, parameters(m, uriEnd, end));
    }

    /**
     * {@code display-name = *(token LWS) / quoted-string}. The LWS after the last token is optional in practice
     * (RFC 4475 §3.1.1.6 calls its absence a grammar bug elements should accept).
     */
    private static boolean displayNameWellFormed(byte[] m, int from, int end) {
        if (from < end && m[from] == '"') {
            return SipGrammar.closingQuote(m, from, end) == end - 1;
        }
        for (int i = from; i < end; i++) {
            if (!SipGrammar.isTokenChar(m[i]) && !SipGrammar.isBlank(m[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code *( SEMI generic-param )}, generic-param = token [ EQUAL ( token / host / quoted-string ) ]. */
    private static boolean parametersWellFormed(byte[] m, int from, int end) {
        int p = SipGrammar.trimStart(m, from, end);
        while (p < end) {
            if (m[p] != ';') {
                return false;
            }
            int nameStart = SipGrammar.trimStart(m, p + 1, end);
            p = nameStart;
            while (p < end && SipGrammar.isTokenChar(m[p])) {
                p++;
            }
            if (p == nameStart) {
                return false;
            }
            p = SipGrammar.trimStart(m, p, end);
            if (p < end && m[p] == '=') {
                int valueStart = SipGrammar.trimStart(m, p + 1, end);
                int valueEnd = ViaHop.genericValue(m, valueStart, end);
                if (valueEnd < 0) {
                    return false;
                }
                p = SipGrammar.trimStart(m, valueEnd, end);
            }
        }
        return true;
    }

    /**
     * Whether [from, end) is a well-formed From or To value ({@code list} false) or Contact value: a comma-separated
     * list or {@code *} (RFC 3261 §20.10). Builds nothing: the gate asks this of every message on the I/O thread,
     * and the relay's view reads the values again on its own thread.
     */
    public static boolean wellFormed(byte[] m, int from, int end, boolean list) {
        return list ? parseList(m, from, end, null) : read(m, from, end, false) != null;
    }

    /**
     * Parses a comma-separated list of values (Contact) into {@code out}, or only checks it when {@code out} is
     * null; a lone {@code *} is the wildcard. False when a value is malformed.
     */
    static boolean parseList(byte[] m, int from, int end, List<NameAddress> out) {
        if (SipGrammar.trimEnd(m, from, end) - SipGrammar.trimStart(m, from, end) == 1
                && m[SipGrammar.trimStart(m, from, end)] == '*') {
            if (out != null) {
                out.add(new NameAddress("*", null, null, ""));
            }
            return true;
        }
        for (int start = from; start <= end; ) {
            int elementEnd = SipGrammar.elementEnd(m, start, end, true);
            NameAddress value = read(m, start, elementEnd, out != null);
            if (value == null) {
                return false;
            }
            if (out != null) {
                out.add(value);
            }
            start = elementEnd + 1;
        }
        return true;
    }

    private static String displayName(byte[] m, int from, int end) {
        if (from >= end) {
            return null;
        }
        if (m[from] == '"') {
            return text(m, from + 1, end - 1);
        }
        return text(m, from, end);
    }

    /** What follows the URI, already checked: nothing, or parameters starting with ";". */
    private static String parameters(byte[] m, int from, int end) {
        from = SipGrammar.trimStart(m, from, end);
        return from >= end ? "" : text(m, from, end);
    }

    private static String text(byte[] m, int from, int end) {
        return new String(m, from, end - from, StandardCharsets.UTF_8);
    }
}
