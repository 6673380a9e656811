package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates SIP messages for differential tests: well-formed requests and responses in the many spellings RFC 3261
 * allows (compact and mixed-case header names, LWS around separators, Vias joined by commas or on lines of their
 * own, quoted and token display names, addr-spec and name-addr, IPv6 references, tel URIs, bodies), and mutations
 * of them (octets replaced by SIP's separators, deleted, inserted, lines repeated, messages cut short). Seeded:
 * the same seed gives the same corpus.
 */
final class SipMessageCorpus {
    private static final String[] METHODS = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "SUBSCRIBE",
        "NOTIFY", "REFER", "INFO", "MESSAGE", "UPDATE", "PRACK", "Fancy"};
    private static final int[] STATUSES = {100, 180, 183, 200, 202, 301, 302, 401, 403, 404, 407, 408, 480, 486, 487,
        488, 491, 500, 503, 603, 699};
    private static final String[] HOSTS = {"example.com", "pbx.example.net", "192.0.2.10", "10.0.0.1",
        "[2001:db8::10]", "[::1]", "host-1.example.org", "a.b.c.example"};
    private static final String[] USERS = {"alice", "bob", "1001", "+4930123456", "0049301234", "user.name", "a-b_c",
        "x%20y", "ext;par=1"};
    private static final String SEPARATORS = ";:,<>\"@[]/ =\t\\?%";

    private final Random random;

    SipMessageCorpus(long seed) {
        this.random = new Random(seed);
    }

    /** {@code count} well-formed messages. */
    List<byte[]> wellFormed(int count) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(message().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** {@code count} mutated messages, each from a fresh well-formed one. */
    List<byte[]> mutated(int count) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(mutate(message().getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private String message() {
        boolean request = random.nextInt(10) < 7;
        String method = pick(METHODS);
        StringBuilder m = new StringBuilder(600);
        if (request) {
            m.append(method).append(' ').append(requestUri()).append(" SIP/2.0\r\n");
        } else {
            int status = pick(STATUSES);
            m.append("SIP/2.0 ").append(status).append(random.nextInt(8) == 0 ? "" : " Some Reason").append("\r\n");
        }
        List<String> headers = new ArrayList<>();
        vias(headers);
        headers.add(name("From", "f") + sep() + nameAddress(true) + ";tag=" + token(8) + params());
        headers.add(name("To", "t") + sep() + nameAddress(false) + (random.nextBoolean() || !request
                ? ";tag=" + token(6) : "") + params());
        headers.add(name("Call-ID", "i") + sep() + token(12) + (random.nextBoolean() ? "@" + pick(HOSTS) : ""));
        headers.add(name("CSeq", null) + sep() + random.nextInt(100000) + (random.nextInt(10) == 0 ? "  " : " ")
                + method);
        if (request && random.nextInt(8) != 0) {
            headers.add(name("Max-Forwards", null) + sep() + random.nextInt(71));
        }
        if (random.nextInt(3) != 0) {
            headers.add(name("Contact", "m") + sep() + contacts(method));
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            headers.add(pick(new String[] {"User-Agent: softphone 1.0", "Supported: timer, 100rel",
                "Allow: INVITE, ACK, BYE", "Expires: 3600", "k: replaces", "Subject: call me",
                "Record-Route: <sip:proxy.example.com;lr>", "Route: <sip:[2001:db8::1]:5070;lr>",
                "P-Asserted-Identity: \"Alice\" <sip:+4930123456@example.com>", "X-Custom-Header: a;b=c"}));
        }
        java.util.Collections.shuffle(headers.subList(1, headers.size()), random);
        String body = random.nextInt(3) == 0 ? "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
                + "t=0 0\r\nm=audio " + (10000 + random.nextInt(10000)) + " RTP/AVP 0 8\r\n" : "";
        if (!body.isEmpty()) {
            headers.add(name("Content-Type", "c") + sep() + "application/sdp");
        }
        if (random.nextInt(6) != 0) {
            headers.add(name("Content-Length", "l") + sep() + body.getBytes(StandardCharsets.UTF_8).length);
        }
        for (String header : headers) {
            m.append(header).append("\r\n");
        }
        return m.append("\r\n").append(body).toString();
    }

    /** The Via hops, top first, some joined by commas on one line, others on lines of their own. */
    private void vias(List<String> headers) {
        StringBuilder line = new StringBuilder(name("Via", "v")).append(sep()).append(via());
        for (int i = 1 + random.nextInt(4); i > 1; i--) {
            if (random.nextBoolean()) {
                line.append(random.nextBoolean() ? ", " : ",").append(via());
            } else {
                headers.add(line.toString());
                line = new StringBuilder(name("Via", "v")).append(sep()).append(via());
            }
        }
        headers.add(line.toString());
    }

    private String via() {
        String slash = random.nextInt(10) == 0 ? " / " : "/";
        StringBuilder via = new StringBuilder("SIP").append(slash).append("2.0").append(slash)
                .append(pick(new String[] {"UDP", "TCP", "TLS", "udp", "SCTP", "WS"})).append(' ')
                .append(pick(HOSTS));
        if (random.nextBoolean()) {
            via.append(':').append(1024 + random.nextInt(60000));
        }
        if (random.nextInt(10) != 0) {
            via.append(random.nextInt(10) == 0 ? " ; " : ";").append("branch=z9hG4bK").append(token(10));
        }
        if (random.nextInt(3) == 0) {
            via.append(";rport");
        }
        if (random.nextInt(4) == 0) {
            via.append(";received=192.0.2.").append(random.nextInt(255));
        }
        if (random.nextInt(8) == 0) {
            via.append(";ttl=").append(random.nextInt(255));
        }
        return via.toString();
    }

    private String requestUri() {
        return switch (random.nextInt(6)) {
            case 0 -> "tel:+" + (1_000_000 + random.nextInt(9_000_000));
            case 1 -> "sips:" + pick(USERS) + "@" + pick(HOSTS);
            case 2 -> "sip:" + pick(HOSTS) + ";transport=tcp";
            default -> "sip:" + pick(USERS) + "@" + pick(HOSTS) + (random.nextBoolean() ? ":5060" : "")
                    + (random.nextInt(4) == 0 ? ";user=phone" : "");
        };
    }

    private String nameAddress(boolean from) {
        String uri = random.nextInt(8) == 0 ? "tel:+" + (1_000_000 + random.nextInt(9_000_000))
                : "sip:" + pick(USERS) + "@" + pick(HOSTS);
        return switch (random.nextInt(5)) {
            case 0 -> uri.contains(";") ? "<" + uri + ">" : uri;
            case 1 -> "\"" + pick(new String[] {"Alice", "Bob Smith", "J\\\"R", "", "Ünïcode"}) + "\" <" + uri + ">";
            case 2 -> pick(new String[] {"Alice", "Bob Smith", "x"}) + (random.nextBoolean() ? " " : "") + "<" + uri
                    + ">";
            default -> "<" + uri + (from && random.nextBoolean() ? ";user=phone" : "") + ">";
        };
    }

    private String contacts(String method) {
        if ("REGISTER".equals(method) && random.nextInt(5) == 0) {
            return "*";
        }
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(3); i >= 0; i--) {
            out.append(out.length() == 0 ? "" : ", ").append(nameAddress(false));
            if (random.nextBoolean()) {
                out.append(";expires=").append(random.nextInt(7200));
            }
            if (random.nextInt(4) == 0) {
                out.append(";q=0.").append(random.nextInt(10));
            }
        }
        return out.toString();
    }

    private String params() {
        return random.nextInt(5) == 0 ? ";x-param=" + token(3) : "";
    }

    /** A header name in its full or compact form, in a random case. */
    private String name(String full, String compact) {
        String name = compact != null && random.nextInt(4) == 0 ? compact : full;
        return switch (random.nextInt(6)) {
            case 0 -> name.toUpperCase(java.util.Locale.ROOT);
            case 1 -> name.toLowerCase(java.util.Locale.ROOT);
            default -> name;
        };
    }

    private String sep() {
        return pick(new String[] {": ", ":", " : ", ":\t", ":  "});
    }

    private String token(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(i == 0 ? 36 : alphabet.length())));
        }
        return out.toString();
    }

    private byte[] mutate(byte[] message) {
        byte[] m = message;
        for (int edits = 1 + random.nextInt(3); edits > 0 && m.length > 1; edits--) {
            int at = random.nextInt(m.length);
            m = switch (random.nextInt(6)) {
                case 0 -> replace(m, at, (byte) SEPARATORS.charAt(random.nextInt(SEPARATORS.length())));
                case 1 -> splice(m, at, Math.min(m.length, at + 1 + random.nextInt(5)), new byte[0]);
                case 2 -> splice(m, at, at, new byte[] {(byte) SEPARATORS.charAt(random.nextInt(SEPARATORS.length()))});
                case 3 -> repeatLine(m, at);
                case 4 -> java.util.Arrays.copyOf(m, Math.max(1, at));
                default -> replace(m, at, (byte) (Character.isUpperCase(m[at]) ? Character.toLowerCase(m[at])
                        : Character.toUpperCase(m[at])));
            };
        }
        return m;
    }

    private static byte[] replace(byte[] m, int at, byte b) {
        byte[] out = m.clone();
        out[at] = b;
        return out;
    }

    private static byte[] splice(byte[] m, int from, int to, byte[] insert) {
        byte[] out = new byte[m.length - (to - from) + insert.length];
        System.arraycopy(m, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(m, to, out, from + insert.length, m.length - to);
        return out;
    }

    /** Repeats the line holding {@code at} right after itself. */
    private static byte[] repeatLine(byte[] m, int at) {
        int start = at;
        while (start > 0 && m[start - 1] != '\n') {
            start--;
        }
        int end = at;
        while (end < m.length && m[end] != '\n') {
            end++;
        }
        if (end == m.length) {
            return m;
        }
        byte[] line = java.util.Arrays.copyOfRange(m, start, end + 1);
        return splice(m, end + 1, end + 1, line);
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private int pick(int[] values) {
        return values[random.nextInt(values.length)];
    }
}
