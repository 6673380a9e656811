package org.edgesbc.policy.fraud;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.edgesbc.policy.Deadline;
import org.edgesbc.policy.cluster.AccountShare;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.cluster.SpendGrant;
import org.edgesbc.policy.cluster.SingleNodeState;
import org.edgesbc.policy.limit.RateLimitTable;

/**
 * Decides before a call leaves through the trunk whether the calling account may place it: the destination's class
 * must be allowed, the account under its concurrent-call cap and its calls-per-minute budget. Emergency calls always
 * pass and are not counted. The account's live call count is kept here ({@link #callEnded}).
 *
 * <p>Thread-safe: per-account counters are atomic, tables concurrent and bounded (accounts come from the PBX, a known
 * peer, so their number is that of its extensions). In the daemon one thread drives it, the toll-fraud service's.
 *
 * <p>Several nodes: caps count what the other nodes hold of the account ({@link SharedState#others}, a local copy,
 * never a wait) on top of this node's own counters, and every change of this node's part is handed to
 * {@link SharedState#accountChanged}. Two calls of one account checked on two nodes within the time a change takes
 * to reach the other node can both pass; spend is published once per {@link #tick}. Spend caps are taken from the
 * cluster in chunks ({@link SharedState#spendGrant}): a node cuts its calls when its spend reaches what it was
 * granted and the cap is taken in full, and falls back to the published spend while the store is unreachable.
 */
public final class FraudGuard {
    /** Why a call was refused, or ALLOWED. */
    public enum Rule { ALLOWED, DESTINATION_CLASS, BLOCKED_PREFIX, TIME_WINDOW, CONCURRENT_CALLS, CLASS_CAP, CALL_RATE,
        THROTTLED, SPEND_CAP, HOLD, INVALID_NUMBER }

    /** An account's call rate lowered for a while (graded action after an anomaly). */
    public record Throttle(String account, int callsPerMinute, Instant expires) { }

    /** An account blocked until an operator releases it or it expires (null: only by an operator). */
    public record Hold(String account, String reason, Instant since, Instant expires) { }

    /**
     * A hold and when it ends on the monotonic clock (null: never by itself), so that a step of the wall clock
     * neither lifts it early nor stretches it; a hold until midnight lasts as long as midnight was away when it was
     * placed.
     */
    /** A throttle and when it ends on the monotonic clock, for the same reason as {@link Held}. */
    private record Throttled(Throttle throttle, Deadline end) { }

    private record Held(Hold hold, Deadline end) {
        boolean endedAt(long now) {
            return end != null && end.passedAt(now);
        }

        /** The hold with its wall expiry as of now (it differs from the one placed after a wall-clock step). */
        Hold asOf(Instant wallNow, long now) {
            return end == null ? hold : new Hold(hold.account(), hold.reason(), hold.since(),
                    end.wallExpiry(wallNow, now));
        }
    }

    /** The decision and the facts behind it. */
    public record Decision(Rule rule, String account, E164Normalizer.Normalized number, DestinationClass destination,
            int concurrent, int limit) {
        public boolean allowed() {
            return rule == Rule.ALLOWED;
        }
    }

    /**
     * How numbers are read, classified, priced and capped: replaced whole by {@link #replaceRules}, read once per
     * decision, so that a decision never mixes two generations of rules.
     */
    private volatile Rules rules;
    private final ConcurrentHashMap<String, AtomicInteger> live = new ConcurrentHashMap<>();
    /** Live calls per account and destination class, for class caps. */
    private final ConcurrentHashMap<String, AtomicInteger> liveByClass = new ConcurrentHashMap<>();
    private final RateLimitTable<String> rates;
    private final Clock clock;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Spend> spend = new ConcurrentHashMap<>();
    /** Per account with answered calls here, what they spend per minute together, as of the last tick or answer. */
    private final ConcurrentHashMap<String, Long> spendPerMinute = new ConcurrentHashMap<>();
    private final Set<AnsweredCall> answered = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Held> holds = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Throttled> throttles = new ConcurrentHashMap<>();
    private final AtomicLong failedCuts = new AtomicLong();
    private final SharedState shared;
    /** Whether anyone else counts this node's part: on a single node, nothing is published. */
    private final boolean clustered;

