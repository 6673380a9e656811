package org.edgesbc.core.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.edgesbc.policy.Cidr;

/**
 * An SDP body (RFC 8866) read line by line, enough to anchor media: the session- and media-level connection
 * addresses, each m= line's port, a=rtcp, the direction attributes and the ICE attributes. {@link #rewrite} puts the
 * SBC's address and ports in, and removes ICE (the SBC is the only candidate either side may use). Every other
 * line, codecs and telephone-event included, is kept as it was.
 */
public final class SdpBody {
    /** More m= lines than this is not a call the SBC anchors; the offer is refused. */
    public static final int MAX_STREAMS = 16;
    private static final Set<String> ICE_ATTRIBUTES = Set.of("candidate", "ice-ufrag", "ice-pwd", "ice-options",
            "end-of-candidates", "remote-candidates", "ice-lite", "ice-mismatch", "ice-pacing");

    /** Where one m= line's peer receives media, as announced. */
    public record Announced(InetSocketAddress rtp, InetSocketAddress rtcp, boolean hold, boolean rejected,
            List<String> cryptos) { }

    private final List<String> lines;
    private final List<Announced> streams;

    private SdpBody(List<String> lines, List<Announced> streams) {
        this.lines = lines;
        this.streams = streams;
    }

    /**
     * @throws IllegalArgumentException when the body is not usable SDP (no m= line with a valid port, addresses
     *     that are not IP literals, more than {@link #MAX_STREAMS} streams)
     */
    public static SdpBody parse(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\r?\n")));
        String sessionAddress = null;
        String sessionDirection = null;
        List<Announced> streams = new ArrayList<>();
        int i = 0;
        while (i < lines.size() && !lines.get(i).startsWith("m=")) {
            String line = lines.get(i);
            if (line.startsWith("c=")) {
                sessionAddress = connectionAddress(line);
            } else if (isDirection(line)) {
                sessionDirection = line.substring(2);
            }
            i++;
        }
        while (i < lines.size()) {
            String[] m = lines.get(i).substring(2).split(" ");
            if (m.length < 3) {
                throw new IllegalArgumentException("malformed m= line");
            }
            int port = parsePort(m[1].split("/")[0]);
            String address = sessionAddress;
            String direction = sessionDirection;
            int rtcpPort = -1;
            List<String> cryptos = new ArrayList<>();
            i++;
            while (i < lines.size() && !lines.get(i).startsWith("m=")) {
                String line = lines.get(i);
                if (line.startsWith("c=")) {
                    address = connectionAddress(line);
                } else if (isDirection(line)) {
                    direction = line.substring(2);
                } else if (line.startsWith("a=rtcp:")) {
                    rtcpPort = parsePort(line.substring(7).split(" ")[0]);
                } else if (line.startsWith("a=crypto:")) {
                    cryptos.add(line.substring(9));
                }
                i++;
            }
            if (address == null) {
                throw new IllegalArgumentException("a media line without a connection address");
            }
            boolean zeroAddress = address.equals("0.0.0.0") || address.equals("::");
            boolean hold = zeroAddress || "sendonly".equals(direction) || "inactive".equals(direction);
            InetAddress ip = literal(address);
            streams.add(new Announced(zeroAddress || port == 0 ? null : new InetSocketAddress(ip, port),
                    zeroAddress || port == 0 ? null : new InetSocketAddress(ip, rtcpPort > 0 ? rtcpPort : port + 1),
                    hold, port == 0, List.copyOf(cryptos)));
            if (streams.size() > MAX_STREAMS) {
                throw new IllegalArgumentException("more than " + MAX_STREAMS + " media streams");
            }
        }
        if (streams.isEmpty()) {
            throw new IllegalArgumentException("no m= line");
        }
        return new SdpBody(lines, List.copyOf(streams));
    }

    public List<Announced> streams() {
        return streams;
    }

    /** True when every stream is held or rejected. */
    public boolean onHold() {
        return streams.stream().allMatch(s -> s.hold() || s.rejected());
    }

