package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.edgesbc.core.sdp.AnnouncedMedia;
import org.edgesbc.core.sdp.SdpRewrite;
import org.edgesbc.core.sdp.SdpRewriteParams;
import org.edgesbc.core.sdp.SdpRewriter;
import org.edgesbc.core.sdp.SdpStatus;
import org.edgesbc.core.sdp.SessionDescription;
import org.edgesbc.core.sdp.StreamPlan;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.MediaSession;
import org.edgesbc.media.MediaSide;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.media.MediaStream;
import org.edgesbc.media.MediaTransport;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.media.srtp.SrtpSuite;

/**
 * Puts the SBC into the media path of a relayed dialog: every SDP body crossing it (offers and answers in INVITE,
 * 18x, 2xx, ACK, re-INVITE, UPDATE, PRACK) tells the relay where the sending side receives and is rewritten by
 * {@link SdpRewriter} to the SBC's address and the ports facing the receiving side. A dialog's streams are allocated
 * on first sight and kept across re-offers, and the o= line toward each side keeps one session id with versions
 * that move only when the content does (RFC 3264 §8), whichever device of a forked call answered. Used only by the
 * dialog's relay shard.
 */
final class SdpMediaAnchor implements MediaAnchor {

    private final MediaRelay relay;
    private final Map<String, SrtpPolicy> policies;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param policies SRTP policy per zone name; zones not named are plain RTP
     */
    SdpMediaAnchor(MediaRelay relay, Map<String, SrtpPolicy> policies) {
        this.relay = relay;
        this.policies = Map.copyOf(policies);
    }

    @Override
    public Anchored anchor(RelayDialog dialog, MediaSide from, SipMessageView message, InetAddress signalling,
            Consumer<RelayDialog> onTimeout) {
        if (!isSdp(message)) {
            return Anchored.NO_SDP;
        }
        SessionDescription.Parsed parsed = SessionDescription.parse(new String(message.body(), StandardCharsets.UTF_8));
        if (parsed.status() != SdpStatus.OK) {
            return Anchored.BAD_SDP;
        }
        if (dialog.media == null) {
            dialog.media = relay.open(session -> onTimeout.accept(dialog));
        }
        MediaSession session = dialog.media;
        int count = parsed.description().media().size();
        while (session.streams().size() < count) {
            if (session.addStream() == null) {
                return Anchored.NO_PORTS;
            }
        }
        MediaSide to = from.other();
        SrtpPolicy toPolicy = policyOf(dialog, to);
        List<StreamPlan> plans = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MediaStream stream = session.streams().get(i);
            // The SBC's keys toward a side are made once per stream; the rewriter announces them when its policy
            // and the side's own last SDP call for SRTP.
            SdesCrypto sbcKeys = toPolicy == SrtpPolicy.OFF ? null : stream.announcedKeys(to,
                    () -> new SdesCrypto(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(random)));
            plans.add(new StreamPlan(stream.localPort(to), sbcKeys, stream.peerSrtp(to)));
        }
        SdpRewrite rewrite = SdpRewriter.rewrite(parsed.description(), new SdpRewriteParams(
                relay.advertisedAddress(), plans, policyOf(dialog, from), toPolicy, dialog.sdpSent[to.ordinal()]));
        if (!rewrite.ok()) {
            return Anchored.BAD_SDP;
        }
        for (int i = 0; i < count; i++) {
            MediaStream stream = session.streams().get(i);
            AnnouncedMedia announced = rewrite.announced().get(i);
            if (!announced.rejected() && announced.transport() == MediaTransport.RTP) {
                // SDES: each side announces the keys it sends with (RFC 4568 §6.1). What the sender said decides
                // whether the SBC talks SRTP with it, with the keys the SBC announces (or will announce) to it. A
                // fax (UDPTL) stream has no keys and leaves this alone, so that audio after the fax is protected as
                // it was before.
                SdesCrypto peerKeys = announced.senderKeys();
                stream.peerSrtp(from, peerKeys != null);
                stream.setSrtp(from, peerKeys, peerKeys == null ? null
                        : stream.announcedKeys(from, () -> new SdesCrypto(peerKeys.tag(), peerKeys.suite(),
                                SrtpKeys.random(random))));
            }
            if (announced.rtp() != null) {
                stream.setRemote(from, announced.rtp(), announced.rtcp(), announced.rtcpMux(), signalling,
                        announced.transport());
            }
        }
        dialog.sdpSent[to.ordinal()] = rewrite.origin();
        session.setOnHold(rewrite.hold());
        return new Anchored(Outcome.REWRITTEN, rewrite.sdp().getBytes(StandardCharsets.UTF_8));
    }

    private SrtpPolicy policyOf(RelayDialog dialog, MediaSide side) {
        return policies.getOrDefault(side == MediaSide.A ? dialog.a.zone : dialog.b.zone, SrtpPolicy.OFF);
    }

    @Override
    public void close(RelayDialog dialog) {
        if (dialog.media != null) {
            dialog.media.close();
        }
    }

    /** Content-Type {@code application/sdp} (media types compare case-insensitively, RFC 2045 §5.1), with a body. */
    static boolean isSdp(SipMessageView message) {
        String type = message.header(SipHeaderName.CONTENT_TYPE);
        if (type == null || message.bodyLength() == 0) {
            return false;
        }
        int end = type.indexOf(';');
        String mediaType = (end < 0 ? type : type.substring(0, end)).trim();
        return mediaType.equalsIgnoreCase("application/sdp");
    }
}
