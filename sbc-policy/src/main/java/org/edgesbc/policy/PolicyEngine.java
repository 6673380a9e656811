package org.edgesbc.policy;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.edgesbc.policy.auth.AuthOutcome;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.policy.auth.DigestParameters;
import org.edgesbc.policy.ban.AuthFailureTracker;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.ban.BanTable;
import org.edgesbc.policy.ban.FailureCounter;
import org.edgesbc.policy.event.SecurityAction;
import org.edgesbc.policy.event.SecurityEvent;
import org.edgesbc.policy.event.SecurityEventListener;
import org.edgesbc.policy.event.SecurityRule;
import org.edgesbc.policy.limit.MethodClass;
import org.edgesbc.policy.limit.PacketAdmission;
import org.edgesbc.policy.limit.RateLimitTable;
import org.edgesbc.policy.limit.SharedRateLimiter;
import org.edgesbc.policy.scan.ScannerFingerprints;

/**
 * The edge security decisions in the order the data path meets them, cheapest first.
 *
 * <p>Before parsing, {@link #admit}: banned → drop; no zone → drop; over the per-source or global packet budget →
 * drop (an access source that keeps at it is banned for flooding).
 *
 * <p>After parsing, {@link #decide}: banned → drop; scanner fingerprint → ban (known peers: drop); method-class
 * budget → drop; digest authentication for out-of-dialog requests from zones that authenticate (access, office),
 * which includes the per-user source restriction and answers unknown users, wrong passwords, disabled users and
 * disallowed sources alike; the authenticated user must be the From user (the To user of a REGISTER) or the request
 * gets 403; then, for new INVITEs only, overload (global new-INVITE rate, concurrent server
 * transactions) → 503 with Retry-After. In-dialog requests skip authentication and overload, so established calls
 * keep flowing; ACK and CANCEL are never challenged (RFC 3261 §22.1).
 *
 * <p>Every blocking decision is reported to the {@link SecurityEventListener}: bans, alerts and scanner drops as
 * events; per-packet and per-request drops as counts, with one event per ban or per second of overload explaining
 * them. Known peers (trunk, PBX, office) are never banned automatically unless
 * {@link PolicyConfig#autoBanKnownPeers()}.
 *
 * <p>Shared by all I/O and relay threads; every table it holds is concurrent and bounded. Time: the {@code now}
 * passed in for bans and events, the injected nanosecond clock for budgets.
 */
public final class PolicyEngine {
    /** What admission decided for one datagram. */
    public enum Admission { ADMITTED, BANNED, NO_ZONE, OVER_BUDGET }

    private static final String REGISTER = "REGISTER";

    private final PolicyConfig config;
    private final DigestAuthenticator authenticator;
    private final SecurityEventListener listener;
    private final LongSupplier nanoClock;
    private final BanTable bans;
    private final PacketAdmission packets;
    private final RateLimitTable<RequestKey> requests;
    private final SharedRateLimiter newInvites;
    private final AuthFailureTracker authFailures;
    private final FailureCounter<InetAddress> floodDrops;
    private final AtomicLong lastOverloadEventNanos;

    private record RequestKey(InetAddress source, MethodClass methodClass) { }

    /**
     * @param clock wall-clock time for the ban table and failure windows
     * @param nanoClock monotonic nanoseconds for the budgets
     */
    public PolicyEngine(PolicyConfig config, DigestAuthenticator authenticator, SecurityEventListener listener,
            InstantSource clock, LongSupplier nanoClock) {
        this.config = config;
        this.authenticator = authenticator;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.bans = new BanTable(config.bans(), clock);
        this.packets = new PacketAdmission(config.packets(), nanoClock);
        this.requests = new RateLimitTable<>(config.requests().maxKeys(), config.requests().idleExpiry().toNanos(),
                nanoClock);
        long now = nanoClock.getAsLong();
        this.newInvites = new SharedRateLimiter(config.newInvitesPerSecond(), config.newInvitesPerSecond(), now);
        this.authFailures = new AuthFailureTracker(config.authFailures(), clock);
        this.floodDrops = new FailureCounter<>(config.floodWindow(), config.packets().maxSources(), clock);
        this.lastOverloadEventNanos = new AtomicLong(now - Duration.ofSeconds(1).toNanos());
    }