    /**
     * @param prices per-minute prices for spend caps
     * @param clock wall clock in the operator's time zone: days and weekends are calendar ones
     */
    public FraudGuard(E164Normalizer normalizer, DestinationClassifier classifier, FraudRules defaults,
            Map<String, FraudRules> perAccount, int maxAccounts, LongSupplier nanoClock, RateTable prices,
            Clock clock) {
        this(normalizer, classifier, defaults, perAccount, maxAccounts, nanoClock, prices, clock,
                SingleNodeState.INSTANCE);
    }

    /** As above, with the counters of the other nodes of a cluster in {@code shared}. */
    public FraudGuard(E164Normalizer normalizer, DestinationClassifier classifier, FraudRules defaults,
            Map<String, FraudRules> perAccount, int maxAccounts, LongSupplier nanoClock, RateTable prices,
            Clock clock, SharedState shared) {
        this.shared = shared;
        this.clustered = shared.sharesState();
        this.rules = new Rules(normalizer, classifier, defaults, perAccount, prices);
        this.rates = new RateLimitTable<>(maxAccounts, 10 * 60 * 1_000_000_000L, nanoClock);
        this.clock = clock;
        this.nanoClock = nanoClock;
    }

    /**
     * The rules of one configuration generation, immutable.
     *
     * @param defaults rules of accounts not in {@code perAccount}
     * @param prices per-minute prices for spend caps
     */
    public record Rules(E164Normalizer normalizer, DestinationClassifier classifier, FraudRules defaults,
            Map<String, FraudRules> perAccount, RateTable prices) {
        public Rules {
            perAccount = Map.copyOf(perAccount);
        }

        FraudRules of(String account) {
            return perAccount.getOrDefault(account, defaults);
        }
    }

    /**
     * Replaces the rules for decisions from now on (a configuration reload). What accounts spent, their live calls,
     * holds and throttles stay; a call already answered keeps the price it was answered at. Any thread.
     */
    public void replaceRules(Rules next) {
        this.rules = next;
    }

    /**
     * What an account has spent today and this weekend, in micro-units. Weekend spend only accrues on Saturdays and
     * Sundays and starts over each weekend; day spend starts over each day.
     */
    private static final class Spend {
        LocalDate day;
        long dayMicros;
        LocalDate weekend;
        long weekendMicros;

        synchronized void roll(LocalDate today) {
            if (!today.equals(day)) {
                day = today;
                dayMicros = 0;
            }
            LocalDate saturday = weekendOf(today);
            if (saturday != null && !saturday.equals(weekend)) {
                weekend = saturday;
                weekendMicros = 0;
            }
        }

        synchronized void add(long micros, LocalDate today) {
            roll(today);
            dayMicros += micros;
            if (weekendOf(today) != null) {
                weekendMicros += micros;
            }
        }

        static LocalDate weekendOf(LocalDate date) {
            return AccountShare.weekendOf(date);
        }
    }

    /** An answered call being metered; {@link #cut} ends it on both sides when a spend cap is reached. */
    public static final class AnsweredCall {
        final Decision decision;
        final long microsPerMinute;
        final Runnable cut;
        long accountedNanos;
        boolean cutOrdered;

        AnsweredCall(Decision decision, long microsPerMinute, Runnable cut, long nowNanos) {
            this.decision = decision;
            this.microsPerMinute = microsPerMinute;
            this.cut = cut;
            this.accountedNanos = nowNanos;
        }
    }

    /** Starts metering an answered call; {@code cut} will be run (once) if its account reaches a spend cap. */
    public AnsweredCall callAnswered(Decision decision, Runnable cut) {
        if (decision == null || !decision.allowed() || decision.destination() == DestinationClass.EMERGENCY) {
            return null;
        }
        AnsweredCall call = new AnsweredCall(decision, rules.prices().perMinute(decision.number().digits()), cut,
                nanoClock.getAsLong());
        answered.add(call);
        spendPerMinute.merge(decision.account(), call.microsPerMinute, Long::sum);
        return call;
    }

