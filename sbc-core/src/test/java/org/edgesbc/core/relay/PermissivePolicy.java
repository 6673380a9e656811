package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.edgesbc.core.security.RequestPolicy;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.core.security.Verdict;
import org.edgesbc.policy.fraud.FraudGuard;

/** An edge policy that lets everything pass, for tests of the relay on its own. */
final class PermissivePolicy implements RequestPolicy, TollFraudService {
    @Override
    public Verdict check(String zone, InetAddress source, org.edgesbc.transport.message.SplicedRequest request,
            boolean newInvite, boolean needsAuthentication) {
        return Verdict.ALLOW;
    }

    @Override
    public void checkNewCall(CallAttempt attempt, Consumer<Verdict> answer) {
        answer.accept(Verdict.ALLOW);
    }

    @Override
    public void callAnswered(FraudGuard.Decision decision, Runnable cut) {
        throw new AssertionError("no call carries a toll-fraud decision here");
    }

    @Override
    public void callEnded(FraudGuard.Decision decision) {
        throw new AssertionError("no call carries a toll-fraud decision here");
    }

    @Override
    public Duration maxCallDuration(FraudGuard.Decision decision) {
        return null;
    }
}
