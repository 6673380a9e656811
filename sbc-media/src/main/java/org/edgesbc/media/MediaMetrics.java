package org.edgesbc.media;

/** The relay's counters behind a small interface (Micrometer in core). Thread-safe, called on media threads. */
public interface MediaMetrics {
    void packetRelayed(int bytes);

    void packetDropped(MediaDropReason reason);

    /**
     * A packet of a T.38 fax leg was relayed; counted besides {@link #packetRelayed}, which counts every packet.
     */
    void udptlRelayed();

    /** A packet arriving on a T.38 fax leg was dropped; counted besides {@link #packetDropped}. */
    void udptlDropped(MediaDropReason reason);

    void sessionOpened();

    void sessionClosed();

    /** A new session or stream could not get ports: the range is exhausted. */
    void portsExhausted();

    MediaMetrics NONE = new MediaMetrics() {
        @Override public void packetRelayed(int bytes) { }
        @Override public void packetDropped(MediaDropReason reason) { }
        @Override public void udptlRelayed() { }
        @Override public void udptlDropped(MediaDropReason reason) { }
        @Override public void sessionOpened() { }
        @Override public void sessionClosed() { }
        @Override public void portsExhausted() { }
    };
}