    // ------------------------------------------------------------------------------------- before parsing

    /**
     * Admission of one datagram before parsing. Allocates nothing on the admitted path.
     *
     * @param zone the source's zone from the {@link ZoneTable}, or null when it lies in none
     */
    public Admission admit(InetAddress source, ZoneTable.Zone zone, Instant now) {
        if (bans.isBanned(source, now)) {
            listener.onCounted(SecurityRule.BANNED, SecurityAction.DROP);
            return Admission.BANNED;
        }
        if (zone == null) {
            listener.onCounted(SecurityRule.NO_ZONE, SecurityAction.DROP);
            return Admission.NO_ZONE;
        }
        boolean peer = zone.kind().knownPeer();
        if (packets.admit(source, peer, nanoClock.getAsLong()) != PacketAdmission.Status.ADMITTED) {
            listener.onCounted(SecurityRule.PACKET_BUDGET, SecurityAction.DROP);
            overBudget(source, zone.name(), peer, now);
            return Admission.OVER_BUDGET;
        }
        return Admission.ADMITTED;
    }

    /** Counts a drop over budget; an access source that keeps at it is banned for flooding. */
    private void overBudget(InetAddress source, String zone, boolean peer, Instant now) {
        if (peer && !config.autoBanKnownPeers()) {
            return;
        }
        int dropped = floodDrops.record(source);
        if (dropped >= config.floodBanAfter()) {
            floodDrops.reset(source);
            Map<String, Long> counters = new LinkedHashMap<>();
            counters.put("dropped", (long) Math.min(dropped, config.floodBanAfter()));
            counters.put("threshold", (long) config.floodBanAfter());
            counters.put("window_seconds", config.floodWindow().toSeconds());
            ban(source, zone, null, SecurityRule.FLOOD, BanReason.FLOOD, "over budget", counters, now);
        }
    }

    // -------------------------------------------------------------------------------------- after parsing

    /** Decides on one parsed request. */
    public Verdict decide(RequestFacts facts) {
        InetAddress source = facts.source();
        boolean peer = facts.zoneKind().knownPeer();
        boolean mayBan = !peer || config.autoBanKnownPeers();
        if (bans.isBanned(source, facts.now())) {
            listener.onCounted(SecurityRule.BANNED, SecurityAction.DROP);
            return Verdict.DROP;
        }
        ScannerFingerprints.Fingerprint scanner = config.scanners().match(facts.userAgent(),
                facts.fromDisplayName());
        if (scanner != null) {
            if (mayBan) {
                ban(source, facts.zoneName(), null, SecurityRule.SCANNER, BanReason.SCANNER, scanner.name(),
                        Map.of(), facts.now());
                return Verdict.BAN;
            }
            event(facts, null, SecurityRule.SCANNER, scanner.name(), Map.of(), SecurityAction.DROP, null);
            return Verdict.DROP;
        }
        MethodClass methodClass = MethodClass.of(facts.method());
        if (!requests.tryTake(new RequestKey(source, methodClass), config.requests().rate(methodClass, peer),
                config.requests().burst(methodClass, peer), nanoClock.getAsLong())) {
            listener.onCounted(SecurityRule.REQUEST_BUDGET, SecurityAction.DROP);
            overBudget(source, facts.zoneName(), peer, facts.now());
            return bans.isBanned(source, facts.now()) ? Verdict.BAN : Verdict.DROP;
        }
        String user = null;
        if (needsAuthentication(facts)) {
            Verdict auth = authenticate(facts, mayBan);
            if (auth.kind() != Verdict.Kind.ALLOW) {
                return auth;
            }
            user = auth.user();
            if (!actsAsItself(facts, user)) {
                event(facts, user, SecurityRule.IDENTITY, REGISTER.equals(facts.method())
                        ? "To does not name the authenticated user" : "From does not name the authenticated user",
                        Map.of(), SecurityAction.REJECT, null);
                return new Verdict(Verdict.Kind.REJECT, 403, "Forbidden", null, List.of(), user);
            }
        }
        if ("INVITE".equals(facts.method()) && !facts.inDialog()) {
            Verdict overload = overload(facts, user);
            if (overload != null) {
                return overload;
            }
        }
        return user == null ? Verdict.ALLOW_UNAUTHENTICATED : Verdict.allow(user);
    }

