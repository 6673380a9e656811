package org.edgesbc.core.sdp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.edgesbc.media.MediaTransport;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;

/**
 * Rewrites one SDP offer or answer for one direction of a call so that the receiver sees only the SBC: a pure
 * function of the body and {@link SdpRewriteParams}, no state and no I/O.
 *
 * <ul>
 *   <li>c= lines (session and media level) carry the SBC's media address; 0.0.0.0 (or ::) is kept, so an
 *       RFC 2543-style hold reaches the receiver as a hold.</li>
 *   <li>m= lines carry the planned SBC port; port 0 (a rejected stream, RFC 3264 §6) stays 0; a port count is
 *       dropped (one pair per line). RTP/AVP(F) and RTP/SAVP(F) are switched to what is spoken with the receiver
 *       (RFC 3711 §8, RFC 4568): the SBC's own {@code a=crypto} is added, every {@code a=crypto} of the sender is
 *       removed (its keys are for the SBC, never for the other side).</li>
 *   <li>o= keeps the session id of the first body sent in this direction and moves the version only when the
 *       content changed (RFC 3264 §8); o= user name and s= are "-", so neither names the sender's software.</li>
 *   <li>a=rtcp names the SBC's RTCP port; a=rtcp-mux passes, since the relay multiplexes or not per leg as each
 *       side's own SDP says (RFC 5761), whatever the other side does.</li>
 *   <li>T.38 fax streams ({@code m=image <port> udptl t38}, ITU-T T.38 Annex D, RFC 3362) are anchored like audio,
 *       their T38 attributes kept, but they are not RTP: no RTCP, and no SRTP whatever the zones' policies, since
 *       SDES keys protect RTP only (T.38 over RTP, RFC 4612, is not anchored as fax). A stream may change between
 *       audio and image in a re-offer.</li>
 *   <li>ICE (RFC 8839) and DTLS-SRTP (RFC 5763) attributes and BUNDLE groups are removed: the SBC is the only
 *       candidate either side may use and it terminates neither ICE nor DTLS.</li>
 *   <li>Source-specific attributes ({@code a=ssrc}, {@code a=ssrc-group}, RFC 5576) are removed: their CNAME is
 *       often the sender's user@host, and they are only hints, since the relay passes SSRCs unchanged anyway.</li>
 *   <li>Everything else, codecs, telephone-event and direction attributes included, is kept as it was.</li>
 * </ul>
 */
public final class SdpRewriter {
    private static final Set<String> REMOVED_ATTRIBUTES = Set.of(
            "candidate", "ice-ufrag", "ice-pwd", "ice-options", "end-of-candidates", "remote-candidates", "ice-lite",
            "ice-mismatch", "ice-pacing", "fingerprint", "setup", "tls-id", "crypto", "ssrc", "ssrc-group");
    private static final int MAX_VERSION_DIGITS = 18;
    /** The m= line proto of T.38 fax over UDPTL (RFC 3362, ITU-T T.38 Annex D). */
    private static final String UDPTL = "udptl";

    private SdpRewriter() { }

