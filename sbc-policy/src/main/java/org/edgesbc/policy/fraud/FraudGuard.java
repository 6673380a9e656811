package org.edgesbc.policy.fraud;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.edgesbc.policy.limit.RateLimitTable;

/**
 * Decides before a call leaves through the trunk whether the calling account may place it: the destination's class
 * must be allowed, the account under its concurrent-call cap and its calls-per-minute budget. Emergency calls always
 * pass and are not counted. The account's live call count is kept here ({@link #callEnded}).
 *
 * <p>Thread-safe: relay shards decide concurrently; per-account counters are atomic, tables concurrent and bounded
 * (accounts come from the PBX, a known peer, so their number is that of its extensions).
 */
public final class FraudGuard {
    /** Why a call was refused, or ALLOWED. */
    public enum Rule { ALLOWED, DESTINATION_CLASS, CONCURRENT_CALLS, CALL_RATE, INVALID_NUMBER }

    /** The decision and the facts behind it. */
    public record Decision(Rule rule, String account, E164Normalizer.Normalized number, DestinationClass destination,
            int concurrent, int limit) {
        public boolean allowed() {
            return rule == Rule.ALLOWED;
        }
    }

    private final E164Normalizer normalizer;
    private final DestinationClassifier classifier;
    private final FraudRules defaults;
    private final Map<String, FraudRules> perAccount;
    private final ConcurrentHashMap<String, AtomicInteger> live = new ConcurrentHashMap<>();
    private final RateLimitTable<String> rates;

    public FraudGuard(E164Normalizer normalizer, DestinationClassifier classifier, FraudRules defaults,
            Map<String, FraudRules> perAccount, int maxAccounts, LongSupplier nanoClock) {
        this.normalizer = normalizer;
        this.classifier = classifier;
        this.defaults = defaults;
        this.perAccount = Map.copyOf(perAccount);
        this.rates = new RateLimitTable<>(maxAccounts, 10 * 60 * 1_000_000_000L, nanoClock);
    }

    /** Checks a new call; an allowed, non-emergency call counts as live until {@link #callEnded}. */
    public Decision checkNewCall(String account, String dialled) {
        E164Normalizer.Normalized number = normalizer.normalize(dialled);
        DestinationClass destination = classifier.classify(number);
        if (destination == DestinationClass.EMERGENCY) {
            return new Decision(Rule.ALLOWED, account, number, destination, 0, 0);
        }
        FraudRules rules = perAccount.getOrDefault(account, defaults);
        if (destination == DestinationClass.INVALID) {
            return new Decision(Rule.INVALID_NUMBER, account, number, destination, 0, 0);
        }
        if (!rules.allowedClasses().contains(destination)) {
            return new Decision(Rule.DESTINATION_CLASS, account, number, destination, 0, 0);
        }
        if (!rates.tryTake(account, rules.callsPerMinute() / 60.0, rules.callsPerMinute())) {
            return new Decision(Rule.CALL_RATE, account, number, destination, 0, rules.callsPerMinute());
        }
        AtomicInteger calls = live.computeIfAbsent(account, a -> new AtomicInteger());
        int now = calls.incrementAndGet();
        if (now > rules.maxConcurrentCalls()) {
            calls.decrementAndGet();
            return new Decision(Rule.CONCURRENT_CALLS, account, number, destination, now - 1,
                    rules.maxConcurrentCalls());
        }
        return new Decision(Rule.ALLOWED, account, number, destination, now, rules.maxConcurrentCalls());
    }

    /** An allowed call ended (or failed); emergency calls were never counted. */
    public void callEnded(Decision decision) {
        if (decision.allowed() && decision.destination() != DestinationClass.EMERGENCY) {
            live.computeIfPresent(decision.account(), (a, calls) -> calls.decrementAndGet() <= 0 ? null : calls);
        }
    }

    public int liveCalls(String account) {
        AtomicInteger calls = live.get(account);
        return calls == null ? 0 : calls.get();
    }
}
