package org.edgesbc.core.security;

import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.config.FraudConfig;
import org.edgesbc.policy.AtomicFile;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.fraud.AnomalyDetector;
import org.edgesbc.policy.fraud.DestinationClassifier;
import org.edgesbc.policy.fraud.E164Normalizer;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.policy.fraud.RateTable;
import org.edgesbc.core.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The toll-fraud guard as a service with one thread of its own ("sbc-fraud", queue bounded at {@value #MAX_QUEUED}):
 * that thread alone touches the {@link FraudGuard} (live calls, caps, spend, holds, throttles), the
 * {@link AnomalyDetector}'s baselines, the live calls' decisions and the two state files. On it run the checks of
 * new calls, the call events, the spend meter (every {@link Schedule#tick}), persistence (every
 * {@link Schedule#persist} and at close) and the admin API's work; everybody else hands work over through the
 * {@link GuardedHandOff} and gets answers back on this thread.
 *
 * <p>The admin API hands its work to the thread too and waits for the future with a timeout of its own: an
 * inspection is then a consistent view, and a hold is in force before the operator's request is answered.
 *
 * <p>A call that reaches its account's spend cap: the account is held until the next local midnight (in the
 * injected clock's zone), the event is written, the state is persisted, and then the call's {@code cut} runs. A cut
 * that throws is counted and logged and retried at the next tick ({@link FraudGuard#tick}).
 *
 * <p>In a cluster the caps count the other nodes' calls and spend as the {@link SharedState} last heard them (see
 * {@link FraudGuard}); a spend cap reached by all nodes together ends the account's calls on every node at its next
 * tick.
 */
public final class FraudService implements TollFraudService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FraudService.class);
    private static final RateLimitedLog WRITE_LOG = new RateLimitedLog(FraudService.class.getName());
    private static final RateLimitedLog LIMITED = new RateLimitedLog(FraudService.class.getName());
    static final int MAX_QUEUED = 10_000;
    private static final int MAX_ACCOUNTS = 100_000;
    /** The answer when the service cannot take the work: 503, to be tried again in a few seconds (RFC 3261 §21.5.4). */
    private static final Verdict UNAVAILABLE = new Verdict(Verdict.Kind.REJECT, 503,
            Map.of("Retry-After", List.of("5")), null, null);

    /**
     * How often the spend meter runs (a call crossing its cap ends within one tick) and how often spend, holds and
     * baselines reach the disk (a restart must not reset them).
     */
    public record Schedule(Duration tick, Duration persist) {
        public static final Schedule DEFAULT = new Schedule(Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** An allowed call from its check until it ends; keyed by its decision's identity. */
    private static final class LiveCall {
        final String zone;
        FraudGuard.AnsweredCall metered;
        boolean capReached;

        LiveCall(String zone) {
            this.zone = zone;
        }
    }

    /** Owned by the fraud thread (replaced there at reload); the constructor's copy is published by its start. */
    private FraudConfig config;
    private final FraudGuard guard;
    private final AnomalyDetector anomalies;
    private final Path stateFile;
    private final Path baselineFile;
    private final SecurityEventLog events;
    private final SecurityMetrics metrics;
    private final GuardedHandOff handOff;
    private final Clock clock;
    private final WebhookNotifier webhook;
    private final DefaultEventExecutor thread;
    private final SharedState shared;
    /** Owned by the fraud thread; each allowed call has its own decision instance. */
    private final Map<FraudGuard.Decision, LiveCall> live = new IdentityHashMap<>();

    FraudService(FraudConfig config, Path stateFile, Path baselineFile, SecurityEventLog events,
            SecurityMetrics metrics, GuardedHandOff handOff, Clock clock, LongSupplier monotonic, SharedState shared) {
        this.config = config;
        FraudGuard.Rules rules = rules(config);
        this.guard = new FraudGuard(rules.normalizer(), rules.classifier(), rules.defaults(), rules.perAccount(),
                MAX_ACCOUNTS, monotonic, rules.prices(), clock, shared);
        this.anomalies = new AnomalyDetector(MAX_ACCOUNTS, config.anomalies().spikeFactor(),
                config.anomalies().spikeMinimum(), clock.getZone());
        this.stateFile = stateFile;
        this.baselineFile = baselineFile;
        this.events = events;
        this.metrics = metrics;
        this.handOff = handOff;
        this.clock = clock;
        this.webhook = config.webhook() == null ? null : new WebhookNotifier(config.webhook(), config.webhookTimeout());
        this.thread = ServiceThread.start("sbc-fraud", MAX_QUEUED);
        this.shared = shared;
        shared.listenForHolds(new SharedState.HoldListener() {
            @Override
            public void holdArrived(String account, Instant expires) {
                handOff.execute(HandOff.TOLL_FRAUD, thread, () -> applyHold(account, expires));
            }

            @Override
            public void holdReleased(String account) {
                handOff.execute(HandOff.TOLL_FRAUD, thread, () -> applyRelease(account, "another node"));
            }
        });
    }

    private static FraudGuard.Rules rules(FraudConfig config) {
        return new FraudGuard.Rules(new E164Normalizer(config.dialPlan()),
                DestinationClassifier.withDefaults(config.dialPlan().countryCode(), config.prefixes()),
                config.defaults(), config.accounts(), new RateTable(config.rates(), config.defaultRate()));
    }

    /**
     * New dial plan, destination prefixes, rules per account, rates and anomaly actions for calls checked from now
     * on (a configuration reload), put in force on the fraud thread behind the checks already queued. Live calls,
     * spend, holds, throttles and baselines carry over; an answered call keeps the price it was answered at. The
     * spike thresholds and the webhook stay those of the start.
     */
    public void reconfigure(FraudConfig next) {
        FraudGuard.Rules rules = rules(next);
        handOff.execute(HandOff.TOLL_FRAUD, thread, () -> {
            config = next;
            guard.replaceRules(rules);
        });
    }

    /**
     * Restores spend, holds and baselines a previous run left (read on the caller's thread before the service takes
     * work; corrupt lines are logged and skipped) and starts the service's thread and its schedule.
     */
    public static FraudService start(FraudConfig config, Path stateFile, Path baselineFile, SecurityEventLog events,
            SecurityMetrics metrics, GuardedHandOff handOff, Clock clock, LongSupplier monotonic, Schedule schedule,
            SharedState shared) throws IOException {
        FraudService service = new FraudService(config, stateFile, baselineFile, events, metrics, handOff, clock,
                monotonic, shared);
        service.guard.restore(AtomicFile.read(stateFile))
                .forEach(p -> LOG.warn("ignored a fraud state line of {}: {}", stateFile, p));
        service.anomalies.restore(AtomicFile.read(baselineFile))
                .forEach(p -> LOG.warn("ignored a baseline line of {}: {}", baselineFile, p));
        long tick = schedule.tick().toMillis();
        long persist = schedule.persist().toMillis();
        service.thread.scheduleAtFixedRate(handOff.guard(HandOff.SERVICE_TIMER, service::tick), tick, tick,
                TimeUnit.MILLISECONDS);
        service.thread.scheduleAtFixedRate(handOff.guard(HandOff.SERVICE_TIMER, service::persist), persist, persist,
                TimeUnit.MILLISECONDS);
        return service;
    }

    // ------------------------------------------------------------------------------------ TollFraudService

    @Override
    public void checkNewCall(CallAttempt attempt, Consumer<Verdict> answer) {
        boolean accepted = handOff.execute(HandOff.TOLL_FRAUD, thread, () -> {
            // The caller hears back even when deciding fails; the failure itself is counted by the hand-off.
            Verdict verdict = UNAVAILABLE;
            try {
                verdict = decide(attempt);
            } finally {
                answer.accept(verdict);
            }
        });
        if (!accepted) {
            answer.accept(UNAVAILABLE);
        }
    }

    @Override
    public void callAnswered(FraudGuard.Decision decision, Runnable cut) {
        handOff.execute(HandOff.TOLL_FRAUD, thread, () -> {
            LiveCall call = live.get(decision);
            if (call != null) {
                call.metered = guard.callAnswered(decision, () -> spendCapReached(decision, call, cut));
            }
        });
    }

    @Override
    public void callEnded(FraudGuard.Decision decision) {
        handOff.execute(HandOff.TOLL_FRAUD, thread, () -> {
            LiveCall call = live.remove(decision);
            guard.callEnded(decision, call == null ? null : call.metered);
        });
    }

    @Override
    public Duration maxCallDuration(FraudGuard.Decision decision) {
        // The rules are immutable configuration: no need to ask the thread.
        return decision == null ? null : guard.maxCallDuration(decision.account());
    }

    // ------------------------------------------------------------------------- on the fraud thread

    /**
     * A call from the PBX out through the trunk: the calling account must be allowed to reach the dialled
     * destination, within its caps, and the call must not make the account's pattern an anomaly whose configured
     * action refuses it. Refused calls get 403 and a security event.
     */
    private Verdict decide(CallAttempt attempt) {
        FraudGuard.Decision decision = guard.checkNewCall(attempt.account(), attempt.dialled());
        if (!decision.allowed()) {
            metrics.decision(SecurityRule.TOLL_FRAUD, "reject");
            Map<String, Object> counters = new LinkedHashMap<>();
            counters.put("dialled", decision.number().raw());
            counters.put("normalised", decision.number().digits());
            counters.put("destination_class", decision.destination().name().toLowerCase(Locale.ROOT));
            if (decision.limit() > 0) {
                counters.put("current", decision.concurrent());
                counters.put("limit", decision.limit());
            }
            fraudEvent(new SecurityEvent(clock.instant(), attempt.source().getHostAddress(), attempt.zone(),
                    attempt.account(), SecurityRule.TOLL_FRAUD.name(), decision.rule().name().toLowerCase(Locale.ROOT),
                    counters, "reject", null));
            return new Verdict(Verdict.Kind.REJECT, 403, Map.of(), attempt.account(), decision);
        }
        if (anomalyRefuses(attempt, decision)) {
            guard.callEnded(decision, null);
            persist();
            return new Verdict(Verdict.Kind.REJECT, 403, Map.of(), attempt.account(), decision);
        }
        live.put(decision, new LiveCall(attempt.zone()));
        return new Verdict(Verdict.Kind.ALLOW, 0, Map.of(), null, decision);
    }

    /**
     * Feeds an allowed call to the account's baseline and takes the graded action configured for each anomaly:
     * alert, throttle (fewer calls per minute), block (new calls, for a while) or hold (until released). Returns
     * whether an action refuses the call itself (block or hold).
     */
    private boolean anomalyRefuses(CallAttempt attempt, FraudGuard.Decision decision) {
        String account = decision.account();
        boolean abroad = decision.number().e164()
                && !decision.number().digits().startsWith(config.dialPlan().countryCode());
        boolean refuse = false;
        Instant now = clock.instant();
        for (AnomalyDetector.Alert alert : anomalies.observe(account, decision.number().digits(), abroad, now)) {
            FraudConfig.Action action = config.anomalies().actions().get(alert.kind());
            Instant until = now.plus(config.anomalies().actionDuration());
            switch (action) {
                case THROTTLE -> guard.throttle(account, config.anomalies().throttleCallsPerMinute(), until);
                case BLOCK -> guard.hold(account, "blocked after " + alert.kind(), until);
                case HOLD -> guard.hold(account, "held after " + alert.kind(), null);
                default -> until = null;
            }
            refuse |= action == FraudConfig.Action.BLOCK || action == FraudConfig.Action.HOLD;
            String name = action.name().toLowerCase(Locale.ROOT);
            metrics.decision(SecurityRule.TOLL_FRAUD, name);
            Map<String, Object> numbers = new LinkedHashMap<>(alert.numbers());
            numbers.put("normalised", decision.number().digits());
            fraudEvent(new SecurityEvent(now, attempt.source().getHostAddress(), attempt.zone(), account,
                    SecurityRule.TOLL_FRAUD.name(), "anomaly_" + alert.kind().name().toLowerCase(Locale.ROOT), numbers,
                    name, action == FraudConfig.Action.HOLD ? null : until));
        }
        return refuse;
    }

    private void tick() {
        guard.tick((decision, e) -> LIMITED.error("spend-cap-cut", "cutting a call of account {} at its spend cap "
                + "failed ({}); tried again at the next tick", decision.account(), e.toString()));
    }

    /**
     * Run by {@link FraudGuard#tick} for a call over its account's cap: the account is held until the next local
     * midnight (an operator can release it earlier), the event written and the state persisted once per call, then
     * the call is cut; a cut that throws comes back here at the next tick and is only tried again.
     */
    private void spendCapReached(FraudGuard.Decision decision, LiveCall call, Runnable cut) {
        if (!call.capReached) {
            call.capReached = true;
            metrics.decision(SecurityRule.TOLL_FRAUD, "reject");
            Instant midnight = LocalDate.now(clock).plusDays(1).atStartOfDay(clock.getZone()).toInstant();
            FraudGuard.Hold hold = guard.hold(decision.account(), "spend cap reached", midnight);
            fraudEvent(new SecurityEvent(clock.instant(), null, call.zone, decision.account(),
                    SecurityRule.TOLL_FRAUD.name(), "spend_cap", Map.of("spent_today_micros",
                            guard.spentToday(decision.account()), "normalised", decision.number().digits()),
                    "cut_and_hold", hold.expires()));
            persist();
        }
        cut.run();
    }

    /** A toll-fraud event: to the event log, and to the operator's webhook when one is configured. */
    private void fraudEvent(SecurityEvent event) {
        events.emit(event);
        if (webhook != null) {
            webhook.post(event);
        }
    }

    private void persist() {
        try {
            AtomicFile.write(stateFile, "edge SBC toll-fraud spend and holds", guard.snapshot());
            AtomicFile.write(baselineFile, "edge SBC per-account calling baselines", anomalies.snapshot());
        } catch (IOException e) {
            // The next scheduled write tries again: spend and holds stay in memory meanwhile.
            metrics.stateWriteFailed(StateFile.FRAUD);
            WRITE_LOG.error("fraud-state", "cannot write fraud state to {}: {}", stateFile, e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------- admin API

    /** An account's live calls, spend and hold, read on the fraud thread. */
    public CompletableFuture<FraudGuard.AccountView> inspect(String account) {
        return handOff.submit(HandOff.TOLL_FRAUD, thread, () -> guard.inspect(account));
    }

    /**
     * Holds an account by an operator, for {@code duration} or until released (null); the hold is in force and on
     * disk when the future completes, with the account's view.
     */
    public CompletableFuture<FraudGuard.AccountView> hold(String account, Duration duration) {
        return handOff.submit(HandOff.TOLL_FRAUD, thread, () -> {
            Instant expires = duration == null ? null : clock.instant().plus(duration);
            guard.hold(account, "held by operator", expires);
            events.emit(new SecurityEvent(clock.instant(), null, null, account, SecurityRule.MANUAL.name(),
                    "account held by operator", Map.of(), "hold", expires));
            persist();
            shared.holdPlaced(account, expires);
            return guard.inspect(account);
        });
    }

    /** An operator's hold made on another node, on the fraud thread: in force here too unless already held. */
    private void applyHold(String account, Instant expires) {
        if (guard.inspect(account).hold() != null || (expires != null && !expires.isAfter(clock.instant()))) {
            return;
        }
        guard.hold(account, "held by operator on another node", expires);
        events.emit(new SecurityEvent(clock.instant(), null, null, account, SecurityRule.MANUAL.name(),
                "account held by operator on another node", Map.of(), "hold", expires));
        persist();
    }

    /** Releases an account's hold on the fraud thread; false when it had none. */
    private boolean applyRelease(String account, String by) {
        if (!guard.release(account)) {
            return false;
        }
        events.emit(new SecurityEvent(clock.instant(), null, null, account, SecurityRule.MANUAL.name(),
                "hold released by operator on " + by, Map.of(), "release", null));
        persist();
        return true;
    }

    /** Releases an operator's or the guard's hold; the future gives the account's view, or null without a hold. */
    public CompletableFuture<FraudGuard.AccountView> release(String account) {
        return handOff.submit(HandOff.TOLL_FRAUD, thread, () -> {
            // Released on every node, even one whose own hold (a spend cap reached there) this node never had.
            shared.holdReleased(account);
            return applyRelease(account, "this node") ? guard.inspect(account) : null;
        });
    }

    /** Takes no further work, finishes what is queued, writes the state a last time and stops the thread. */
    @Override
    public void close() {
        handOff.execute(HandOff.TOLL_FRAUD, thread, this::persist);
        ServiceThread.stop(thread);
        if (webhook != null) {
            webhook.close();
        }
    }
}
