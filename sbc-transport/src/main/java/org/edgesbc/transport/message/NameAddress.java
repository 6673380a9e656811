package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One From, To or Contact value (RFC 3261 §20.10): an optional display name, the URI and the header parameters.
 * In the addr-spec form (no angle brackets) the parameters after the URI belong to the header, not to the URI.
 *
 * <p>A value read from a message keeps the message's bytes and the parts' offsets and makes each part's text the
 * first time it is asked for: the relay's view reads the From and To of every message, and most messages are asked
 * only for a tag. Equal when the four parts are.
 */
public final class NameAddress {
    /** What a check that builds nothing returns for a well-formed value. */
    private static final NameAddress WELL_FORMED = new NameAddress("", null, "", "");
    /** {@link #tag} once looked up and absent; compared by identity. */
    private static final String NO_TAG = new String("");

    /** The message a value was read from; null for a value made from text, whose parts are all set. */
    private final byte[] m;
    private final boolean bracketed;
    private final int addressStart;
    private final int addressEnd;
    private final int displayStart;
    private final int displayEnd;
    private final int uriStart;
    private final int uriEnd;
    private final int parametersStart;
    private final int parametersEnd;
    private String address;
    private String displayName;
    private String uri;
    private String parameters;
    /**
     * The tag once looked up ({@link #NO_TAG} when absent). Each cached part is one field written once with an
     * immutable string, so a value read on another thread at worst makes that string again.
     */
    private String tag;

    /**
     * @param address the name-addr without header parameters: as written when in angle brackets, else the URI put
     *     in them (so that parameters appended to it can never be read as the URI's); {@code *} for the Contact
     *     wildcard
     * @param displayName the display name as written (a quoted one without its quotes, quoted-pairs kept), or null
     * @param uri the URI exactly as written; null for the {@code *} of a Contact
     * @param parameters the header parameters, starting with {@code ;}, or the empty string
     */
    public NameAddress(String address, String displayName, String uri, String parameters) {
        this.m = null;
        this.bracketed = true;
        this.addressStart = this.addressEnd = this.displayStart = this.displayEnd = 0;
        this.uriStart = this.uriEnd = this.parametersStart = this.parametersEnd = 0;
        this.address = address;
        this.displayName = displayName;
        this.uri = uri;
        this.parameters = parameters;
    }

    /** A value in [addressStart, parametersEnd) of {@code m}, already checked; the display name's range may be empty. */
    private NameAddress(byte[] m, boolean bracketed, int addressStart, int addressEnd, int displayStart,
            int displayEnd, int uriStart, int uriEnd, int parametersStart, int parametersEnd) {
        this.m = m;
        this.bracketed = bracketed;
        this.addressStart = addressStart;
        this.addressEnd = addressEnd;
        this.displayStart = displayStart;
        this.displayEnd = displayEnd;
        this.uriStart = uriStart;
        this.uriEnd = uriEnd;
        this.parametersStart = parametersStart;
        this.parametersEnd = parametersEnd;
    }

    /**
     * The name-addr without header parameters: as written when in angle brackets, else the URI put in them (so that
     * parameters appended to it can never be read as the URI's); {@code *} for the Contact wildcard.
     */
    public String address() {
        if (address == null) {
            address = bracketed ? text(m, addressStart, addressEnd) : "<" + uri() + ">";
        }
        return address;
    }

    /** The display name as written (a quoted one without its quotes, quoted-pairs kept), or null. */
    public String displayName() {
        if (m != null && displayName == null && displayStart < displayEnd) {
            displayName = m[displayStart] == '"' ? text(m, displayStart + 1, displayEnd - 1)
                    : text(m, displayStart, displayEnd);
        }
        return displayName;
    }

    /** The URI exactly as written; null for the {@code *} of a Contact. */
    public String uri() {
        if (m != null && uri == null) {
            uri = text(m, uriStart, uriEnd);
        }
        return uri;
    }

    /** The header parameters, starting with {@code ;}, or the empty string. */
    public String parameters() {
        if (m != null && parameters == null) {
            parameters = parametersStart >= parametersEnd ? "" : text(m, parametersStart, parametersEnd);
        }
        return parameters;
    }

    /** {@code Contact: *} (RFC 3261 §10.2.2). */
    public boolean isWildcard() {
        return uri() == null;
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
        String address = address();
        String parameters = parameters();
        StringBuilder out = new StringBuilder(address.length() + parameters.length() + 24).append(address);
        int p = 0;
        while (p < parameters.length()) {
            int next = nextParameter(parameters, p + 1);
            if (valueAt(parameters, p, next, "tag") == null) {
                out.append(parameters, p, next);
            }
            p = next;
        }
        return out;
    }

    /** The tag parameter (RFC 3261 §19.3), or null. */
    public String tag() {
        String known = tag;
        if (known == null) {
            String found = parameter("tag");
            known = found == null ? NO_TAG : found;
            tag = known;
        }
        return known == NO_TAG ? null : known;
    }

    /**
     * The value of a header parameter, matched case-insensitively; the empty string for a parameter without a value;
     * null when absent.
     */
    public String parameter(String name) {
        String parameters = parameters();
        int p = 0;
        while (p < parameters.length()) {
            int next = nextParameter(parameters, p + 1);
            String value = valueAt(parameters, p, next, name);
            if (value != null) {
                return value;
            }
            p = next;
        }
        return null;
    }

    /** The value of the parameter at [p, next) (p at its ";") when it is named {@code name}, else null. */
    private static String valueAt(String parameters, int p, int next, String name) {
        int equals = parameters.indexOf('=', p + 1);
        boolean valued = equals >= 0 && equals < next;
        int nameStart = p + 1;
        int nameEnd = valued ? equals : next;
        // Trimmed as String.trim does: blanks and control characters around the name.
        while (nameStart < nameEnd && parameters.charAt(nameStart) <= ' ') {
            nameStart++;
        }
        while (nameEnd > nameStart && parameters.charAt(nameEnd - 1) <= ' ') {
            nameEnd--;
        }
        if (nameEnd - nameStart != name.length() || !parameters.regionMatches(true, nameStart, name, 0, name.length())) {
            return null;
        }
        return valued ? parameters.substring(equals + 1, next).trim() : "";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NameAddress that && address().equals(that.address())
                && Objects.equals(displayName(), that.displayName()) && Objects.equals(uri(), that.uri())
                && parameters().equals(that.parameters());
    }

    @Override
    public int hashCode() {
        return Objects.hash(address(), displayName(), uri(), parameters());
    }

    @Override
    public String toString() {
        return "NameAddress[address=" + address() + ", displayName=" + displayName() + ", uri=" + uri()
                + ", parameters=" + parameters() + "]";
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
            return build ? new NameAddress(m, true, from, close + 1, from, displayEnd, open + 1, close,
                    SipGrammar.trimStart(m, close + 1, end), end) : WELL_FORMED;
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
        return new NameAddress(m, false, from, uriEnd, from, from, from, uriEnd, SipGrammar.trimStart(m, uriEnd, end),
                end);
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

    private static String text(byte[] m, int from, int end) {
        return new String(m, from, end - from, StandardCharsets.UTF_8);
    }
}
