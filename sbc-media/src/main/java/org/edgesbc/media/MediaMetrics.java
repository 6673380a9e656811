package org.edgesbc.media;

/** The relay's counters behind a small interface (Micrometer in core). Thread-safe, called on media threads. */
public interface MediaMetrics {
    void packetRelayed(int bytes);

    void packetDropped(MediaDropReason reason);

    void sessionOpened();

    void sessionClosed();

    /** A new session or stream could not get ports: the range is exhausted. */
    void portsExhausted();

    MediaMetrics NONE = new MediaMetrics() {
        @Override public void packetRelayed(int bytes) { }
        @Override public void packetDropped(MediaDropReason reason) { }
        @Override public void sessionOpened() { }
        @Override public void sessionClosed() { }
        @Override public void portsExhausted() { }
    };
}