    /**
     * The body with the SBC's {@code address} in o= and c= lines and {@code ports[i]} in the i-th m= line (RTCP on
     * the port above), ICE attributes removed. Rejected streams keep port 0 and held ones keep 0.0.0.0. Every
     * {@code a=crypto} line is replaced: stream i carries {@code crypto[i]} (an attribute value) with an SRTP profile
     * (RTP/SAVP, RTP/SAVPF), or no key and the plain profile when {@code crypto[i]} is null.
     */
    public String rewrite(String address, int[] ports, String[] crypto) {
        String addressType = address.contains(":") ? "IP6" : "IP4";
        StringBuilder out = new StringBuilder(512);
        int stream = -1;
        for (String line : lines) {
            if (line.startsWith("m=")) {
                stream++;
                String[] m = line.substring(2).split(" ", 3);
                String[] portAndCount = m[1].split("/", 2);
                String port = streams.get(stream).rejected() ? "0" : Integer.toString(ports[stream]);
                out.append("m=").append(m[0]).append(' ').append(port)
                        .append(portAndCount.length > 1 ? "/" + portAndCount[1] : "").append(' ')
                        .append(profile(m[2], crypto[stream] != null));
                if (crypto[stream] != null && !streams.get(stream).rejected()) {
                    out.append("\r\na=crypto:").append(crypto[stream]);
                }
            } else if (line.startsWith("o=")) {
                String[] o = line.substring(2).split(" ");
                if (o.length == 6) {
                    out.append("o=").append(o[0]).append(' ').append(o[1]).append(' ').append(o[2])
                            .append(" IN ").append(addressType).append(' ').append(address);
                } else {
                    out.append(line);
                }
            } else if (line.startsWith("c=")) {
                String current = connectionAddress(line);
                boolean zero = current.equals("0.0.0.0") || current.equals("::");
                out.append("c=IN ").append(addressType).append(' ').append(zero ? current : address);
            } else if (line.startsWith("a=rtcp:") && stream >= 0) {
                out.append("a=rtcp:").append(ports[stream] + 1);
            } else if (line.startsWith("a=") && (ICE_ATTRIBUTES.contains(attributeName(line))
                    || line.startsWith("a=crypto:"))) {
                continue;
            } else if (line.isEmpty()) {
                continue;
            } else {
                out.append(line);
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    /** Switches the RTP profile of an m= line's proto and format list between plain and secure (RFC 3711 §8). */
    private static String profile(String protoAndFormats, boolean secure) {
        int space = protoAndFormats.indexOf(' ');
        String proto = space < 0 ? protoAndFormats : protoAndFormats.substring(0, space);
        String rest = space < 0 ? "" : protoAndFormats.substring(space);
        String switched = switch (proto) {
            case "RTP/AVP", "RTP/SAVP" -> secure ? "RTP/SAVP" : "RTP/AVP";
            case "RTP/AVPF", "RTP/SAVPF" -> secure ? "RTP/SAVPF" : "RTP/AVPF";
            default -> proto;
        };
        return switched + rest;
    }

    private static String attributeName(String line) {
        int colon = line.indexOf(':');
        return (colon < 0 ? line.substring(2) : line.substring(2, colon)).toLowerCase(Locale.ROOT);
    }

    private static boolean isDirection(String line) {
        return line.equals("a=sendrecv") || line.equals("a=sendonly") || line.equals("a=recvonly")
                || line.equals("a=inactive");
    }

    private static String connectionAddress(String line) {
        String[] c = line.substring(2).trim().split(" ");
        if (c.length < 3 || !c[0].equals("IN")) {
            throw new IllegalArgumentException("malformed c= line");
        }
        return c[2].split("/")[0];
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " out of range");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + text + "' is not a number", e);
        }
    }

    private static InetAddress literal(String address) {
        try {
            return Cidr.address(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connection address '" + address + "' is not an IP literal", e);
        }
    }
}