    /**
     * Writes a body read by {@link SessionDescription#parse} for the receiver; a failed status carries no body.
     * Takes the parsed body so that the caller can first look at how many m= lines it has, to allocate a relay
     * stream for each before planning ports. Never throws for bad SDP.
     */
    public static SdpRewrite rewrite(SessionDescription body, SdpRewriteParams params) {
        if (params.streams().size() < body.media().size()) {
            return SdpRewrite.failed(SdpStatus.STREAMS_NOT_PLANNED);
        }
        SdpLine origin = body.sessionLine('o');
        String[] o = origin == null ? new String[0] : origin.value().trim().split(" +");
        if (o.length != 6 || !o[2].chars().allMatch(Character::isDigit)) {
            return SdpRewrite.failed(SdpStatus.MALFORMED);
        }
        Connection sessionConnection = null;
        MediaDirection sessionDirection = MediaDirection.SENDRECV;
        for (SdpLine line : body.sessionLines()) {
            if (line.type() == 'c') {
                sessionConnection = Connection.parse(line.value());
                if (sessionConnection.status != SdpStatus.OK) {
                    return SdpRewrite.failed(sessionConnection.status);
                }
            } else if (MediaDirection.ofAttribute(line.attributeName()) != null) {
                sessionDirection = MediaDirection.ofAttribute(line.attributeName());
            }
        }

        List<AnnouncedMedia> announced = new ArrayList<>(body.media().size());
        for (int i = 0; i < body.media().size(); i++) {
            MediaSection section = body.media().get(i);
            AnnouncedOrStatus read = announce(section, sessionConnection, sessionDirection, params, i);
            if (read.status != SdpStatus.OK) {
                return SdpRewrite.failed(read.status);
            }
            announced.add(read.media);
        }

        String address = params.mediaAddress();
        String addressType = address.indexOf(':') >= 0 ? "IP6" : "IP4";
        StringBuilder content = new StringBuilder(1_024);
        int originAt = -1;
        for (SdpLine line : body.sessionLines()) {
            switch (line.type()) {
                case 'o' -> originAt = originAt < 0 ? content.length() : originAt;
                case 's' -> content.append("s=-\r\n");
                case 'c' -> connection(content, line, addressType, address);
                default -> keep(content, line, params);
            }
        }
        for (int i = 0; i < body.media().size(); i++) {
            media(content, body.media().get(i), announced.get(i), params.streams().get(i), addressType, address,
                    params);
        }

        // The o= line is left out of the comparison: only what the receiver would act on counts as a change.
        String withoutOrigin = content.toString();
        SdpOrigin previous = params.previous();
        long version;
        String sessionId;
        if (previous == null) {
            sessionId = o[1];
            version = o[2].length() <= MAX_VERSION_DIGITS ? Long.parseLong(o[2]) : 1;
        } else {
            sessionId = previous.sessionId();
            version = withoutOrigin.equals(previous.content()) ? previous.version() : previous.version() + 1;
        }
        String originLine = "o=- " + sessionId + " " + version + " IN " + addressType + " " + address + "\r\n";
        String text = content.insert(originAt, originLine).toString();
        return new SdpRewrite(SdpStatus.OK, text, List.copyOf(announced),
                new SdpOrigin(sessionId, version, withoutOrigin));
    }

    /** Reads what the sender announces for one m= line and decides SRTP toward the receiver. */
    private static AnnouncedOrStatus announce(MediaSection section, Connection sessionConnection,
            MediaDirection sessionDirection, SdpRewriteParams params, int index) {
        Connection connection = sessionConnection;
        MediaDirection direction = sessionDirection;
        int rtcpPort = -1;
        InetAddress rtcpAddress = null;
        boolean rtcpMux = false;
        SdesCrypto senderKeys = null;
        MediaTransport transport = section.proto().equalsIgnoreCase(UDPTL) ? MediaTransport.UDPTL : MediaTransport.RTP;
        boolean rtpStream = transport == MediaTransport.RTP;
        for (SdpLine line : section.lines()) {
            String name = line.attributeName();
            if (line.type() == 'c') {
                connection = Connection.parse(line.value());
                if (connection.status != SdpStatus.OK) {
                    return new AnnouncedOrStatus(connection.status, null);
                }
            } else if (!line.isAttribute()) {
                continue;
            } else if (MediaDirection.ofAttribute(name) != null) {
                direction = MediaDirection.ofAttribute(name);
            } else if (name.equals("rtcp")) {
                // RFC 3605: a=rtcp:<port> [IN IP4 <address>]
                String[] fields = line.attributeValue().trim().split(" +");
                rtcpPort = SessionDescription.number(fields[0], 65_535);
                if (rtcpPort < 0) {
                    return new AnnouncedOrStatus(SdpStatus.MALFORMED, null);
                }
                if (fields.length == 4) {
                    Connection explicit = Connection.parse(fields[1] + " " + fields[2] + " " + fields[3]);
                    if (explicit.status != SdpStatus.OK) {
                        return new AnnouncedOrStatus(explicit.status, null);
                    }
                    rtcpAddress = explicit.address;
                }
            } else if (name.equals("rtcp-mux")) {
                rtcpMux = true;
            } else if (name.equals("crypto") && senderKeys == null && rtpStream
                    && params.senderPolicy() != SrtpPolicy.OFF) {
                senderKeys = SdesCrypto.parse(line.attributeValue());
            }
        }
        boolean rejected = section.rejected();
        if (!rejected && connection == null) {
            return new AnnouncedOrStatus(SdpStatus.NO_CONNECTION, null);
        }
        if (!rejected && rtpStream && senderKeys == null && params.senderPolicy() == SrtpPolicy.REQUIRED) {
            return new AnnouncedOrStatus(SdpStatus.SRTP_REQUIRED, null);
        }
        boolean zero = connection != null && connection.address.isAnyLocalAddress();
        InetSocketAddress rtp = rejected || zero ? null : new InetSocketAddress(connection.address, section.port());
        InetSocketAddress rtcp = rtp == null || !rtpStream ? null : rtcpMux ? rtp
                : new InetSocketAddress(rtcpAddress != null ? rtcpAddress : connection.address,
                        rtcpPort >= 0 ? rtcpPort : section.port() + 1);
        StreamPlan plan = params.streams().get(index);
        boolean srtpToward = !rejected && rtpStream && plan.sbcKeys() != null && switch (params.receiverPolicy()) {
            case REQUIRED -> true;
            case OFFERED -> !Boolean.FALSE.equals(plan.receiverSrtp());
            case OFF -> false;
        };
        return new AnnouncedOrStatus(SdpStatus.OK, new AnnouncedMedia(section.media(), transport, rtp, rtcp, rtcpMux,
                direction, rejected, zero, rejected ? null : senderKeys, srtpToward));
    }

