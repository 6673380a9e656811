package org.edgesbc.transport.gate;

import org.edgesbc.transport.message.ByteScan;

/** Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
final class Utf8 {
    private Utf8() { }

    static boolean isValid(byte[] b, int from, int to) {
        // Headers are ASCII but for a display name or two: the ASCII runs are skipped eight bytes at a time, and each
        // turn of the loop starts at a byte with its high bit set.
        int i = from;
        while ((i = ByteScan.asciiEnd(b, i, to)) < to) {
            int c = b[i] & 0xff;
            int extra;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                extra = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                extra = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                extra = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + extra >= to) {
                return false;
            }
            int code = c & (0x3f >> extra);
            for (int k = 1; k <= extra; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    return false;
                }
                code = (code << 6) | (cc & 0x3f);
            }
            if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
                return false;
            }
            i += extra + 1;
        }
        return true;
    }
}
