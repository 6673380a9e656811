package org.edgesbc.core.security;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.edgesbc.policy.fraud.FraudGuard;

/**
 * The toll-fraud guard as the relay sees it: a service that owns its thread, its state (live calls, spend, holds,
 * baselines) and its files. Every method hands work to that thread and returns at once; answers come back on the
 * service's thread, and the caller hands them on to its own.
 */
public interface TollFraudService {
    /** A call from the PBX about to leave through the trunk. */
    record CallAttempt(String zone, InetAddress source, String account, String dialled) { }

    /**
     * Decides on {@code attempt}: {@code answer} gets ALLOW (with the decision, to be passed back to
     * {@link #callAnswered} and {@link #callEnded}) or REJECT 403 (with the decision, for the CDR). A service that
     * cannot take the work answers 503.
     */
    void checkNewCall(CallAttempt attempt, Consumer<Verdict> answer);

    /**
     * An allowed call was answered: it is metered until {@link #callEnded}; when its account reaches a spend cap,
     * the account is held and {@code cut} runs (on the service's thread).
     */
    void callAnswered(FraudGuard.Decision decision, Runnable cut);

    /** An allowed call ended, answered or not: it leaves the caps and its last spend is accounted. */
    void callEnded(FraudGuard.Decision decision);

    /** The longest call the decision's account may make, or null for the SBC-wide limit. Any thread. */
    Duration maxCallDuration(FraudGuard.Decision decision);
}