    /**
     * Accounts the spend of every answered call up to now and orders the cut of those whose account is now over a
     * cap. Called about once a second, so a call crossing its cap is cut within about a second.
     *
     * <p>A cut that throws is handed to {@code failedCut} and counted in {@link #failedCuts()}; the tick goes on
     * with the other calls, and the failed cut is run again at the next tick until it completes (a call over its
     * cap must not stay up because its first cut failed).
     */
    public void tick(BiConsumer<Decision, RuntimeException> failedCut) {
        long now = nanoClock.getAsLong();
        LocalDate today = LocalDate.now(clock);
        Rules current = this.rules;
        Map<String, Long> perMinute = new java.util.HashMap<>();
        for (AnsweredCall call : answered) {
            account(call, now, today);
            perMinute.merge(call.decision.account(), call.microsPerMinute, Long::sum);
        }
        perMinute.keySet().forEach(this::publish);
        spendPerMinute.keySet().retainAll(perMinute.keySet());
        spendPerMinute.putAll(perMinute);
        // Once per account, not per call: in a cluster each verdict also asks for the account's next grant.
        Map<String, Boolean> over = new java.util.HashMap<>();
        for (AnsweredCall call : answered) {
            String account = call.decision.account();
            if (!call.cutOrdered && over.computeIfAbsent(account, a -> overSpendCap(a, current.of(a), today))) {
                try {
                    call.cut.run();
                    call.cutOrdered = true;
                } catch (RuntimeException e) {
                    failedCuts.incrementAndGet();
                    failedCut.accept(call.decision, e);
                }
            }
        }
    }

    /** Cuts that threw since this guard was made; each was retried at the following tick. */
    public long failedCuts() {
        return failedCuts.get();
    }

    private void account(AnsweredCall call, long now, LocalDate today) {
        long micros;
        synchronized (call) {
            long elapsed = now - call.accountedNanos;
            micros = call.microsPerMinute * elapsed / 60_000_000_000L;
            // Keep the remainder of a micro-unit for the next tick instead of losing it.
            call.accountedNanos += micros * 60_000_000_000L / Math.max(1, call.microsPerMinute);
            if (call.microsPerMinute == 0) {
                call.accountedNanos = now;
            }
        }
        if (micros > 0) {
            spend.computeIfAbsent(call.decision.account(), a -> new Spend()).add(micros, today);
        }
    }

    /**
     * Whether {@code account} reached a spend cap of {@code rules} today: this node's spend against its grant of the
     * cap when the nodes share it in chunks ({@link SharedState#spendGrant}), else this node's spend and what it last
     * heard the others spent.
     */
    private boolean overSpendCap(String account, FraudRules rules, LocalDate today) {
        Spend local = spend.get(account);
        long day = 0;
        long weekend = 0;
        if (local != null) {
            synchronized (local) {
                local.roll(today);
                day = local.dayMicros;
                weekend = local.weekendMicros;
            }
        }
        LocalDate saturday = Spend.weekendOf(today);
        return over(account, "day:" + today, rules.dailySpendCap(), day, () -> shared.others(account).spentOn(today))
                || saturday != null && over(account, "weekend:" + saturday, rules.weekendSpendCap(), weekend,
                        () -> shared.others(account).spentInWeekend(saturday));
    }

    private boolean over(String account, String period, long cap, long mine, LongSupplier othersSpent) {
        if (cap <= 0) {
            return false;
        }
        // Two ticks of what the account's calls here spend: enough that the grant stays ahead until the next ask.
        long ahead = spendPerMinute.getOrDefault(account, 0L) / 30;
        SpendGrant grant = clustered ? shared.spendGrant(account, period, cap, mine, ahead) : null;
        return grant != null ? grant.reachedBy(mine) : mine + othersSpent.getAsLong() >= cap;
    }

    /** Blocks an account's new calls (emergency calls excepted) until released or {@code expires} (null: never). */
    public Hold hold(String account, String reason, Instant expires) {
        Hold hold = new Hold(account, reason, clock.instant(), expires);
        holds.put(account, held(hold));
        return hold;
    }

    /** Lowers an account's calls per minute until {@code expires}. */
    public Throttle throttle(String account, int callsPerMinute, Instant expires) {
        Throttle throttle = new Throttle(account, callsPerMinute, expires);
        throttles.put(account, new Throttled(throttle, Deadline.at(expires, clock, nanoClock)));
        return throttle;
    }

    private Held held(Hold hold) {
        return new Held(hold, hold.expires() == null ? null : Deadline.at(hold.expires(), clock, nanoClock));
    }

    /** Lifts a hold; false when the account had none. */
    public boolean release(String account) {
        return holds.remove(account) != null;
    }

