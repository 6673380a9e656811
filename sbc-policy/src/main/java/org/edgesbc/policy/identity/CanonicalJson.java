package org.edgesbc.policy.identity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgesbc.policy.JsonString;

/**
 * JSON for PASSporTs, both ways.
 *
 * <p>{@link #write} produces the deterministic serialisation of RFC 8225 §9: members ordered lexicographically by
 * the Unicode code points of their names at every level, no whitespace and no line breaks, literals in lower case,
 * numbers as integers, and strings escaped only where JSON requires it ({@link JsonString#appendMinimal}).
 *
 * <p>{@link #parseObject} reads what a remote peer sent: a strict RFC 8259 parser of one object, bounded at
 * {@value #MAX_LENGTH} characters and {@value #MAX_DEPTH} levels of nesting, refusing duplicate member names
 * (RFC 7515 §5.2 lets a JWS reader refuse them, and one that keeps the last would see another claim than a reader
 * that keeps the first). Its result is only ever read: the verifier checks the signature over the bytes as received,
 * never over a re-serialisation.
 */
public final class CanonicalJson {
    /** Longest JSON text {@link #parseObject} reads; a SHAKEN header or payload is a few hundred characters. */
    public static final int MAX_LENGTH = 8_192;
    /** Deepest nesting of objects and arrays either way; PASSporT claims nest two levels. */
    public static final int MAX_DEPTH = 16;

    /** RFC 8225 §9: member names in the order of their Unicode code points (not of UTF-16 code units). */
    private static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private CanonicalJson() { }

    /**
     * The canonical form of {@code value}. Values may be strings, integral numbers ({@code Integer}, {@code Long},
     * {@code BigInteger}), booleans, {@code null}, maps with string keys and collections of these.
     *
     * @throws IllegalArgumentException for any other value, a non-string key, or nesting deeper than {@value #MAX_DEPTH}
     */
    public static String write(Map<String, ?> value) {
        StringBuilder out = new StringBuilder(256);
        writeValue(out, value, 0);
        return out.toString();
    }

    private static void writeValue(StringBuilder out, Object value, int depth) {
        if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof String text) {
            JsonString.appendMinimal(out, text);
        } else if (value instanceof Map<?, ?> map) {
            checkDepth(depth);
            List<String> names = new ArrayList<>(map.size());
            for (Object name : map.keySet()) {
                if (!(name instanceof String text)) {
                    throw new IllegalArgumentException("JSON member names are strings, got " + name);
                }
                names.add(text);
            }
            names.sort(CODE_POINT_ORDER);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                JsonString.appendMinimal(out, names.get(i));
                out.append(':');
                writeValue(out, map.get(names.get(i)), depth + 1);
            }
            out.append('}');
        } else if (value instanceof Collection<?> items) {
            checkDepth(depth);
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeValue(out, item, depth + 1);
            }
            out.append(']');
        } else {
            // RFC 8225 §9: numbers are integers; anything else has no single canonical form here.
            throw new IllegalArgumentException("no canonical JSON form for " + value.getClass().getName());
        }
    }

    private static void checkDepth(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /**
     * Parses one JSON object (RFC 8259), whitespace around tokens allowed. Objects become unmodifiable maps in the
     * order received, arrays unmodifiable lists, integers {@code Long} (or {@code BigInteger} past its range), other
     * numbers {@code BigDecimal}, {@code true}/{@code false} {@code Boolean}, {@code null} null.
     *
     * @throws IllegalArgumentException when the text is not exactly one object, is longer than {@value #MAX_LENGTH}
     *     characters, nests deeper than {@value #MAX_DEPTH} levels, or repeats a member name
     */
    public static Map<String, Object> parseObject(String json) {
        if (json == null) {
            throw new IllegalArgumentException("no JSON text");
        }
        if (json.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("JSON text longer than " + MAX_LENGTH + " characters");
        }
        Parser parser = new Parser(json);
        parser.skipWhitespace();
        if (parser.peek() != '{') {
            throw parser.error("expected an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) parser.value(0);
        parser.skipWhitespace();
        if (parser.position < json.length()) {
            throw parser.error("unexpected text after the object");
        }
        return object;
    }

    /** Recursive descent over RFC 8259 §2-§7; recursion is bounded by {@link #MAX_DEPTH}. */
    private static final class Parser {
        private final String text;
        private int position;

        Parser(String text) {
            this.text = text;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + position);
        }

        int peek() {
            return position < text.length() ? text.charAt(position) : -1;
        }

        void skipWhitespace() {
            while (position < text.length()) {
                char c = text.charAt(position);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                position++;
            }
        }

        void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            position++;
        }

        Object value(int depth) {
            skipWhitespace();
            int c = peek();
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("expected a value");
                }
            };
        }

        private void enter(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
        }

        private Map<String, Object> object(int depth) {
            enter(depth);
            expect('{');
            Map<String, Object> members = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                position++;
                return Collections.unmodifiableMap(members);
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a member name");
                }
                String name = string();
                if (members.containsKey(name)) {
                    throw error("duplicate member \"" + name + "\"");
                }
                skipWhitespace();
                expect(':');
                members.put(name, value(depth));
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                } else {
                    expect('}');
                    return Collections.unmodifiableMap(members);
                }
            }
        }

        private List<Object> array(int depth) {
            enter(depth);
            expect('[');
            List<Object> items = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                position++;
                return Collections.unmodifiableList(items);
            }
            while (true) {
                items.add(value(depth));
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                } else {
                    expect(']');
                    return Collections.unmodifiableList(items);
                }
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, position)) {
                throw error("expected " + word);
            }
            position += word.length();
            return value;
        }

        /** RFC 8259 §6: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
        private Object number() {
            int start = position;
            if (peek() == '-') {
                position++;
            }
            if (peek() == '0') {
                position++;
            } else if (!digits()) {
                throw error("expected a digit");
            }
            boolean integral = true;
            if (peek() == '.') {
                position++;
                integral = false;
                if (!digits()) {
                    throw error("expected a digit after '.'");
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                position++;
                integral = false;
                if (peek() == '+' || peek() == '-') {
                    position++;
                }
                if (!digits()) {
                    throw error("expected a digit in the exponent");
                }
            }
            String literal = text.substring(start, position);
            if (!integral) {
                return new BigDecimal(literal);
            }
            BigInteger number = new BigInteger(literal);
            return number.bitLength() < Long.SIZE ? (Object) number.longValue() : number;
        }

        private boolean digits() {
            int start = position;
            while (peek() >= '0' && peek() <= '9') {
                position++;
            }
            return position > start;
        }

        /** RFC 8259 §7: control characters must be escaped; only the listed escapes exist. */
        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                int c = peek();
                if (c < 0) {
                    throw error("unterminated string");
                }
                position++;
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error("unescaped control character in a string");
                }
                if (c != '\\') {
                    out.append((char) c);
                    continue;
                }
                int escape = peek();
                position++;
                switch (escape) {
                    case '"' -> out.append('"');
                    case '\\' -> out.append('\\');
                    case '/' -> out.append('/');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> out.append(hexChar());
                    default -> {
                        position--;
                        throw error("invalid escape");
                    }
                }
            }
        }

        private char hexChar() {
            if (position + 4 > text.length()) {
                throw error("truncated \\u escape");
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                char h = text.charAt(position + i);
                // Character.digit would also take non-ASCII digits such as U+FF10.
                int digit = h < 0x80 ? Character.digit(h, 16) : -1;
                if (digit < 0) {
                    throw error("invalid \\u escape");
                }
                value = value * 16 + digit;
            }
            position += 4;
            return (char) value;
        }
    }
}
