package org.edgesbc.core.relay;

import java.util.function.LongSupplier;

/**
 * One shard's {@link RelayMetrics}: counts through to the daemon's, and times the message the shard is reading from
 * its arrival to its relay. The shard says which message it holds ({@link #reading}); the first
 * {@link #requestRelayed} or {@link #responseRelayed} while it does is that message's relay. A message relayed
 * later from another task (an INVITE that waited for a toll-fraud or caller-identity verdict, a retransmission by
 * timer) is not timed here: the call set-up histogram covers the former, and the latter is not a relay of a message
 * received. Owned by the shard's thread.
 */
final class RelayTiming implements RelayMetrics {
    private final RelayMetrics counts;
    private final LongSupplier nanoTime;
    /** Whether a message is in hand: {@link System#nanoTime()} may take any value, so no time can mean "none". */
    private boolean holding;
    private long receivedNanos;

    RelayTiming(RelayMetrics counts, LongSupplier nanoTime) {
        this.counts = counts;
        this.nanoTime = nanoTime;
    }

    /** The shard starts reading a message that arrived at {@code receivedNanos}. */
    void reading(long receivedNanos) {
        this.holding = true;
        this.receivedNanos = receivedNanos;
    }

    /** The shard is done with the message it read, relayed or not. */
    void done() {
        holding = false;
    }

    private void timeRelay(RelayedMessage kind) {
        if (holding) {
            holding = false;
            counts.relayed(kind, nanoTime.getAsLong() - receivedNanos);
        }
    }

    @Override
    public void requestRelayed(String method) {
        counts.requestRelayed(method);
        timeRelay(RelayedMessage.REQUEST);
    }

    @Override
    public void responseRelayed(int status) {
        counts.responseRelayed(status);
        timeRelay(RelayedMessage.RESPONSE);
    }

    @Override
    public void localResponse(int status) {
        counts.localResponse(status);
    }

    @Override
    public void retransmissionAbsorbed() {
        counts.retransmissionAbsorbed();
    }

    @Override
    public void transactionTimeout() {
        counts.transactionTimeout();
    }

    @Override
    public void dropped(RelayDropReason reason) {
        counts.dropped(reason);
    }

    @Override
    public void transactionOverflow() {
        counts.transactionOverflow();
    }

    @Override
    public void retransmissionWindowCut() {
        counts.retransmissionWindowCut();
    }

    @Override
    public void dialogOverflow() {
        counts.dialogOverflow();
    }

    @Override
    public void redirect(String zone, RedirectAction action) {
        counts.redirect(zone, action);
    }

    @Override
    public void callSetUp(boolean answered, long nanos) {
        counts.callSetUp(answered, nanos);
    }

    @Override
    public void relayed(RelayedMessage kind, long nanos) {
        counts.relayed(kind, nanos);
    }

    @Override
    public void sessionTimerExpired(String zone) {
        counts.sessionTimerExpired(zone);
    }

    @Override
    public void keepaliveFailed(String zone) {
        counts.keepaliveFailed(zone);
    }

    @Override
    public void callEnded(String disposition, String endedBy) {
        counts.callEnded(disposition, endedBy);
    }
}
