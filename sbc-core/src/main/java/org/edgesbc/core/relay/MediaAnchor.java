package org.edgesbc.core.relay;

import gov.nist.javax.sip.message.SIPMessage;
import java.net.InetAddress;
import java.util.function.Consumer;
import org.edgesbc.media.MediaSide;

/**
 * How the relay puts a dialog's media through the SBC: {@link SdpMediaAnchor} rewrites every SDP body toward the
 * media relay; {@link #PASS_THROUGH} (media anchoring off) leaves SDP as it is. Used only by a dialog's shard.
 */
interface MediaAnchor {
    enum Outcome { NO_SDP, REWRITTEN, BAD_SDP, NO_PORTS }

    /**
     * Anchors the SDP of {@code message}, sent by the peer on side {@code from} whose signalling came from
     * {@code signalling}; {@code onTimeout} runs on a media thread when the dialog's media stops.
     */
    Outcome anchor(RelayDialog dialog, MediaSide from, SIPMessage message, InetAddress signalling,
            Consumer<RelayDialog> onTimeout);

    /** Releases the dialog's media, if any was anchored. */
    void close(RelayDialog dialog);

    MediaAnchor PASS_THROUGH = new MediaAnchor() {
        @Override
        public Outcome anchor(RelayDialog dialog, MediaSide from, SIPMessage message, InetAddress signalling,
                Consumer<RelayDialog> onTimeout) {
            return Outcome.NO_SDP;
        }

        @Override
        public void close(RelayDialog dialog) {
            // Nothing was anchored.
        }
    };
}