    /**
     * What the admin API shows of an account: live calls, spend today and this weekend, its hold; in a cluster also
     * the live calls and today's spend of all nodes together, as this node last heard them (on a single node the
     * same as its own).
     */
    public record AccountView(String account, int liveCalls, long spentTodayMicros, long spentWeekendMicros,
            Hold hold, int liveCallsAllNodes, long spentTodayAllNodesMicros) { }

    public AccountView inspect(String account) {
        Spend s = spend.get(account);
        long day = 0;
        long weekend = 0;
        if (s != null) {
            LocalDate today = LocalDate.now(clock);
            s.roll(today);
            synchronized (s) {
                day = s.dayMicros;
                weekend = Spend.weekendOf(today) == null ? 0 : s.weekendMicros;
            }
        }
        AccountShare others = shared.others(account);
        Held held = holds.get(account);
        Hold hold = held == null || held.endedAt(nanoClock.getAsLong()) ? null
                : held.asOf(clock.instant(), nanoClock.getAsLong());
        return new AccountView(account, liveCalls(account), day, weekend, hold,
                liveCalls(account) + others.liveCalls(), day + others.spentOn(LocalDate.now(clock)));
    }

    /**
     * The state an attacker must not be able to reset by making the SBC restart: spend per account and holds.
     * One line per entry: {@code spend<TAB>account<TAB>day<TAB>dayMicros<TAB>weekend<TAB>weekendMicros} or
     * {@code hold<TAB>account<TAB>since<TAB>expires<TAB>reason}.
     */
    public List<String> snapshot() {
        List<String> lines = new ArrayList<>();
        spend.forEach((account, s) -> {
            synchronized (s) {
                lines.add("spend\t" + account + "\t" + s.day + "\t" + s.dayMicros + "\t" + s.weekend + "\t"
                        + s.weekendMicros);
            }
        });
        Instant wallNow = clock.instant();
        long now = nanoClock.getAsLong();
        holds.values().stream().map(held -> held.asOf(wallNow, now)).forEach(h -> lines.add("hold\t" + h.account()
                + "\t" + h.since() + "\t" + (h.expires() == null ? "-" : h.expires()) + "\t"
                + h.reason().replace('\t', ' ')));
        return lines;
    }

