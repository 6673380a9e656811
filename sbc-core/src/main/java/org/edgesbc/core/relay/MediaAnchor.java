package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.ContentType;
import gov.nist.javax.sip.message.SIPMessage;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.edgesbc.core.media.SdpBody;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.MediaSession;
import org.edgesbc.media.MediaSide;
import org.edgesbc.media.MediaStream;

/**
 * Puts the SBC into the media path of a relayed dialog: every SDP body crossing it (offers and answers in INVITE,
 * 18x, 2xx, ACK, re-INVITE, UPDATE, PRACK) tells the relay where the sending side receives and is rewritten to the
 * SBC's address and the ports facing the receiving side. A dialog's streams are allocated on first sight and kept
 * across re-offers. Used only by the dialog's relay shard.
 */
final class MediaAnchor {
    enum Outcome { NO_SDP, REWRITTEN, BAD_SDP, NO_PORTS }

    private final MediaRelay relay;

    MediaAnchor(MediaRelay relay) {
        this.relay = relay;
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
        int[] ports = new int[announced.size()];
        for (int i = 0; i < announced.size(); i++) {
            MediaStream stream = session.streams().get(i);
            SdpBody.Announced stream0 = announced.get(i);
            if (stream0.rtp() != null) {
                stream.setRemote(from, stream0.rtp(), stream0.rtcp(), signalling);
            }
            ports[i] = stream.localPort(from.other());
        }
        session.setOnHold(sdp.onHold());
        message.setMessageContent(sdp.rewrite(relay.advertisedAddress(), ports).getBytes(StandardCharsets.UTF_8));
        return Outcome.REWRITTEN;
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
