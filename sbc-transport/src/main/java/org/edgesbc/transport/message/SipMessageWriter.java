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
    /** Headers a writer edits at most at once: the relay's topology hiding is the largest user. */
    private static final int MAX_EDITS = 24;

    private final SipMessageView view;
    private String startLine;
    private final SipHeaderName[] names = new SipHeaderName[MAX_EDITS];
    /** Per edit: the complete lines that replace every header of that name, or null to remove them. */
    private final String[] lines = new String[MAX_EDITS];
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
        return lines(name, name.canonical() + ": " + value + "\r\n");
    }

    /**
     * Replaces every header of this name with the given complete lines (each ending in CRLF), where the first of
     * them stood, or at the top when the message has none (Vias go first).
     */
    public SipMessageWriter lines(SipHeaderName name, String completeLines) {
        for (int i = 0; i < edits; i++) {
            if (names[i] == name) {
                lines[i] = completeLines;
                return this;
            }
        }
        if (edits == MAX_EDITS) {
            throw new IllegalStateException("more than " + MAX_EDITS + " header edits");
        }
        names[edits] = name;
        lines[edits] = completeLines;
        edits++;
        return this;
    }

    /** Leaves out every header of these names. */
    public SipMessageWriter remove(SipHeaderName... removed) {
        for (SipHeaderName name : removed) {
            lines(name, null);
        }
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

    public byte[] toBytes() {
        byte[] m = view.bytes();
        byte[] outBody = body != null ? body : null;
        int bodyLength = outBody != null ? outBody.length : view.bodyLength();
        Output out = new Output(m.length + 256 + (outBody != null ? outBody.length : 0));
        if (startLine != null) {
            out.ascii(startLine).crlf();
        } else {
            out.bytes(m, view.startLineStart(), view.startLineEnd() + 2);
        }
        boolean[] written = new boolean[edits];
        // Edits of headers the message lacks go first: Vias, which lead by convention, and anything else new.
        for (int e = 0; e < edits; e++) {
            if (lines[e] != null && view.find(names[e], 0) < 0) {
                out.ascii(lines[e]);
                written[e] = true;
            }
        }
        for (int h = 0; h < view.headerCount(); h++) {
            if (view.isHeader(h, SipHeaderName.CONTENT_LENGTH)) {
                continue;
            }
            int edit = editOf(h);
            if (edit < 0) {
                out.bytes(m, view.lineStart(h), view.lineEnd(h) + 2);
            } else if (!written[edit]) {
                written[edit] = true;
                if (lines[edit] != null) {
                    out.ascii(lines[edit]);
                }
            }
        }
        if (appended != null) {
            out.ascii(appended);
        }
        out.ascii("Content-Length: ").ascii(Integer.toString(bodyLength)).crlf().crlf();
        if (outBody != null) {
            out.bytes(outBody, 0, outBody.length);
        } else {
            out.bytes(m, m.length - view.bodyLength(), m.length);
        }
        return out.toArray();
    }

    private int editOf(int header) {
        for (int e = 0; e < edits; e++) {
            if (view.isHeader(header, names[e])) {
                return e;
            }
        }
        return -1;
    }

    /** A growable byte buffer that writes ASCII/UTF-8 text without intermediate arrays. */
    private static final class Output {
        private byte[] buffer;
        private int size;

        Output(int capacity) {
            buffer = new byte[capacity];
        }

        Output bytes(byte[] source, int from, int to) {
            ensure(to - from);
            System.arraycopy(source, from, buffer, size, to - from);
            size += to - from;
            return this;
        }

        Output ascii(CharSequence text) {
            ensure(text.length() * 3);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x80) {
                    buffer[size++] = (byte) c;
                } else {
                    byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                    if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                        encoded = text.subSequence(i, i + 2).toString().getBytes(StandardCharsets.UTF_8);
                        i++;
                    }
                    System.arraycopy(encoded, 0, buffer, size, encoded.length);
                    size += encoded.length;
                }
            }
            return this;
        }

        Output crlf() {
            ensure(2);
            buffer[size++] = '\r';
            buffer[size++] = '\n';
            return this;
        }

        byte[] toArray() {
            return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }
}