    private static boolean needsAuthentication(RequestFacts facts) {
        return facts.zoneKind().authenticates() && !facts.inDialog() && !"ACK".equals(facts.method())
                && !"CANCEL".equals(facts.method());
    }

    /**
     * An authenticated phone may act only as itself: a REGISTER binds only its own address of record (RFC 3261
     * §10.3 step 6), and other requests carry its own user in From, so one account's password cannot be used to
     * call in another's name.
     */
    private static boolean actsAsItself(RequestFacts facts, String user) {
        return user.equals(REGISTER.equals(facts.method()) ? facts.toUser() : facts.fromUser());
    }

    private Verdict authenticate(RequestFacts facts, boolean mayBan) {
        DigestAuthenticator.Result result = authenticator.verify(facts.credentials(), facts.method(),
                facts.requestUri(), facts.source());
        if (result.outcome() == AuthOutcome.OK) {
            authFailures.recordSuccess(facts.source());
            return Verdict.allow(result.user());
        }
        if (result.outcome() == AuthOutcome.FAILED || result.outcome() == AuthOutcome.REPLAY) {
            SecurityRule rule = result.outcome() == AuthOutcome.REPLAY ? SecurityRule.REPLAY
                    : SecurityRule.AUTH_FAILURES;
            listener.onCounted(rule, SecurityAction.REJECT);
            String named = credentialUser(facts.credentials());
            String configured = authenticator.knowsUser(named) ? named : null;
            AuthFailureTracker.Outcome outcome = authFailures.recordFailure(facts.source(), configured);
            if (outcome.userAlert()) {
                Map<String, Long> counters = new LinkedHashMap<>();
                counters.put("failures", (long) outcome.userFailures());
                counters.put("threshold", (long) config.authFailures().userAlertThreshold());
                counters.put("window_seconds", config.authFailures().window().toSeconds());
                event(facts, configured, SecurityRule.USER_UNDER_ATTACK, "failed authentications against one account",
                        counters, SecurityAction.ALERT, null);
            }
            if (outcome.banSource() && mayBan) {
                Map<String, Long> counters = new LinkedHashMap<>();
                counters.put("failures", (long) Math.min(outcome.sourceFailures(), outcome.sourceThreshold()));
                counters.put("threshold", (long) outcome.sourceThreshold());
                counters.put("window_seconds", config.authFailures().window().toSeconds());
                ban(facts.source(), facts.zoneName(), configured, rule,
                        rule == SecurityRule.REPLAY ? BanReason.REPLAY : BanReason.AUTH_FAILURES,
                        "failed authentications", counters, facts.now());
                return Verdict.BAN;
            }
        }
        // Missing, stale, failed and replayed credentials get the same challenge: only the fresh nonce (and
        // stale=true for a nonce that merely expired, RFC 7616 §3.3) differs, so probes cannot tell users apart.
        boolean register = REGISTER.equals(facts.method());
        // RFC 3261 §22.1 and §22.3: a registrar challenges with 401, a proxy with 407.
        return new Verdict(Verdict.Kind.CHALLENGE, register ? 401 : 407,
                register ? "Unauthorized" : "Proxy Authentication Required",
                register ? "WWW-Authenticate" : "Proxy-Authenticate",
                authenticator.challenge(result.outcome() == AuthOutcome.STALE), null);
    }

    /** The username the credentials name, if any: used for counting only, never trusted. */
    private static String credentialUser(List<String> credentials) {
        for (String value : credentials) {
            Map<String, String> parameters = DigestParameters.parse(value);
            if (parameters != null && parameters.get("username") != null) {
                return parameters.get("username");
            }
        }
        return null;
    }

