package org.edgesbc.transport.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Scans of a message's bytes eight at a time, for the gate and the reader. Both pass over every header byte of every
 * message, and a loop of a compare and a branch per byte was the largest single cost of each (async-profiler on
 * {@code bench/jmh-parse.sh}; docs/performance.md). A byte is found in a word with {@link #zeroBytes}: XOR the word
 * with the byte repeated eight times and the byte's positions become zero.
 */
public final class ByteScan {
    /** Eight bytes of a message as one long, first byte lowest, at any offset. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LF_BYTES = repeated('\n');

    private ByteScan() { }

    /** The byte {@code b} in each of the eight bytes of a long, for XOR against a {@link #word}. */
    public static long repeated(char b) {
        return ONES * (b & 0xff);
    }

    /** The eight bytes at {@code i}, the first one lowest; {@code i + 8} must not pass the array's end. */
    public static long word(byte[] m, int i) {
        return (long) LONGS.get(m, i);
    }

    /**
     * The high bit of each byte of {@code x} that is zero, exactly up to the lowest such byte (bytes above it may be
     * marked when they are not zero: a borrow runs up). Only the lowest mark is meant to be read, which
     * {@link #firstMarked} does; the marks of several searches may be ORed first, to find the first byte of any.
     */
    public static long zeroBytes(long x) {
        return (x - ONES) & ~x & HIGH_BITS;
    }

    /** The offset, 0 to 7, of the lowest byte a non-zero {@link #zeroBytes} result marks. */
    public static int firstMarked(long marks) {
        return Long.numberOfTrailingZeros(marks) >>> 3;
    }

    /** The index of the CR of the first CR LF in [from, to), or -1; a lone CR or LF is passed over. */
    public static int crlf(byte[] m, int from, int to) {
        int i = from;
        while (i + Long.BYTES <= to) {
            long lfs = zeroBytes(word(m, i) ^ LF_BYTES);
            if (lfs == 0) {
                i += Long.BYTES;
                continue;
            }
            int lf = i + firstMarked(lfs);
            if (lf > from && m[lf - 1] == '\r') {
                return lf - 1;
            }
            i = lf + 1;
        }
        for (; i < to; i++) {
            if (m[i] == '\n' && i > from && m[i - 1] == '\r') {
                return i - 1;
            }
        }
        return -1;
    }

    /** The index of the first byte in [from, to) with its high bit set (not US-ASCII), or {@code to}. */
    public static int asciiEnd(byte[] m, int from, int to) {
        int i = from;
        while (i + Long.BYTES <= to) {
            long high = word(m, i) & HIGH_BITS;
            if (high != 0) {
                return i + firstMarked(high);
            }
            i += Long.BYTES;
        }
        while (i < to && m[i] >= 0) {
            i++;
        }
        return i;
    }
}