    private static void media(StringBuilder out, MediaSection section, AnnouncedMedia announced, StreamPlan plan,
            String addressType, String address, SdpRewriteParams params) {
        out.append("m=").append(section.media()).append(' ')
                .append(section.rejected() ? 0 : plan.rtpPort()).append(' ')
                .append(profile(section.proto(), announced.srtpTowardReceiver()));
        if (!section.formats().isEmpty()) {
            out.append(' ').append(section.formats());
        }
        out.append("\r\n");
        for (SdpLine line : section.lines()) {
            if (line.type() == 'c') {
                connection(out, line, addressType, address);
            } else if (line.isAttribute() && line.attributeName().equals("rtcp")) {
                out.append("a=rtcp:").append(plan.rtpPort() + 1);
                if (line.attributeValue().trim().split(" +").length == 4) {
                    out.append(" IN ").append(addressType).append(' ').append(address);
                }
                out.append("\r\n");
            } else {
                keep(out, line, params);
            }
        }
        if (announced.srtpTowardReceiver()) {
            out.append("a=crypto:").append(plan.sbcKeys().format()).append("\r\n");
        }
    }

    /** Copies a line unless it is one the receiver must not see. */
    private static void keep(StringBuilder out, SdpLine line, SdpRewriteParams params) {
        if (line.isAttribute()) {
            String name = line.attributeName();
            if (REMOVED_ATTRIBUTES.contains(name) || (name.equals("group") && line.attributeValue().startsWith("BUNDLE"))
                    || name.equals("bundle-only")) {
                return;
            }
        }
        out.append(line).append("\r\n");
    }

    private static void connection(StringBuilder out, SdpLine line, String addressType, String address) {
        Connection connection = Connection.parse(line.value());
        boolean zero = connection.address != null && connection.address.isAnyLocalAddress();
        out.append("c=IN ");
        if (zero) {
            out.append(connection.address instanceof Inet6Address ? "IP6 ::" : "IP4 0.0.0.0");
        } else {
            out.append(addressType).append(' ').append(address);
        }
        out.append("\r\n");
    }

    /** Switches an RTP profile between plain and secure; DTLS-SRTP's UDP/TLS/RTP/SAVP(F) becomes SDES's. */
    private static String profile(String proto, boolean secure) {
        return switch (proto) {
            case "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVP" -> secure ? "RTP/SAVP" : "RTP/AVP";
            case "RTP/AVPF", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF" -> secure ? "RTP/SAVPF" : "RTP/AVPF";
            default -> proto;
        };
    }

    private record AnnouncedOrStatus(SdpStatus status, AnnouncedMedia media) { }

    /** A c= line: {@code IN IP4|IP6 <address>[/ttl[/count]]} (RFC 8866 §5.7), unicast literals only. */
    private record Connection(SdpStatus status, InetAddress address) {
        static Connection parse(String value) {
            String[] fields = value.trim().split(" +");
            if (fields.length != 3 || !fields[0].equals("IN")
                    || !(fields[1].equals("IP4") || fields[1].equals("IP6"))) {
                return new Connection(SdpStatus.MALFORMED, null);
            }
            String literal = fields[2].split("/", 2)[0];
            try {
                return new Connection(SdpStatus.OK, Cidr.address(literal));
            } catch (IllegalArgumentException e) {
                return new Connection(SdpStatus.NOT_IP_LITERAL, null);
            }
        }
    }
}
