package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eight-at-a-time scans against the byte-by-byte loops they replace, on every range of many small arrays. */
class ByteScanTest {
    /** Bytes the scans look for, their neighbours in value, and ordinary text; few kinds, so that runs form. */
    private static final byte[] ALPHABET = {'\r', '\n', 'a', ':', 0, (byte) 0x80, (byte) 0xc3, 0x0b, 0x0e, 0x7f};

    private static byte[][] arrays() {
        Random random = new Random(4475);
        byte[][] arrays = new byte[400][];
        for (int a = 0; a < arrays.length; a++) {
            arrays[a] = new byte[a % 40];
            for (int i = 0; i < arrays[a].length; i++) {
                // Mostly ordinary text, as headers are, with the searched bytes here and there.
                arrays[a][i] = random.nextInt(3) == 0 ? ALPHABET[random.nextInt(ALPHABET.length)] : (byte) 'x';
            }
        }
        return arrays;
    }

    private static int crlfByteByByte(byte[] m, int from, int to) {
        for (int i = from; i < to - 1; i++) {
            if (m[i] == '\r' && m[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int asciiEndByteByByte(byte[] m, int from, int to) {
        int i = from;
        while (i < to && m[i] >= 0) {
            i++;
        }
        return i;
    }

    /** A scan of [from, to) of an array. */
    private interface RangeScan {
        int scan(byte[] m, int from, int to);
    }

    private static void assertSameInEveryRange(RangeScan scan, RangeScan byteByByte) {
        for (byte[] m : arrays()) {
            for (int from = 0; from <= m.length; from++) {
                for (int to = from; to <= m.length; to++) {
                    assertThat(scan.scan(m, from, to)).as("[%d, %d) of %d bytes", from, to, m.length)
                            .isEqualTo(byteByByte.scan(m, from, to));
                }
            }
        }
    }

    @Test
    void eachScanFindsWhatAByteByByteLoopFindsInEveryRange() {
        assertSameInEveryRange(ByteScan::crlf, ByteScanTest::crlfByteByByte);
        assertSameInEveryRange(ByteScan::asciiEnd, ByteScanTest::asciiEndByteByByte);
    }

    @Test
    void crlfPassesOverALoneCrOrLfAndACrLfStraddlingTheRangesStart() {
        byte[] m = "ab\ncd\ref\r\ngh".getBytes();
        assertThat(ByteScan.crlf(m, 0, m.length)).isEqualTo(8);
        assertThat(ByteScan.crlf(m, 9, m.length)).as("the LF is in range, its CR is not").isEqualTo(-1);
        assertThat(ByteScan.crlf(m, 0, 9)).as("the CR is in range, its LF is not").isEqualTo(-1);
    }

    @Test
    void aMarkedByteIsTheFirstOfAnySearchedFor() {
        byte[] m = "abc:d\"ef".getBytes();
        long x = ByteScan.word(m, 0);
        long marks = ByteScan.zeroBytes(x ^ ByteScan.repeated('"')) | ByteScan.zeroBytes(x ^ ByteScan.repeated(':'));
        assertThat(ByteScan.firstMarked(marks)).isEqualTo(3);
        assertThat(ByteScan.zeroBytes(x ^ ByteScan.repeated('z'))).isZero();
    }
}
