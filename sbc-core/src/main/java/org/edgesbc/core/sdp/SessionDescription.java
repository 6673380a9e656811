package org.edgesbc.core.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * An SDP body (RFC 8866) read tolerantly but within bounds: LF or CRLF line ends, blank lines and unknown line
 * types accepted and kept; size, line count and stream count capped before anything is built. The session-level
 * lines come first, then one {@link MediaSection} per m= line. Reading never throws: a {@link Parsed} carries the
 * status.
 *
 * @param sessionLines the lines before the first m= line
 * @param media the media descriptions, in order
 */
public record SessionDescription(List<SdpLine> sessionLines, List<MediaSection> media) {
    /** Longest body read, in characters; SIP's own message limit is the outer bound. */
    public static final int MAX_BYTES = 32 * 1024;
    /** Most lines read. */
    public static final int MAX_LINES = 512;
    /** Most m= lines; matches the relay's streams per call. */
    public static final int MAX_STREAMS = 16;
    /** Most ports an m= line may ask for (RFC 8866 §5.14 port count); the SBC anchors one pair per line. */
    private static final int MAX_PORT_COUNT = 16;

    /**
     * The result of {@link #parse}.
     *
     * @param status OK, or what is wrong
     * @param description the body when OK, null otherwise
     */
    public record Parsed(SdpStatus status, SessionDescription description) {
        static Parsed failed(SdpStatus status) {
            return new Parsed(status, null);
        }
    }

    /** Reads {@code text}; see the class comment for what is tolerated. */
    public static Parsed parse(String text) {
        if (text == null || text.length() > MAX_BYTES) {
            return Parsed.failed(SdpStatus.TOO_LARGE);
        }
        List<SdpLine> session = new ArrayList<>();
        List<MediaSection> media = new ArrayList<>();
        String[] m = null;
        List<SdpLine> current = session;
        int count = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            String raw = text.substring(start, end < 0 ? text.length() : end);
            start = next;
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isBlank()) {
                continue;
            }
            if (++count > MAX_LINES) {
                return Parsed.failed(SdpStatus.TOO_LARGE);
            }
            char type = line.charAt(0);
            if (line.length() < 2 || line.charAt(1) != '=' || type < 'a' || type > 'z') {
                return Parsed.failed(SdpStatus.MALFORMED);
            }
            String value = line.substring(2);
            if (count == 1 && !(type == 'v' && value.trim().equals("0"))) {
                return Parsed.failed(SdpStatus.MALFORMED);
            }
            if (type == 'm') {
                if (m != null) {
                    MediaSection section = section(m, current);
                    if (section == null) {
                        return Parsed.failed(SdpStatus.MALFORMED);
                    }
                    media.add(section);
                }
                if (media.size() == MAX_STREAMS) {
                    return Parsed.failed(SdpStatus.TOO_MANY_STREAMS);
                }
                m = value.trim().split(" +", 4);
                current = new ArrayList<>();
            } else {
                current.add(new SdpLine(type, value));
            }
        }
        if (m == null) {
            return count == 0 ? Parsed.failed(SdpStatus.MALFORMED) : Parsed.failed(SdpStatus.NO_MEDIA);
        }
        MediaSection last = section(m, current);
        if (last == null) {
            return Parsed.failed(SdpStatus.MALFORMED);
        }
        media.add(last);
        return new Parsed(SdpStatus.OK, new SessionDescription(List.copyOf(session), List.copyOf(media)));
    }

    /** {@code <media> <port>[/<count>] <proto> <fmt> ...}; null when the fields are not that. */
    private static MediaSection section(String[] m, List<SdpLine> lines) {
        if (m.length < 3) {
            return null;
        }
        String[] portAndCount = m[1].split("/", 2);
        int port = number(portAndCount[0], 65_535);
        int count = portAndCount.length == 2 ? number(portAndCount[1], MAX_PORT_COUNT) : 1;
        if (port < 0 || count < 1) {
            return null;
        }
        return new MediaSection(m[0], port, count, m[2], m.length == 4 ? m[3] : "", List.copyOf(lines));
    }

    /** A decimal of at most five digits no larger than {@code max}, or -1. */
    static int number(String text, int max) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    /** The first session-level line of {@code type}, or null. */
    public SdpLine sessionLine(char type) {
        for (SdpLine line : sessionLines) {
            if (line.type() == type) {
                return line;
            }
        }
        return null;
    }
}
