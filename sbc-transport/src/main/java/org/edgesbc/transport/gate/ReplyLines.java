package org.edgesbc.transport.gate;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.message.ByteScan;

/**
 * The lines an answer written on the I/O thread echoes from the request it answers (RFC 3261 §8.2.6.2): the Via
 * lines, From, To, Call-ID and CSeq, in that order, as ranges of the received octets. Nothing is copied until an
 * answer is written ({@link #writeTo}), and a retransmission, which repeats these lines octet for octet, has the
 * same {@link #hash}: every new INVITE carries one, and most are never answered here nor hashed.
 *
 * <p>Reads the array it was given: valid while that array is not changed, which the gate's caller does not do
 * before it has answered or handed the message on.
 */
public final class ReplyLines {
    private static final byte[] TAG = ";tag=".getBytes(StandardCharsets.US_ASCII);
    private final byte[] message;
    /** Start and end (exclusive, before its CRLF) of each line. */
    private final int[] bounds;

    ReplyLines(byte[] message, int[] bounds) {
        this.message = message;
        this.bounds = bounds;
    }

    /** Lines given as text, each ending in CRLF, in the order above: an answer's lines decoded and re-encoded. */
    public static ReplyLines of(String lines) {
        byte[] octets = lines.getBytes(StandardCharsets.UTF_8);
        int count = 0;
        for (int end = ByteScan.crlf(octets, 0, octets.length); end >= 0;
                end = ByteScan.crlf(octets, end + 2, octets.length)) {
            count++;
        }
        int[] bounds = new int[2 * count];
        for (int line = 0, start = 0; line < count; line++) {
            int end = ByteScan.crlf(octets, start, octets.length);
            bounds[2 * line] = start;
            bounds[2 * line + 1] = end;
            start = end + 2;
        }
        return new ReplyLines(octets, bounds);
    }

    /** Whether the To line lacks a tag, so that a final response must add one (RFC 3261 §8.2.6.2). */
    public boolean toNeedsTag() {
        int to = toLine();
        return HeaderFacts.tagStart(message, bounds[2 * to], bounds[2 * to + 1]) < 0;
    }

    /** Octets {@link #writeTo} writes with {@code tag}: every line and its CRLF, and the tag when there is one. */
    public int length(byte[] tag) {
        int length = tag == null ? 0 : TAG.length + tag.length;
        for (int i = 0; i < bounds.length; i += 2) {
            length += bounds[i + 1] - bounds[i] + 2;
        }
        return length;
    }

    /**
     * Writes every line with its CRLF at {@code at}, with {@code ;tag=} and {@code tag} after the To line's value
     * unless {@code tag} is null (a caller adds one where {@link #toNeedsTag}); returns where the writing ended.
     */
    public int writeTo(byte[] out, int at, byte[] tag) {
        boolean addTag = tag != null;
        int to = toLine();
        for (int line = 0; line < bounds.length / 2; line++) {
            int start = bounds[2 * line];
            int length = bounds[2 * line + 1] - start;
            System.arraycopy(message, start, out, at, length);
            at += length;
            if (addTag && line == to) {
                System.arraycopy(TAG, 0, out, at, TAG.length);
                at += TAG.length;
                System.arraycopy(tag, 0, out, at, tag.length);
                at += tag.length;
            }
            out[at++] = '\r';
            out[at++] = '\n';
        }
        return at;
    }

    /** The {@link KeyHash} of the lines as {@link #text} writes them, from {@code seed}. */
    public long hash(long seed) {
        long hash = seed;
        for (int i = 0; i < bounds.length; i += 2) {
            for (int at = bounds[i]; at < bounds[i + 1]; at++) {
                hash = KeyHash.step(hash, message[at] & 0xff);
            }
            hash = KeyHash.step(KeyHash.step(hash, '\r'), '\n');
        }
        return KeyHash.finish(hash);
    }

    /** The lines as text, each ending in CRLF; invalid UTF-8 decoded as replacement characters. */
    public String text() {
        byte[] out = new byte[length(null)];
        writeTo(out, 0, null);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return text();
    }

    private int toLine() {
        return bounds.length / 2 - 3;
    }
}
