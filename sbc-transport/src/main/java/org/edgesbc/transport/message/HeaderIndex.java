package org.edgesbc.transport.message;

import java.util.Arrays;

/**
 * Where each header line of a message lies, as one pass over the message found it: the gate's, which a
 * {@link SipMessageView} then reads instead of finding the lines again, or the view's own for a message that did not
 * come through the gate. Per header: name start, name end, value start, value end (blanks around the name and the
 * value left out); and where the body starts.
 *
 * <p>Filled by one thread, then handed on with the message and only read.
 */
public final class HeaderIndex {
    /** Headers of a typical message; the array grows past it. */
    private static final int INITIAL_HEADERS = 16;

    private int[] bounds = new int[INITIAL_HEADERS * 4];
    private int count;
    private int bodyStart = -1;

    /** Adds the next header line. */
    public void add(int nameStart, int nameEnd, int valueStart, int valueEnd) {
        if (count * 4 == bounds.length) {
            bounds = Arrays.copyOf(bounds, bounds.length * 2);
        }
        int at = count * 4;
        bounds[at] = nameStart;
        bounds[at + 1] = nameEnd;
        bounds[at + 2] = valueStart;
        bounds[at + 3] = valueEnd;
        count++;
    }

    /** Ends the header section: the body starts at {@code start}, after the blank line. */
    public void bodyStarts(int start) {
        this.bodyStart = start;
    }

    int count() {
        return count;
    }

    /** Four entries per header, {@link #count} headers; the array may be longer. */
    int[] bounds() {
        return bounds;
    }

    /** Where the body starts, or -1 while the blank line has not been found. */
    int bodyStart() {
        return bodyStart;
    }
}
