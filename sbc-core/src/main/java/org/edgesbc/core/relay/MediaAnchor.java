package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.util.function.Consumer;
import org.edgesbc.media.MediaSide;
import org.edgesbc.transport.message.SipMessageView;

/**
 * How the relay puts a dialog's media through the SBC: {@link SdpMediaAnchor} rewrites every SDP body toward the
 * media relay; {@link #PASS_THROUGH} (media anchoring off) leaves SDP as it is. Used only by a dialog's shard.
 */
interface MediaAnchor {
    enum Outcome { NO_SDP, REWRITTEN, BAD_SDP, NO_PORTS }

    /** What anchoring did, and for {@link Outcome#REWRITTEN} the body that goes out instead of the one received. */
    record Anchored(Outcome outcome, byte[] body) {
        static final Anchored NO_SDP = new Anchored(Outcome.NO_SDP, null);
        static final Anchored BAD_SDP = new Anchored(Outcome.BAD_SDP, null);
        static final Anchored NO_PORTS = new Anchored(Outcome.NO_PORTS, null);
    }

    /**
     * Anchors the SDP of {@code message}, sent by the peer on side {@code from} whose signalling came from
     * {@code signalling}; {@code onTimeout} runs on a media thread when the dialog's media stops.
     */
    Anchored anchor(RelayDialog dialog, MediaSide from, SipMessageView message, InetAddress signalling,
            Consumer<RelayDialog> onTimeout);

    /** Releases the dialog's media, if any was anchored. */
    void close(RelayDialog dialog);

    MediaAnchor PASS_THROUGH = new MediaAnchor() {
        @Override
        public Anchored anchor(RelayDialog dialog, MediaSide from, SipMessageView message, InetAddress signalling,
                Consumer<RelayDialog> onTimeout) {
            return Anchored.NO_SDP;
        }

        @Override
        public void close(RelayDialog dialog) {
            // Nothing was anchored.
        }
    };
}