    /** 503 for a new INVITE over the global rate or the transaction cap (RFC 3261 §21.5.4, RFC 7339 spirit). */
    private Verdict overload(RequestFacts facts, String user) {
        boolean transactions = facts.serverTransactions() >= config.maxServerTransactions();
        if (!transactions && newInvites.tryTake(nanoClock.getAsLong())) {
            return null;
        }
        listener.onCounted(SecurityRule.OVERLOAD, SecurityAction.REJECT);
        long now = nanoClock.getAsLong();
        long last = lastOverloadEventNanos.get();
        if (now - last >= Duration.ofSeconds(1).toNanos() && lastOverloadEventNanos.compareAndSet(last, now)) {
            Map<String, Long> counters = new LinkedHashMap<>();
            counters.put("server_transactions", (long) facts.serverTransactions());
            counters.put("max_server_transactions", (long) config.maxServerTransactions());
            counters.put("new_invites_per_second", (long) config.newInvitesPerSecond());
            event(facts, user, SecurityRule.OVERLOAD, transactions ? "transaction cap" : "new-INVITE rate",
                    counters, SecurityAction.REJECT, null);
        }
        return new Verdict(Verdict.Kind.REJECT, 503, "Service Unavailable", "Retry-After",
                List.of(Long.toString(config.retryAfter().toSeconds())), null);
    }

    // ------------------------------------------------------------------------------------------- bans

    private Ban ban(InetAddress source, String zone, String user, SecurityRule rule, BanReason reason, String detail,
            Map<String, Long> counters, Instant now) {
        Ban ban = bans.ban(source, reason, detail, counters);
        Map<String, Long> all = new LinkedHashMap<>(counters);
        all.put("offences", (long) ban.offences());
        listener.onEvent(new SecurityEvent(now, source.getHostAddress(), zone, user, rule, detail, all,
                SecurityAction.BAN, ban.expires()));
        return ban;
    }

    private void event(RequestFacts facts, String user, SecurityRule rule, String reason, Map<String, Long> counters,
            SecurityAction action, Instant expires) {
        listener.onEvent(new SecurityEvent(facts.now(), facts.source().getHostAddress(), facts.zoneName(), user, rule,
                reason, counters, action, expires));
    }

    // ------------------------------------------------------------------------------------ admin and state

    /** Active bans, soonest expiry first (admin API: list). */
    public List<Ban> bans() {
        return bans.list();
    }

    /** Bans {@code source} by an operator for {@code duration} (admin API: add); reported as an event. */
    public Ban addBan(InetAddress source, Duration duration, String note, Instant now) {
        Ban ban = new Ban(source, BanReason.MANUAL, note, now, now.plus(duration), 1);
        bans.put(ban);
        listener.onEvent(new SecurityEvent(now, source.getHostAddress(), null, null, SecurityRule.MANUAL, note,
                Map.of(), SecurityAction.BAN, ban.expires()));
        return ban;
    }

    /** Lifts a ban (admin API: remove); reported as an event when there was one. */
    public boolean removeBan(InetAddress source, Instant now) {
        boolean removed = bans.remove(source);
        if (removed) {
            listener.onEvent(new SecurityEvent(now, source.getHostAddress(), null, null, SecurityRule.MANUAL,
                    "released by operator", Map.of(), SecurityAction.UNBAN, null));
        }
        return removed;
    }

    /** The ban table itself, for {@link org.edgesbc.policy.ban.BanStateFile} snapshots and restores. */
    public BanTable banTable() {
        return bans;
    }

    /** Table sizes and overflow counts, for gauges and the admin API. */
    public record Stats(int activeBans, long banOverflows, int packetSources, long packetSourceOverflows,
            int requestKeys, long requestKeyOverflows, int authFailureSources, int authFailureUsers) { }

    public Stats stats() {
        return new Stats(bans.size(), bans.overflows(), packets.trackedSources(), packets.overflows(),
                requests.size(), requests.overflows(), authFailures.trackedSources(), authFailures.trackedUsers());
    }

    public PolicyConfig config() {
        return config;
    }
}
