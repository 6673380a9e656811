package org.edgesbc.core.relay;

/**
 * The relay's counters behind a small interface (implemented with Micrometer by the daemon). Arguments are bounded:
 * methods are folded to a fixed set by the implementation, statuses to their class.
 */
public interface RelayMetrics {
    void requestRelayed(String method);

    void responseRelayed(int status);

    void localResponse(int status);

    void retransmissionAbsorbed();

    void transactionTimeout();

    void dropped(RelayDropReason reason);

    void transactionOverflow();

    void dialogOverflow();

    RelayMetrics NONE = new RelayMetrics() {
        @Override public void requestRelayed(String method) { }
        @Override public void responseRelayed(int status) { }
        @Override public void localResponse(int status) { }
        @Override public void retransmissionAbsorbed() { }
        @Override public void transactionTimeout() { }
        @Override public void dropped(RelayDropReason reason) { }
        @Override public void transactionOverflow() { }
        @Override public void dialogOverflow() { }
    };
}
