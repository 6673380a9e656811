package org.edgesbc.core.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every call to {@link RelayMetrics} as a line of text ({@code "requestRelayed INVITE"}, {@code "callSetUp answered
 * 750"}, {@code "relayed REQUEST 750"}), in order, from whichever thread made it.
 */
final class RecordingRelayMetrics implements RelayMetrics {
    private final LinkedBlockingQueue<String> calls = new LinkedBlockingQueue<>();

    /** Every call recorded so far, oldest first. */
    List<String> calls() {
        return new ArrayList<>(calls);
    }

    /**
     * Takes calls until one starts with {@code prefix} and returns it, waiting up to two seconds for each (the relay
     * records on its own thread); null when none came.
     */
    String next(String prefix) throws InterruptedException {
        for (String call = calls.poll(2, TimeUnit.SECONDS); call != null; call = calls.poll(2, TimeUnit.SECONDS)) {
            if (call.startsWith(prefix)) {
                return call;
            }
        }
        return null;
    }

    @Override public void requestRelayed(String method) { calls.add("requestRelayed " + method); }
    @Override public void responseRelayed(int status) { calls.add("responseRelayed " + status); }
    @Override public void localResponse(int status) { calls.add("localResponse " + status); }
    @Override public void retransmissionAbsorbed() { calls.add("retransmissionAbsorbed"); }
    @Override public void transactionTimeout() { calls.add("transactionTimeout"); }
    @Override public void dropped(RelayDropReason reason) { calls.add("dropped " + reason); }
    @Override public void transactionOverflow() { calls.add("transactionOverflow"); }
    @Override public void retransmissionWindowCut() { calls.add("retransmissionWindowCut"); }
    @Override public void dialogOverflow() { calls.add("dialogOverflow"); }
    @Override public void redirect(String zone, RedirectAction action) { calls.add("redirect " + zone + " " + action); }
    @Override public void callSetUp(boolean answered, long nanos) {
        calls.add("callSetUp " + (answered ? "answered " : "failed ") + nanos);
    }
    @Override public void relayed(RelayedMessage kind, long nanos) { calls.add("relayed " + kind + " " + nanos); }
    @Override public void sessionTimerExpired(String zone) { calls.add("sessionTimerExpired " + zone); }
    @Override public void keepaliveFailed(String zone) { calls.add("keepaliveFailed " + zone); }
    @Override public void callEnded(String disposition, String endedBy) {
        calls.add("callEnded " + disposition + " " + endedBy);
    }
}
