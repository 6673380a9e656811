package org.edgesbc.core.security;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * The toll-fraud guard as the relay sees it: a service that owns its thread, its state (live calls, spend, holds,
 * baselines) and its files. Every method hands work to that thread and returns at once; answers come back on the
 * service's thread, and the caller hands them on to its own.
 */
public interface TollFraudService {
    /**
     * A call from the PBX about to leave through the trunk.
     *
     * @param account the calling account: the From user of the PBX's INVITE
     * @param dialled the number as the PBX's user dialled it: the Request-URI's user (or a tel: URI's number)
     */
    record CallAttempt(String zone, InetAddress source, String account, String dialled) {
        /** The attempt a new INVITE from {@code source} in {@code zone} makes. */
        public static CallAttempt of(String zone, InetAddress source, SplicedRequest invite) {
            javax.sip.address.URI from = invite.fromAddress().getURI();
            String account = from instanceof javax.sip.address.SipURI sip && sip.getUser() != null ? sip.getUser() : "";
            javax.sip.address.URI target = invite.requestUri();
            String dialled = target instanceof javax.sip.address.SipURI sip && sip.getUser() != null ? sip.getUser()
                    : target instanceof javax.sip.address.TelURL tel ? tel.getPhoneNumber() : "";
            return new CallAttempt(zone, source, account, dialled);
        }
    }

    /**
     * Decides on {@code attempt}: {@code answer} gets ALLOW (with the decision, to be passed back to
     * {@link #callAnswered} and {@link #callEnded}) or REJECT 403 (with the decision, for the CDR). A service that
     * cannot take the work answers 503 (without a decision), on the caller's thread. An allowed call counts against
     * its account's caps until {@link #callEnded} is called with that decision instance, whatever becomes of it.
     */
    void checkNewCall(CallAttempt attempt, Consumer<Verdict> answer);

    /**
     * An allowed call was answered: it is metered until {@link #callEnded}; when its account reaches a spend cap,
     * the account is held and {@code cut} runs (on the service's thread). {@code cut} hands the teardown to the
     * thread that owns the call and throws when it cannot; a cut that throws is counted, logged and run again at the
     * next tick of the spend meter.
     */
    void callAnswered(FraudGuard.Decision decision, Runnable cut);

    /** An allowed call ended, answered or not: it leaves the caps and its last spend is accounted. */
    void callEnded(FraudGuard.Decision decision);

    /** The longest call the decision's account may make, or null for the SBC-wide limit. Any thread. */
    Duration maxCallDuration(FraudGuard.Decision decision);
}