    /** Restores a {@link #snapshot}; returns one message per line it could not use. */
    public List<String> restore(List<String> lines) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", -1);
            try {
                if (f[0].equals("spend") && f.length == 6) {
                    Spend s = new Spend();
                    s.day = f[2].equals("null") ? null : LocalDate.parse(f[2]);
                    s.dayMicros = Long.parseLong(f[3]);
                    s.weekend = f[4].equals("null") ? null : LocalDate.parse(f[4]);
                    s.weekendMicros = Long.parseLong(f[5]);
                    spend.put(f[1], s);
                } else if (f[0].equals("hold") && f.length == 5) {
                    holds.put(f[1], held(new Hold(f[1], f[4], Instant.parse(f[2]),
                            f[3].equals("-") ? null : Instant.parse(f[3]))));
                } else if (!lines.get(i).isBlank()) {
                    throw new IllegalArgumentException("unknown entry");
                }
            } catch (RuntimeException e) {
                problems.add("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return problems;
    }

    /** Micro-units an account has spent today. */
    public long spentToday(String account) {
        Spend s = spend.get(account);
        if (s == null) {
            return 0;
        }
        s.roll(LocalDate.now(clock));
        synchronized (s) {
            return s.dayMicros;
        }
    }

    /** Checks a new call; an allowed, non-emergency call counts as live until {@link #callEnded}. */
    public Decision checkNewCall(String account, String dialled) {
        Rules generation = this.rules;
        E164Normalizer.Normalized number = generation.normalizer().normalize(dialled);
        DestinationClass destination = generation.classifier().classify(number);
        if (destination == DestinationClass.EMERGENCY) {
            return new Decision(Rule.ALLOWED, account, number, destination, 0, 0);
        }
        FraudRules rules = generation.of(account);
        Held held = holds.get(account);
        if (held != null && !held.endedAt(nanoClock.getAsLong())) {
            return new Decision(Rule.HOLD, account, number, destination, 0, 0);
        }
        if (held != null) {
            holds.remove(account, held);
        }
        if (destination == DestinationClass.INVALID) {
            return new Decision(Rule.INVALID_NUMBER, account, number, destination, 0, 0);
        }
        if (FraudRules.matches(rules.blockedPrefixes(), number.digits())) {
            return new Decision(Rule.BLOCKED_PREFIX, account, number, destination, 0, 0);
        }
        if (!rules.allowedClasses().contains(destination)
                && !FraudRules.matches(rules.allowedPrefixes(), number.digits())) {
            return new Decision(Rule.DESTINATION_CLASS, account, number, destination, 0, 0);
        }
        if (!rules.inWindow(java.time.LocalDateTime.now(clock))) {
            return new Decision(Rule.TIME_WINDOW, account, number, destination, 0, 0);
        }
        if (overSpendCap(account, rules, LocalDate.now(clock))) {
            return new Decision(Rule.SPEND_CAP, account, number, destination, 0, 0);
        }
        if (!rates.tryTake(account, rules.callsPerMinute() / 60.0, rules.callsPerMinute())) {
            return new Decision(Rule.CALL_RATE, account, number, destination, 0, rules.callsPerMinute());
        }
        Throttled throttled = throttles.get(account);
        if (throttled != null && !throttled.end().passedAt(nanoClock.getAsLong())) {
            int limit = throttled.throttle().callsPerMinute();
            if (!rates.tryTake("throttle\n" + account, limit / 60.0, limit)) {
                return new Decision(Rule.THROTTLED, account, number, destination, 0, limit);
            }
        } else if (throttled != null) {
            throttles.remove(account, throttled);
        }
        AccountShare others = shared.others(account);
        AtomicInteger calls = live.computeIfAbsent(account, a -> new AtomicInteger());
        int now = calls.incrementAndGet() + others.liveCalls();
        if (now > rules.maxConcurrentCalls()) {
            calls.decrementAndGet();
            return new Decision(Rule.CONCURRENT_CALLS, account, number, destination, now - 1,
                    rules.maxConcurrentCalls());
        }
        Integer classCap = rules.classCaps().get(destination);
        if (classCap != null) {
            AtomicInteger inClass = liveByClass.computeIfAbsent(account + '\n' + destination,
                    k -> new AtomicInteger());
            int current = inClass.incrementAndGet() + others.liveIn(destination);
            if (current > classCap) {
                inClass.decrementAndGet();
                calls.decrementAndGet();
                return new Decision(Rule.CLASS_CAP, account, number, destination, current - 1, classCap);
            }
        }
        publish(account);
        return new Decision(Rule.ALLOWED, account, number, destination, now, rules.maxConcurrentCalls());
    }

    /** An allowed call ended (or failed): its last spend is accounted; emergency calls were never counted. */
    public void callEnded(Decision decision, AnsweredCall call) {
        if (call != null && answered.remove(call)) {
            account(call, nanoClock.getAsLong(), LocalDate.now(clock));
        }
        if (decision.allowed() && decision.destination() != DestinationClass.EMERGENCY) {
            live.computeIfPresent(decision.account(), (a, calls) -> calls.decrementAndGet() <= 0 ? null : calls);
            liveByClass.computeIfPresent(decision.account() + '\n' + decision.destination(),
                    (k, calls) -> calls.decrementAndGet() <= 0 ? null : calls);
            publish(decision.account());
        }
    }

    /** This node's part of {@code account}'s counters, as the other nodes of a cluster count it. */
    public AccountShare share(String account) {
        Map<DestinationClass, Integer> byClass = new java.util.EnumMap<>(DestinationClass.class);
        for (DestinationClass destination : DestinationClass.values()) {
            AtomicInteger inClass = liveByClass.get(account + '\n' + destination);
            if (inClass != null && inClass.get() > 0) {
                byClass.put(destination, inClass.get());
            }
        }
        Spend s = spend.get(account);
        if (s == null) {
            return new AccountShare(account, liveCalls(account), byClass, null, 0, null, 0);
        }
        synchronized (s) {
            return new AccountShare(account, liveCalls(account), byClass, s.day, s.dayMicros, s.weekend,
                    s.weekendMicros);
        }
    }

    private void publish(String account) {
        if (clustered) {
            shared.accountChanged(share(account));
        }
    }

    /** The longest call {@code account} may make, or null for the SBC-wide limit. */
    public java.time.Duration maxCallDuration(String account) {
        return rules.of(account).maxCallDuration();
    }

    public int liveCalls(String account) {
        AtomicInteger calls = live.get(account);
        return calls == null ? 0 : calls.get();
    }
}
