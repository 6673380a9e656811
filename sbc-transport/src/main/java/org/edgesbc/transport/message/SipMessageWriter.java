package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a message out of a {@link SipMessageView} by splicing: every header line nobody edits is copied byte for
 * byte, edited ones are written in their place, removed ones are left out, and Content-Length always states the
 * body that goes out. Nothing is parsed again and nothing is re-encoded.
 *
 * <p>Edits are remembered in order and applied by {@link #toBytes}; a name edited twice keeps the last edit. One
 * writer per outgoing message, on the thread that owns the view.
 */
public final class SipMessageWriter {
    /**
     * Headers a writer edits at most at once: the relay's topology hiding is the largest user. At most 64: the
     * edits written are kept as bits of a long.
     */
    private static final int MAX_EDITS = 24;
    /** Most messages the relay writes edit a handful of headers; the arrays grow for more. */
    private static final int FIRST_EDITS = 8;
    /** In {@link #toBytes}' pass: a header no edit names. */
    private static final int NO_EDIT = -1;
    /** In {@link #toBytes}' pass: the Content-Length line, always written anew at the end. */
    private static final int CONTENT_LENGTH_LINE = -2;

    private static final byte[] CONTENT_LENGTH_PREFIX = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COLON_SPACE = ": ".getBytes(StandardCharsets.US_ASCII);

    private static final ThreadLocal<Output> SCRATCH = ThreadLocal.withInitial(Output::new);

    private final SipMessageView view;
    private String startLine;
    private SipHeaderName[] names = new SipHeaderName[FIRST_EDITS];
    /**
     * Per edit: what replaces every header of that name, a value ({@link #set}) or complete lines ({@link #lines}),
     * or null to remove them.
     */
    private String[] texts = new String[FIRST_EDITS];
    /** Bit {@code e} set when edit {@code e} is a value, written as {@code Name: value} when the message goes out. */
    private long values;
    private int edits;
    private StringBuilder appended;
    private byte[] body;

    private SipMessageWriter(SipMessageView view) {
        this.view = view;
    }

    public static SipMessageWriter edit(SipMessageView view) {
        return new SipMessageWriter(view);
    }

    /** Replaces the request line (RFC 3261 §7.1). */
    public SipMessageWriter requestLine(String method, String requestUri) {
        startLine = method + ' ' + requestUri + " SIP/2.0";
        return this;
    }

    /** Replaces every header of this name with one line {@code Name: value}, where the first of them stood. */
    public SipMessageWriter set(SipHeaderName name, String value) {
        return edit(name, value, true);
    }

    /**
     * Replaces every header of this name with the given complete lines (each ending in CRLF), where the first of
     * them stood, or at the top when the message has none (Vias go first).
     */
    public SipMessageWriter lines(SipHeaderName name, String completeLines) {
        return edit(name, completeLines, false);
    }

    /** Leaves out every header of these names. */
    public SipMessageWriter remove(SipHeaderName... removed) {
        for (SipHeaderName name : removed) {
            edit(name, null, false);
        }
        return this;
    }

    /** Makes {@code text} the edit of {@code name}, replacing an earlier edit of the name. */
    private SipMessageWriter edit(SipHeaderName name, String text, boolean value) {
        int e = 0;
        while (e < edits && names[e] != name) {
            e++;
        }
        if (e == edits) {
            if (edits == MAX_EDITS) {
                throw new IllegalStateException("more than " + MAX_EDITS + " header edits");
            }
            if (edits == names.length) {
                names = Arrays.copyOf(names, Math.min(MAX_EDITS, 2 * edits));
                texts = Arrays.copyOf(texts, names.length);
            }
            names[edits++] = name;
        }
        texts[e] = text;
        values = value ? values | 1L << e : values & ~(1L << e);
        return this;
    }

    /** Adds a header line after the others. */
    public SipMessageWriter add(String name, String value) {
        if (appended == null) {
            appended = new StringBuilder(64);
        }
        appended.append(name).append(": ").append(value).append("\r\n");
        return this;
    }

    /** Replaces the body; an empty array sends none. */
    public SipMessageWriter body(byte[] newBody) {
        this.body = newBody;
        return this;
    }

    /** The message with the edits applied. */
    public byte[] toBytes() {
        Output out = SCRATCH.get().reset();
        byte[] m = view.bytes();
        int headers = view.headerCount();
        // One pass tells each header's edit, and which edits name a header the message has: a search over the
        // headers per edit was most of the writer's own time.
        int[] editOfHeader = out.editsOfHeaders(headers);
        long present = 0;
        for (int h = 0; h < headers; h++) {
            int first = NO_EDIT;
            for (int e = 0; e < edits; e++) {
                if (view.isHeader(h, names[e])) {
                    present |= 1L << e;
                    first = first == NO_EDIT ? e : first;
                }
            }
            editOfHeader[h] = view.isHeader(h, SipHeaderName.CONTENT_LENGTH) ? CONTENT_LENGTH_LINE : first;
        }
        if (startLine != null) {
            out.text(startLine).crlf();
        } else {
            out.bytes(m, view.startLineStart(), view.startLineEnd() + 2);
        }
        long written = 0;
        // Edits of headers the message lacks go first: Vias, which lead by convention, and anything else new.
        for (int e = 0; e < edits; e++) {
            if (texts[e] != null && (present & 1L << e) == 0) {
                write(out, e);
                written |= 1L << e;
            }
        }
        for (int h = 0; h < headers; h++) {
            int edit = editOfHeader[h];
            if (edit == CONTENT_LENGTH_LINE) {
                continue;
            }
            if (edit == NO_EDIT) {
                out.bytes(m, view.lineStart(h), view.lineEnd(h) + 2);
            } else if ((written & 1L << edit) == 0) {
                written |= 1L << edit;
                if (texts[edit] != null) {
                    write(out, edit);
                }
            }
        }
        if (appended != null) {
            out.text(appended.toString());
        }
        int bodyLength = body != null ? body.length : view.bodyLength();
        out.bytes(CONTENT_LENGTH_PREFIX).decimal(bodyLength).crlf().crlf();
        if (body != null) {
            out.bytes(body);
        } else {
            out.bytes(m, m.length - view.bodyLength(), m.length);
        }
        return out.toArray();
    }

    private void write(Output out, int edit) {
        if ((values & 1L << edit) != 0) {
            out.bytes(names[edit].canonicalBytes()).bytes(COLON_SPACE).text(texts[edit]).crlf();
        } else {
            out.text(texts[edit]);
        }
    }

    /**
     * A thread's buffer for the messages it writes, kept from one message to the next so that a message costs one
     * array of its own length and not also a guessed, larger one. Text goes out as UTF-8, as {@link String#getBytes}
     * writes it.
     */
    private static final class Output {
        /** What a thread keeps between messages; a larger message's buffer is let go after it. */
        private static final int KEPT = 8_192;
        /** The headers a thread keeps room for between messages. */
        private static final int KEPT_HEADERS = 256;

        private byte[] buffer = new byte[KEPT];
        private int size;
        /** Per header of the message being written, the edit naming it (see {@link #toBytes}). */
        private int[] editsOfHeaders = new int[64];

        Output reset() {
            if (buffer.length > KEPT) {
                buffer = new byte[KEPT];
            }
            size = 0;
            return this;
        }

        Output bytes(byte[] source) {
            return bytes(source, 0, source.length);
        }

        Output bytes(byte[] source, int from, int to) {
            ensure(to - from);
            System.arraycopy(source, from, buffer, size, to - from);
            size += to - from;
            return this;
        }

        /**
         * Text as UTF-8. The JDK copies an all-ASCII string's own bytes (one vectorized check, one array copy), where
         * reading it a character at a time was the writer's largest cost (docs/performance.md); an array per value.
         */
        Output text(String text) {
            return bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        /** A length in decimal digits, written in place: a string per message for its Content-Length was garbage. */
        Output decimal(int value) {
            int digits = 1;
            for (int rest = value / 10; rest > 0; rest /= 10) {
                digits++;
            }
            ensure(digits);
            int rest = value;
            for (int i = size + digits - 1; i >= size; i--) {
                buffer[i] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
            size += digits;
            return this;
        }

        Output crlf() {
            ensure(2);
            buffer[size++] = '\r';
            buffer[size++] = '\n';
            return this;
        }

        /** Room for {@code headers} entries, kept for the thread's next message unless a hostile one grew it. */
        int[] editsOfHeaders(int headers) {
            if (editsOfHeaders.length < headers || editsOfHeaders.length > KEPT_HEADERS) {
                editsOfHeaders = new int[Math.max(64, headers)];
            }
            return editsOfHeaders;
        }

        byte[] toArray() {
            return Arrays.copyOf(buffer, size);
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }
}
