package org.edgesbc.media;

/**
 * An RTP/RTCP socket pair bound once on one of the relay's loops and kept open until the relay shuts down; calls
 * borrow it through the {@link PortPool}. It belongs to at most one stream at a time: the owner is set when a stream
 * takes the pair and cleared when its session closes, before the pair enters quarantine, so packets arriving while
 * it belongs to no stream are dropped and counted and never reach an ended call.
 */
final class BoundPortPair {
    final int port;
    final int slot;
    MediaSocket rtp;
    MediaSocket rtcp;
    /** The stream that owns the pair and the side it faces; written by the signalling thread, read by the loop. */
    private volatile Owner owner;

    /** A stream and the side of it the pair faces. */
    record Owner(MediaStream stream, MediaSide side) { }

    BoundPortPair(int port, int slot) {
        this.port = port;
        this.slot = slot;
    }

    void attach(MediaStream stream, MediaSide side) {
        owner = new Owner(stream, side);
    }

    void detach() {
        owner = null;
    }

    /** The owner now, or null while the pair is ready or in quarantine. */
    Owner owner() {
        return owner;
    }

    /** Closes both sockets; their ports are free once the loop has let go of them. */
    void close() {
        if (rtp != null) {
            rtp.close();
        }
        if (rtcp != null) {
            rtcp.close();
        }
    }
}
