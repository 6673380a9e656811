package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.ContentType;
import gov.nist.javax.sip.message.SIPMessage;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.edgesbc.core.media.SdpBody;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.MediaSession;
import org.edgesbc.media.MediaSide;
import org.edgesbc.media.MediaStream;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.media.srtp.SrtpSuite;

/**
 * Puts the SBC into the media path of a relayed dialog: every SDP body crossing it (offers and answers in INVITE,
 * 18x, 2xx, ACK, re-INVITE, UPDATE, PRACK) tells the relay where the sending side receives and is rewritten to the
 * SBC's address and the ports facing the receiving side. A dialog's streams are allocated on first sight and kept
 * across re-offers. Used only by the dialog's relay shard.
 */
final class MediaAnchor {
    enum Outcome { NO_SDP, REWRITTEN, BAD_SDP, NO_PORTS }

    private final MediaRelay relay;
    private final Map<String, SrtpPolicy> policies;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param policies SRTP policy per zone name; zones not named are plain RTP
     */
    MediaAnchor(MediaRelay relay, Map<String, SrtpPolicy> policies) {
        this.relay = relay;
        this.policies = Map.copyOf(policies);
    }

    /**
     * Anchors the SDP of {@code message}, sent by the peer on side {@code from} whose signalling came from
     * {@code signalling}.
     */
    Outcome anchor(RelayDialog dialog, MediaSide from, SIPMessage message, InetAddress signalling,
            Consumer<RelayDialog> onTimeout) {
        if (relay == null || !isSdp(message)) {
            return Outcome.NO_SDP;
        }
        SdpBody sdp;
        try {
            sdp = SdpBody.parse(new String(message.getRawContent(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Outcome.BAD_SDP;
        }
        if (dialog.media == null) {
            dialog.media = relay.open(session -> onTimeout.accept(dialog));
        }
        MediaSession session = dialog.media;
        List<SdpBody.Announced> announced = sdp.streams();
        while (session.streams().size() < announced.size()) {
            if (session.addStream() == null) {
                return Outcome.NO_PORTS;
            }
        }
        MediaSide to = from.other();
        SrtpPolicy fromPolicy = policyOf(dialog, from);
        SrtpPolicy toPolicy = policyOf(dialog, to);
        int[] ports = new int[announced.size()];
        String[] crypto = new String[announced.size()];
        for (int i = 0; i < announced.size(); i++) {
            MediaStream stream = session.streams().get(i);
            SdpBody.Announced offered = announced.get(i);
            SdesCrypto peerKeys = fromPolicy == SrtpPolicy.OFF ? null : firstUsable(offered.cryptos());
            if (peerKeys == null && fromPolicy == SrtpPolicy.REQUIRED && !offered.rejected()) {
                return Outcome.BAD_SDP;
            }
            if (!offered.rejected()) {
                // SDES: each side announces the keys it sends with (RFC 4568 §6.1). What the sender said decides
                // whether the SBC talks SRTP with it, with the keys the SBC announces (or will announce) to it.
                stream.peerSrtp(from, peerKeys != null);
                stream.setSrtp(from, peerKeys, peerKeys == null ? null
                        : stream.announcedKeys(from, () -> new SdesCrypto(peerKeys.tag(), peerKeys.suite(),
                                SrtpKeys.random(random))));
            }
            if (offered.rtp() != null) {
                stream.setRemote(from, offered.rtp(), offered.rtcp(), signalling);
            }
            ports[i] = stream.localPort(to);
            boolean offerSrtp = toPolicy == SrtpPolicy.REQUIRED
                    || (toPolicy == SrtpPolicy.OFFERED && !Boolean.FALSE.equals(stream.peerSrtp(to)));
            if (offerSrtp) {
                crypto[i] = stream.announcedKeys(to, () -> new SdesCrypto(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80,
                        SrtpKeys.random(random))).format();
            }
        }
        session.setOnHold(sdp.onHold());
        message.setMessageContent(sdp.rewrite(relay.advertisedAddress(), ports, crypto)
                .getBytes(StandardCharsets.UTF_8));
        return Outcome.REWRITTEN;
    }

    private SrtpPolicy policyOf(RelayDialog dialog, MediaSide side) {
        return policies.getOrDefault(side == MediaSide.A ? dialog.a.zone : dialog.b.zone, SrtpPolicy.OFF);
    }

    /** The first {@code a=crypto} offer with a suite and key form the SBC supports, or null. */
    private static SdesCrypto firstUsable(List<String> cryptos) {
        for (String value : cryptos) {
            SdesCrypto crypto = SdesCrypto.parse(value);
            if (crypto != null) {
                return crypto;
            }
        }
        return null;
    }

    void close(RelayDialog dialog) {
        if (dialog.media != null) {
            dialog.media.close();
        }
    }

    private static boolean isSdp(SIPMessage message) {
        ContentType type = message.getContentTypeHeader();
        byte[] body = message.getRawContent();
        return type != null && body != null && body.length > 0 && "application".equalsIgnoreCase(type.getContentType())
                && "sdp".equalsIgnoreCase(type.getContentSubType());
    }
}
