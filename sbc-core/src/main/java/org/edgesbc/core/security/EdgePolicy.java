package org.edgesbc.core.security;

import gov.nist.javax.sip.header.UserAgent;
import gov.nist.javax.sip.message.SIPRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.time.Clock;
import javax.sip.message.Request;
import org.edgesbc.core.config.FraudConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.policy.auth.AuthOutcome;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.ban.BanStateFile;
import org.edgesbc.policy.ban.BanTable;
import org.edgesbc.policy.ban.FailureCounter;
import org.edgesbc.policy.fraud.AnomalyDetector;
import org.edgesbc.policy.fraud.DestinationClassifier;
import org.edgesbc.policy.fraud.E164Normalizer;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.policy.fraud.RateTable;
import org.edgesbc.policy.limit.RateLimitTable;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.SourceAdmission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge security controls, in the order the data path meets them. Before parsing ({@link #admit}): zone
 * allowlist, bans, per-source packet budgets (a source that keeps flooding is banned; trunk and PBX sources have
 * their own larger budget and are never banned automatically). After parsing ({@link #check}): scanner
 * fingerprints, digest authentication of the access zone with failure counting and bans, the caller identity of
 * authenticated phones, and the global budget of new INVITEs. Every blocking decision is counted and written as one
 * security event.
 *
 * <p>Per-user lockout is deliberately absent: failures ban the <em>source</em>, never the account, so an attacker
 * guessing a user's password from elsewhere cannot lock the user out of the user's own network.
 *
 * <p>Thread-safe: admission runs on I/O threads, checks on relay threads; the tables it holds are concurrent.
 */
public final class EdgePolicy implements SourceAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(EdgePolicy.class);

    /** What {@link #check} decided. */
    public record Verdict(Kind kind, int status, Map<String, List<String>> headers, String user,
            FraudGuard.Decision fraud) {
        public enum Kind { ALLOW, CHALLENGE, REJECT, DROP }

        static final Verdict ALLOW = new Verdict(Kind.ALLOW, 0, Map.of(), null, null);
        static final Verdict DROP = new Verdict(Kind.DROP, 0, Map.of(), null, null);

        Verdict(Kind kind, int status, Map<String, List<String>> headers, String user) {
            this(kind, status, headers, user, null);
        }
    }

    /** Headers in which a phone names who it is, besides From (RFC 3325 §9). */
    private static final List<String> IDENTITY_HEADERS = List.of("P-Asserted-Identity", "P-Preferred-Identity");

    private final SourceAdmission zones;
    private final Map<String, ZoneConfig.ZoneRole> roles = new ConcurrentHashMap<>();
    /** Zones whose sources get peer budgets and are never banned automatically: trunk, PBX and offices. */
    private final Map<String, Boolean> trusted = new ConcurrentHashMap<>();
    private final SecurityConfig config;
    private final InstantSource clock;
    private final BanTable bans;
    private final BanStateFile banFile;
    private final RateLimitTable<InetAddress> packets;
    private final RateLimitTable<String> invites;
    private final RateLimitTable<String> global;
    private final RateLimitTable<RequestKey> requests;
    private final FailureCounter<InetAddress> authFailures;
    private final FailureCounter<String> userFailures;
    private final FailureCounter<InetAddress> floodDrops;
    private final DigestAuthenticator authenticator;
    private final FraudGuard fraud;
    private final FraudConfig fraudConfig;
    private final AnomalyDetector anomalies;
    private final WebhookNotifier webhook;
    private final ScheduledExecutorService meter;
    private final java.nio.file.Path fraudStateFile;
    private final java.nio.file.Path baselineFile;
    private final SecurityEventLog events;
    private final SecurityMetrics metrics;

    public EdgePolicy(SourceAdmission zones, List<ZoneConfig> zoneConfigs, SecurityConfig config, FraudConfig fraud,
            SecurityEventLog events, SecurityMetrics metrics, InstantSource clock) {
        this.zones = zones;
        zoneConfigs.forEach(z -> {
            roles.put(z.name(), z.role());
            trusted.put(z.name(), z.role() != ZoneConfig.ZoneRole.ACCESS || z.office());
        });
        this.config = config;
        this.clock = clock;
        this.events = events;
        this.metrics = metrics;
        this.bans = new BanTable(config.maxBans(), Duration.ofDays(7), config.banEscalation(),
                config.maxBanDuration(), clock);
        this.banFile = new BanStateFile(config.banStateFile());
        this.packets = new RateLimitTable<>(1_000_000, Duration.ofMinutes(1).toNanos(), System::nanoTime);
        this.invites = new RateLimitTable<>(1, Duration.ofHours(1).toNanos(), System::nanoTime);
        this.global = new RateLimitTable<>(1, Duration.ofHours(1).toNanos(), System::nanoTime);
        this.requests = new RateLimitTable<>(1_000_000, Duration.ofMinutes(1).toNanos(), System::nanoTime);
        this.authFailures = new FailureCounter<>(config.authFailureWindow(), 1_000_000, clock);
        this.userFailures = new FailureCounter<>(config.authFailureWindow(), 100_000, clock);
        this.floodDrops = new FailureCounter<>(Duration.ofMinutes(1), 1_000_000, clock);
        this.authenticator = new DigestAuthenticator(config.realm(), config.digestAlgorithms(), config.users(),
                config.nonceLifetime(), 1_000_000, clock, new java.security.SecureRandom());
        this.fraud = new FraudGuard(new E164Normalizer(fraud.dialPlan()),
                DestinationClassifier.withDefaults(fraud.dialPlan().countryCode(), fraud.prefixes()), fraud.defaults(),
                fraud.accounts(), 100_000, System::nanoTime, new RateTable(fraud.rates(), fraud.defaultRate()),
                Clock.systemDefaultZone());
        this.fraudConfig = fraud;
        this.anomalies = new AnomalyDetector(100_000, fraud.anomalies().spikeFactor(), fraud.anomalies().spikeMinimum(),
                java.time.ZoneId.systemDefault());
        this.webhook = fraud.webhook() == null ? null : new WebhookNotifier(fraud.webhook(), fraud.webhookTimeout());
        this.fraudStateFile = config.banStateFile().resolveSibling("fraud-state.tsv");
        this.baselineFile = config.banStateFile().resolveSibling("fraud-baselines.tsv");
        this.meter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sbc-spend-meter");
            thread.setDaemon(true);
            return thread;
        });
        // Spend is accounted while calls are up: once a second, so a call crossing its cap ends within a second.
        meter.scheduleAtFixedRate(this::tickSpend, 1, 1, TimeUnit.SECONDS);
        // Spend and holds reach the disk every ten seconds and at shutdown: a restart does not reset them.
        meter.scheduleAtFixedRate(this::persistFraudState, 10, 10, TimeUnit.SECONDS);
    }

    /** Loads the bans, spend and holds a previous run left; corrupt lines are logged, not fatal. */
    public void restoreState() throws IOException {
        fraud.restore(org.edgesbc.policy.AtomicFile.read(fraudStateFile))
                .forEach(p -> LOG.warn("ignored a fraud state line of {}: {}", fraudStateFile, p));
        anomalies.restore(org.edgesbc.policy.AtomicFile.read(baselineFile))
                .forEach(p -> LOG.warn("ignored a baseline line of {}: {}", baselineFile, p));
        restoreBans();
    }

    private void persistFraudState() {
        try {
            org.edgesbc.policy.AtomicFile.write(fraudStateFile, "edge SBC toll-fraud spend and holds",
                    fraud.snapshot());
            org.edgesbc.policy.AtomicFile.write(baselineFile, "edge SBC per-account calling baselines",
                    anomalies.snapshot());
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot write fraud state to {}: {}", fraudStateFile, e.getMessage());
        }
    }

    private void restoreBans() throws IOException {
        BanStateFile.Loaded loaded = banFile.read(clock.instant());
        loaded.bans().forEach(bans::put);
        loaded.problems().forEach(p -> LOG.warn("ignored a ban state line: {}", p));
        if (!loaded.bans().isEmpty()) {
            LOG.info("restored {} active bans from {}", loaded.bans().size(), config.banStateFile());
        }
    }

    // ------------------------------------------------------------------------------------- before parsing

    @Override
    public String admit(SipTransport transport, InetSocketAddress source) {
        InetAddress address = source.getAddress();
        if (bans.isBanned(address)) {
            metrics.decision(SecurityRule.BANNED, "drop");
            return null;
        }
        String zone = zones.admit(transport, source);
        if (zone == null) {
            return null;
        }
        boolean peer = trusted.get(zone);
        double rate = peer ? config.peerPacketsPerSecond() : config.packetsPerSecond();
        double burst = peer ? config.peerPacketsPerSecond() : config.packetBurst();
        if (!packets.tryTake(address, rate, burst)) {
            metrics.decision(SecurityRule.PACKET_BUDGET, "drop");
            overBudget(address, zone, peer);
            return null;
        }
        if (!peer && !global.tryTake("global", config.globalPacketsPerSecond(), config.globalPacketsPerSecond())) {
            // Many sources together: drop without blaming any one of them (RFC 7339 style load shedding).
            metrics.decision(SecurityRule.PACKET_BUDGET, "drop");
            return null;
        }
        return zone;
    }

    /** Counts a packet over a source's budget; a source of an untrusted zone that keeps at it is banned. */
    private void overBudget(InetAddress address, String zone, boolean trustedZone) {
        if (trustedZone) {
            return;
        }
        int dropped = floodDrops.record(address);
        if (dropped >= config.floodBanAfter()) {
            floodDrops.reset(address);
            ban(address, zone, null, SecurityRule.FLOOD, BanReason.FLOOD, Map.of("dropped", dropped,
                    "threshold", config.floodBanAfter(), "window_seconds", 60,
                    "packets_per_second", config.packetsPerSecond()));
        }
    }

    /** A source address and a method class (REGISTER, INVITE, OPTIONS, other), the key of request budgets. */
    private record RequestKey(InetAddress source, String methodClass) { }

    private static String methodClass(String method) {
        return switch (method) {
            case Request.REGISTER -> "register";
            case Request.INVITE -> "invite";
            case Request.OPTIONS -> "options";
            default -> "other";
        };
    }

    // -------------------------------------------------------------------------------------- after parsing

    /**
     * Decides on a parsed out-of-dialog request (in-dialog requests belong to a dialog that passed already).
     *
     * @param zone the source's zone
     * @param newInvite whether this is a dialog-creating INVITE (subject to the overload budget)
     * @param needsAuthentication false for requests the SBC answers itself (OPTIONS pings to the SBC)
     * @param towardTrunk whether the request leaves through the trunk (a PBX's call to a registered phone does not,
     *     and is no toll-fraud matter)
     */
    public Verdict check(String zone, InetAddress source, SIPRequest request, boolean newInvite,
            boolean needsAuthentication, boolean towardTrunk) {
        ZoneConfig.ZoneRole role = roles.get(zone);
        if (role == ZoneConfig.ZoneRole.ACCESS) {
            String methodClass = methodClass(request.getMethod());
            double budget = config.requestsPerSecond().get(methodClass) * (trusted.get(zone) ? 50 : 1);
            if (!requests.tryTake(new RequestKey(source, methodClass), budget, budget * 4)) {
                metrics.decision(SecurityRule.REQUEST_BUDGET, "drop");
                overBudget(source, zone, trusted.get(zone));
                return Verdict.DROP;
            }
            UserAgent agent = (UserAgent) request.getHeader(UserAgent.NAME);
            String product = agent == null ? "" : agent.getHeaderValue().toLowerCase(Locale.ROOT);
            for (String fingerprint : config.scannerUserAgents()) {
                if (product.contains(fingerprint)) {
                    if (!trusted.get(zone)) {
                        ban(source, zone, null, SecurityRule.SCANNER, BanReason.SCANNER, Map.of("fingerprint",
                                fingerprint));
                    } else {
                        reject(zone, source, null, SecurityRule.SCANNER, "scanner fingerprint " + fingerprint);
                    }
                    return Verdict.DROP;
                }
            }
            if (!needsAuthentication) {
                return Verdict.ALLOW;
            }
            Verdict auth = authenticate(zone, source, request);
            if (auth.kind() != Verdict.Kind.ALLOW) {
                return auth;
            }
            if (!Request.REGISTER.equals(request.getMethod()) && !callerIsUser(request, auth.user())) {
                reject(zone, source, auth.user(), SecurityRule.IDENTITY,
                        "From, P-Asserted-Identity or P-Preferred-Identity does not name the authenticated user");
                return new Verdict(Verdict.Kind.REJECT, 403, Map.of(), auth.user());
            }
            if (newInvite && !invites.tryTake("invites", config.newInvitesPerSecond(), config.newInvitesPerSecond())) {
                return overload(zone, source);
            }
            return auth;
        }
        if (newInvite && !invites.tryTake("invites", config.newInvitesPerSecond(), config.newInvitesPerSecond())) {
            return overload(zone, source);
        }
        if (newInvite && role == ZoneConfig.ZoneRole.PBX && towardTrunk) {
            return tollFraud(zone, source, request);
        }
        return Verdict.ALLOW;
    }

    /**
     * A call from the PBX out through the trunk: the calling account (the From user) must be allowed to reach the
     * dialled destination, within its caps. Refused calls get 403 and a security event.
     */
    private Verdict tollFraud(String zone, InetAddress source, SIPRequest request) {
        javax.sip.address.URI from = request.getFrom().getAddress().getURI();
        String account = from instanceof javax.sip.address.SipURI sip && sip.getUser() != null ? sip.getUser() : "";
        javax.sip.address.URI target = request.getRequestURI();
        String dialled = target instanceof javax.sip.address.SipURI sip && sip.getUser() != null ? sip.getUser()
                : target instanceof javax.sip.address.TelURL tel ? tel.getPhoneNumber() : "";
        FraudGuard.Decision decision = fraud.checkNewCall(account, dialled);
        if (decision.allowed()) {
            return anomalies(zone, source, decision);
        }
        metrics.decision(SecurityRule.TOLL_FRAUD, "reject");
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("dialled", decision.number().raw());
        counters.put("normalised", decision.number().digits());
        counters.put("destination_class", decision.destination().name().toLowerCase(Locale.ROOT));
        if (decision.limit() > 0) {
            counters.put("current", decision.concurrent());
            counters.put("limit", decision.limit());
        }
        fraudEvent(new SecurityEvent(clock.instant(), source.getHostAddress(), zone, account,
                SecurityRule.TOLL_FRAUD.name(), decision.rule().name().toLowerCase(Locale.ROOT), counters, "reject",
                null));
        return new Verdict(Verdict.Kind.REJECT, 403, Map.of(), account, decision);
    }

    /**
     * Feeds an allowed call to the account's baseline and takes the graded action configured for each anomaly:
     * alert, throttle (fewer calls per minute), block (new calls, for a while) or hold (until released). A call
     * that triggers a block or hold is itself refused.
     */
    private Verdict anomalies(String zone, InetAddress source, FraudGuard.Decision decision) {
        String account = decision.account();
        boolean abroad = decision.number().e164()
                && !decision.number().digits().startsWith(fraudConfig.dialPlan().countryCode());
        boolean refuse = false;
        for (AnomalyDetector.Alert alert : anomalies.observe(account, decision.number().digits(), abroad,
                clock.instant())) {
            FraudConfig.Action action = fraudConfig.anomalies().actions().get(alert.kind());
            java.time.Instant until = clock.instant().plus(fraudConfig.anomalies().actionDuration());
            switch (action) {
                case THROTTLE -> fraud.throttle(account, fraudConfig.anomalies().throttleCallsPerMinute(), until);
                case BLOCK -> fraud.hold(account, "blocked after " + alert.kind(), until);
                case HOLD -> fraud.hold(account, "held after " + alert.kind(), null);
                default -> until = null;
            }
            refuse |= action == FraudConfig.Action.BLOCK || action == FraudConfig.Action.HOLD;
            String name = action.name().toLowerCase(Locale.ROOT);
            metrics.decision(SecurityRule.TOLL_FRAUD, name);
            Map<String, Object> numbers = new LinkedHashMap<>(alert.numbers());
            numbers.put("normalised", decision.number().digits());
            fraudEvent(new SecurityEvent(clock.instant(), source.getHostAddress(), zone, account,
                    SecurityRule.TOLL_FRAUD.name(), "anomaly_" + alert.kind().name().toLowerCase(Locale.ROOT), numbers,
                    name, action == FraudConfig.Action.HOLD ? null : until));
        }
        if (refuse) {
            fraud.callEnded(decision, null);
            persistFraudState();
            return new Verdict(Verdict.Kind.REJECT, 403, Map.of(), account, decision);
        }
        return new Verdict(Verdict.Kind.ALLOW, 0, Map.of(), null, decision);
    }

    /** A toll-fraud event: to the event log, and to the operator's webhook when one is configured. */
    private void fraudEvent(SecurityEvent event) {
        events.emit(event);
        if (webhook != null) {
            webhook.post(event);
        }
    }

    /**
     * An answered call that passed the toll-fraud check starts costing money: it is metered until it ends, and
     * {@code cut} is run when its account reaches a spend cap.
     */
    public FraudGuard.AnsweredCall callAnswered(FraudGuard.Decision decision, Runnable cut) {
        return decision == null ? null : fraud.callAnswered(decision, cut);
    }

    /** A call that passed the toll-fraud check ended: its last spend is accounted and it leaves the caps. */
    public void callEnded(FraudGuard.Decision decision, FraudGuard.AnsweredCall metered) {
        if (decision != null) {
            fraud.callEnded(decision, metered);
        }
    }

    private void tickSpend() {
        try {
            fraud.tick();
        } catch (RuntimeException e) {
            LOG.error("spend metering failed: {}", e.toString());
        }
    }

    /**
     * A call cut because its account reached a spend cap: a security event, and the account held until the end of
     * the day (an operator can release it earlier through the admin API).
     */
    public void spendCapReached(String zone, FraudGuard.Decision decision) {
        metrics.decision(SecurityRule.TOLL_FRAUD, "reject");
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneId.systemDefault());
        java.time.Instant midnight = now.toLocalDate().plusDays(1).atStartOfDay(now.getZone()).toInstant();
        FraudGuard.Hold hold = fraud.hold(decision.account(), "spend cap reached", midnight);
        fraudEvent(new SecurityEvent(clock.instant(), null, zone, decision.account(), SecurityRule.TOLL_FRAUD.name(),
                "spend_cap", Map.of("spent_today_micros", fraud.spentToday(decision.account()),
                        "normalised", decision.number().digits()), "cut_and_hold", hold.expires()));
        persistFraudState();
    }

    /** The longest call of the account behind {@code decision}, or null for the SBC-wide limit. */
    public java.time.Duration maxCallDuration(FraudGuard.Decision decision) {
        return decision == null ? null : fraud.maxCallDuration(decision.account());
    }

    public FraudGuard.AccountView fraudAccount(String account) {
        return fraud.inspect(account);
    }

    /** Holds an account by an operator until released (or {@code expires}). */
    public FraudGuard.Hold holdAccount(String account, java.time.Instant expires) {
        FraudGuard.Hold hold = fraud.hold(account, "held by operator", expires);
        events.emit(new SecurityEvent(clock.instant(), null, null, account, SecurityRule.MANUAL.name(),
                "account held by operator", Map.of(), "hold", expires));
        persistFraudState();
        return hold;
    }

    public boolean releaseAccount(String account) {
        boolean released = fraud.release(account);
        if (released) {
            events.emit(new SecurityEvent(clock.instant(), null, null, account, SecurityRule.MANUAL.name(),
                    "hold released by operator", Map.of(), "release", null));
            persistFraudState();
        }
        return released;
    }

    /** Stops the spend meter and writes the fraud state a last time. */
    public void close() {
        meter.shutdownNow();
        persistFraudState();
        if (webhook != null) {
            webhook.close();
        }
    }

    private Verdict overload(String zone, InetAddress source) {
        metrics.decision(SecurityRule.OVERLOAD, "reject");
        return new Verdict(Verdict.Kind.REJECT, 503, Map.of("Retry-After", List.of("5")), null);
    }

    private Verdict authenticate(String zone, InetAddress source, SIPRequest request) {
        boolean register = Request.REGISTER.equals(request.getMethod());
        String credentialsHeader = register ? "Authorization" : "Proxy-Authorization";
        List<String> credentials = new ArrayList<>();
        ListIterator<gov.nist.javax.sip.header.SIPHeader> headers = request.getHeaders(credentialsHeader);
        while (headers != null && headers.hasNext()) {
            credentials.add(headers.next().getHeaderValue());
        }
        DigestAuthenticator.Result result = authenticator.verify(credentials, request.getMethod(),
                request.getRequestURI().toString(), source);
        if (result.outcome() == AuthOutcome.OK) {
            authFailures.reset(source);
            return new Verdict(Verdict.Kind.ALLOW, 0, Map.of(), result.user());
        }
        if (result.outcome() == AuthOutcome.FAILED || result.outcome() == AuthOutcome.REPLAY) {
            metrics.authFailure();
            alertOnUserFailures(zone, source, request);
            int failures = authFailures.record(source);
            if (failures >= config.authFailureThreshold() && !trusted.get(zone)) {
                authFailures.reset(source);
                ban(source, zone, null, SecurityRule.AUTH_FAILURES, BanReason.AUTH_FAILURES, Map.of(
                        "failures", failures, "threshold", config.authFailureThreshold(),
                        "window_seconds", config.authFailureWindow().toSeconds()));
                return Verdict.DROP;
            }
        }
        // Missing, stale, failed and replayed credentials all get the same kind of challenge: only a fresh nonce
        // (and stale=true for a nonce that merely expired) differs, so probes cannot tell users apart.
        return new Verdict(Verdict.Kind.CHALLENGE, register ? 401 : 407,
                Map.of(register ? "WWW-Authenticate" : "Proxy-Authenticate",
                        authenticator.challenge(result.outcome() == AuthOutcome.STALE)), null);
    }

    /**
     * Failures against one account, from any number of sources, raise an alert event at the threshold (and at
     * every further multiple of it) but never block the account: see the class comment on lockout.
     */
    private void alertOnUserFailures(String zone, InetAddress source, SIPRequest request) {
        String user = credentialUser(request);
        if (user == null || !config.users().stream().anyMatch(u -> u.name().equals(user))) {
            return;
        }
        int failures = userFailures.record(user);
        if (failures % config.authFailureThreshold() == 0) {
            metrics.decision(SecurityRule.USER_UNDER_ATTACK, "alert");
            events.emit(new SecurityEvent(clock.instant(), source.getHostAddress(), zone, user,
                    SecurityRule.USER_UNDER_ATTACK.name(), "failed authentications against one account",
                    Map.of("failures", failures, "threshold", config.authFailureThreshold(),
                            "window_seconds", config.authFailureWindow().toSeconds()), "alert", null));
        }
    }

    /** The username= of the request's credentials, if any (only for counting; never trusted). */
    private static String credentialUser(SIPRequest request) {
        for (String name : List.of("Authorization", "Proxy-Authorization")) {
            javax.sip.header.Header header = request.getHeader(name);
            if (header instanceof gov.nist.javax.sip.header.SIPHeader sip) {
                Map<String, String> parameters = org.edgesbc.policy.auth.DigestParameters.parse(sip.getHeaderValue());
                if (parameters != null && parameters.get("username") != null) {
                    return parameters.get("username");
                }
            }
        }
        return null;
    }

    /**
     * A phone calls as itself: the From user, and any identity it asserts or prefers (RFC 3325
     * P-Asserted-Identity, P-Preferred-Identity), must be the authenticated user.
     */
    private static boolean callerIsUser(SIPRequest request, String user) {
        javax.sip.address.URI uri = request.getFrom().getAddress().getURI();
        if (!(uri instanceof javax.sip.address.SipURI sip) || !user.equals(sip.getUser())) {
            return false;
        }
        for (String name : IDENTITY_HEADERS) {
            ListIterator<gov.nist.javax.sip.header.SIPHeader> headers = request.getHeaders(name);
            while (headers != null && headers.hasNext()) {
                gov.nist.javax.sip.header.SIPHeader header = headers.next();
                if (!(header instanceof javax.sip.header.HeaderAddress asserted)
                        || !(asserted.getAddress().getURI() instanceof javax.sip.address.SipURI identity)
                        || !user.equals(identity.getUser())) {
                    return false;
                }
            }
        }
        return true;
    }

    private void reject(String zone, InetAddress source, String user, SecurityRule rule, String reason) {
        metrics.decision(rule, "reject");
        events.emit(new SecurityEvent(clock.instant(), source.getHostAddress(), zone, user, rule.name(), reason,
                Map.of(), "reject", null));
    }

    private void ban(InetAddress source, String zone, String user, SecurityRule rule, BanReason reason,
            Map<String, Object> counters) {
        Ban ban = bans.ban(source, reason, counters.toString(), config.banDuration());
        metrics.decision(rule, "ban");
        Map<String, Object> all = new LinkedHashMap<>(counters);
        all.put("offences", ban.offences());
        events.emit(new SecurityEvent(ban.created(), source.getHostAddress(), zone, user, rule.name(),
                reason.name().toLowerCase(Locale.ROOT), all, "ban", ban.expires()));
        LOG.warn("banned {} until {}: {} {}", source.getHostAddress(), ban.expires(), rule, counters);
        persistBans();
    }

    // ------------------------------------------------------------------------------------- admin and state

    public List<Ban> bans() {
        return bans.list();
    }

    public int activeBans() {
        return bans.size();
    }

    /** Adds a ban by an operator. */
    public Ban addBan(InetAddress source, Duration duration, String note) {
        java.time.Instant now = clock.instant();
        Ban ban = new Ban(source, BanReason.MANUAL, note, now, now.plus(duration), 1);
        bans.put(ban);
        metrics.decision(SecurityRule.MANUAL, "ban");
        events.emit(new SecurityEvent(now, source.getHostAddress(), null, null, SecurityRule.MANUAL.name(), note,
                Map.of(), "ban", ban.expires()));
        persistBans();
        return ban;
    }

    public boolean removeBan(InetAddress source) {
        boolean removed = bans.remove(source);
        if (removed) {
            events.emit(new SecurityEvent(clock.instant(), source.getHostAddress(), null, null,
                    SecurityRule.MANUAL.name(), "released by operator", Map.of(), "unban", null));
            persistBans();
        }
        return removed;
    }

    /** Writes the ban table; failures are logged (the bans stay in force in memory). */
    public synchronized void persistBans() {
        try {
            banFile.write(bans.list());
        } catch (IOException e) {
            LOG.error("cannot write bans to {}: {}", config.banStateFile(), e.getMessage());
        }
    }
}
