package org.edgesbc.core.security;

import gov.nist.javax.sip.header.SIPHeader;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.HeaderAddress;
import javax.sip.message.Request;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.policy.auth.AuthOutcome;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.policy.auth.DigestParameters;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.ban.FailureCounter;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.limit.RateLimitTable;
import org.edgesbc.policy.limit.SharedRateLimiter;
import org.edgesbc.policy.scan.ExtensionSweeps;
import org.edgesbc.policy.scan.ScannerFingerprint;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * The edge policy of the relay threads, after parsing, cheapest check first: for the access zone, request budgets
 * per source and method class, scanner fingerprints, extension sweeps, digest authentication with failure counting,
 * and the caller
 * identity of authenticated phones; for every zone, the budget of new INVITEs (503 with Retry-After beyond it).
 * Toll fraud is not decided here: the relay asks the {@link TollFraudService} about new calls from the PBX.
 *
 * <p>Per-user lockout is deliberately absent: failures ban the <em>source</em>, never the account, so an attacker
 * guessing a user's password from elsewhere cannot lock the user out of the user's own network. Failures against one
 * account only raise an alert.
 *
 * <p>Thread-safe (every relay shard calls it; its tables are concurrent) and never blocking: bans go to the
 * {@link BanService}, events to the {@link SecurityEventLog}'s writer thread; nothing here touches the disk.
 */
public final class AccessPolicy implements RequestPolicy {
    /** Headers in which a phone names who it is, besides From (RFC 3325 §9). */
    private static final List<String> IDENTITY_HEADERS = List.of("P-Asserted-Identity", "P-Preferred-Identity");
    /** Seconds a 503 for new INVITEs over the budget asks the sender to wait (RFC 3261 §21.5.4). */
    private static final String RETRY_AFTER_SECONDS = "5";
    private static final int MAX_REQUEST_KEYS = 1_000_000;
    private static final int MAX_FAILING_SOURCES = 1_000_000;
    private static final int MAX_FAILING_USERS = 100_000;
    private static final int MAX_NONCE_COUNTS = 1_000_000;
    private static final int MAX_SWEEPING_SOURCES = 100_000;
    /** The methods an extension sweep names its users with (SIPVicious svwar: REGISTER, OPTIONS or INVITE). */
    private static final Set<String> SWEEP_METHODS = Set.of(Request.REGISTER, Request.OPTIONS, Request.INVITE);
    /** Trusted zones' sources (offices) get this many times the access budgets. */
    private static final int PEER_BUDGET_FACTOR = 50;
    /** The burst of a request budget, in seconds' worth. */
    private static final int BURST_SECONDS = 4;

    /** A source address and a method class (REGISTER, INVITE, OPTIONS, other), the key of request budgets. */
    private record RequestKey(InetAddress source, String methodClass) { }

    /** Replaced whole at reload; read once per request. */
    private volatile Settings settings;
    private final BanService bans;
    private final FloodWatch flood;
    private final DropSummary drops;
    private final SecurityEventLog events;
    private final SecurityMetrics metrics;
    private final Clock clock;
    private final LongSupplier nanos;
    private final RateLimitTable<RequestKey> requests;
    private final FailureCounter<InetAddress> authFailures;
    private final FailureCounter<String> userFailures;
    private final ExtensionSweeps<InetAddress> sweeps;
    private final DigestAuthenticator authenticator;

    public AccessPolicy(SecurityZones zones, SecurityConfig config, BanService bans, FloodWatch flood,
            DropSummary drops, SecurityEventLog events, SecurityMetrics metrics, Clock clock, LongSupplier monotonic) {
        this.bans = bans;
        this.flood = flood;
        this.drops = drops;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
        this.nanos = monotonic;
        this.requests = new RateLimitTable<>(MAX_REQUEST_KEYS, Duration.ofMinutes(1).toNanos(), nanos);
        this.settings = new Settings(zones, config, userNames(config), newInviteBudget(config));
        this.authFailures = new FailureCounter<>(config.authFailureWindow(), MAX_FAILING_SOURCES, nanos);
        this.userFailures = new FailureCounter<>(config.authFailureWindow(), MAX_FAILING_USERS, nanos);
        this.sweeps = new ExtensionSweeps<>(MAX_SWEEPING_SOURCES, SecurityConfig.ExtensionSweep.MAX_THRESHOLD, nanos);
        this.authenticator = new DigestAuthenticator(config.realm(), config.digestAlgorithms(), config.users(),
                config.nonceLifetime(), MAX_NONCE_COUNTS, nanos, new SecureRandom());
    }

    /**
     * What the policy decides by, from one configuration generation. Request buckets, failure counters and the
     * nonce table are not part of it: they carry over a reload.
     *
     * @param users the names of the access-zone accounts
     * @param newInvites the budget of new INVITEs over all sources
     */
    private record Settings(SecurityZones zones, SecurityConfig config, Set<String> users,
            SharedRateLimiter newInvites) { }

    private static Set<String> userNames(SecurityConfig config) {
        return Set.copyOf(config.users().stream().map(DigestUser::name).toList());
    }

    private SharedRateLimiter newInviteBudget(SecurityConfig config) {
        return new SharedRateLimiter(config.newInvitesPerSecond(), config.newInvitesPerSecond(), nanos.getAsLong());
    }

    /**
     * Decides by new zones, users, budgets and thresholds from the next request on (a configuration reload). The
     * digest realm, its algorithms, the nonce lifetime and the failure window are fixed at start (a reload that
     * changes them is refused before it gets here). The new-INVITE budget starts full when its rate changed and
     * carries on otherwise. Any thread.
     */
    public void reconfigure(SecurityZones zones, SecurityConfig config) {
        Settings old = settings;
        SharedRateLimiter invites = old.config().newInvitesPerSecond() == config.newInvitesPerSecond()
                ? old.newInvites() : newInviteBudget(config);
        authenticator.replaceUsers(config.users());
        settings = new Settings(zones, config, userNames(config), invites);
    }

    @Override
    public Verdict check(String zone, InetAddress source, SplicedRequest request, boolean newInvite,
            boolean needsAuthentication) {
        Settings current = settings;
        SecurityZones zones = current.zones();
        SharedRateLimiter newInvites = current.newInvites();
        if (zones.role(zone) != ZoneConfig.ZoneRole.ACCESS) {
            return newInvite && !newInvites.tryTake(nanos.getAsLong()) ? overload() : Verdict.ALLOW;
        }
        boolean trusted = zones.trusted(zone);
        String methodClass = methodClass(request.method());
        double budget = current.config().requestsPerSecond().get(methodClass) * (trusted ? PEER_BUDGET_FACTOR : 1);
        if (!requests.tryTake(new RequestKey(source, methodClass), budget, budget * BURST_SECONDS)) {
            metrics.decision(SecurityRule.REQUEST_BUDGET, "drop");
            drops.dropped(source, zone, SecurityRule.REQUEST_BUDGET);
            flood.overBudget(source, zone);
            return Verdict.DROP;
        }
        ScannerFingerprint fingerprint = scannerFingerprint(current.config(), request);
        if (fingerprint != null) {
            // A trusted source is never banned; its scanner requests are summarised, not logged one by one.
            metrics.decision(SecurityRule.SCANNER, "drop");
            drops.dropped(source, zone, SecurityRule.SCANNER);
            if (!trusted) {
                bans.ban(source, zone, SecurityRule.SCANNER, BanReason.SCANNER, Map.of("header",
                        fingerprint.header().key(), "fingerprint", fingerprint.contains(), "tool", fingerprint.tool()));
            }
            return Verdict.DROP;
        }
        if (!trusted && sweeping(current.config().extensionSweep(), zone, source, request)) {
            return Verdict.DROP;
        }
        if (!needsAuthentication) {
            return Verdict.ALLOW;
        }
        Verdict auth = authenticate(current, zone, source, request, trusted);
        if (!auth.allowed()) {
            return auth;
        }
        if (!Request.REGISTER.equals(request.method()) && !callerIsUser(request, auth.user())) {
            reject(zone, source, auth.user(), SecurityRule.IDENTITY,
                    "From, P-Asserted-Identity or P-Preferred-Identity does not name the authenticated user");
            return Verdict.reject(403, auth.user());
        }
        if (newInvite && !newInvites.tryTake(nanos.getAsLong())) {
            return overload();
        }
        return auth;
    }

    /**
     * Whether this request completes an extension sweep: its To user is numeric, and the source named the threshold
     * of distinct ones within the window without authenticating. The source is then banned as a scanner.
     */
    private boolean sweeping(SecurityConfig.ExtensionSweep sweep, String zone, InetAddress source,
            SplicedRequest request) {
        if (!sweep.enabled() || !SWEEP_METHODS.contains(request.method())) {
            return false;
        }
        String user = request.toAddress().getURI() instanceof SipURI sip ? sip.getUser() : null;
        int named = sweeps.record(source, user, sweep.window().toNanos());
        if (named < sweep.threshold()) {
            return false;
        }
        sweeps.reset(source);
        metrics.decision(SecurityRule.EXTENSION_SWEEP, "drop");
        drops.dropped(source, zone, SecurityRule.EXTENSION_SWEEP);
        bans.ban(source, zone, SecurityRule.EXTENSION_SWEEP, BanReason.SCANNER, Map.of("numeric_users", named,
                "threshold", sweep.threshold(), "window_seconds", sweep.window().toSeconds(), "last_user", user));
        return true;
    }

    private static String methodClass(String method) {
        return switch (method) {
            case Request.REGISTER -> "register";
            case Request.INVITE -> "invite";
            case Request.OPTIONS -> "options";
            default -> "other";
        };
    }

    /** The configured scanner fingerprint found in the request's headers, or null. */
    private static ScannerFingerprint scannerFingerprint(SecurityConfig config, SplicedRequest request) {
        return config.scannerFingerprints().match(header -> headerValues(request, header));
    }

    /** Every value of {@code header} in the request, one per header line as received. */
    private static List<String> headerValues(SplicedRequest request, ScannerFingerprint.Header header) {
        String name = switch (header) {
            case USER_AGENT -> "User-Agent";
            case FROM -> "From";
            case TO -> "To";
            case CONTACT -> "Contact";
            case VIA -> "Via";
            case CALL_ID -> "Call-ID";
        };
        return request.values(name);
    }

    private Verdict overload() {
        metrics.decision(SecurityRule.OVERLOAD, "reject");
        return new Verdict(Verdict.Kind.REJECT, 503, Map.of("Retry-After", List.of(RETRY_AFTER_SECONDS)), null, null);
    }

    private Verdict authenticate(Settings current, String zone, InetAddress source, SplicedRequest request,
            boolean trusted) {
        SecurityConfig config = current.config();
        boolean register = Request.REGISTER.equals(request.method());
        String credentialsHeader = register ? "Authorization" : "Proxy-Authorization";
        List<String> credentials = request.values(credentialsHeader);
        // RFC 3261 §22.4: the credentials are for this Request-URI; jain-sip-ri's model writes it as received but
        // for the scheme's case, which the authenticator compares without regard to case.
        List<DigestAlgorithm> zoneAlgorithms = current.zones().digestAlgorithms(zone);
        DigestAuthenticator.Result result = authenticator.verify(credentials, request.method(),
                request.requestUri().toString(), source, zoneAlgorithms);
        if (result.outcome() == AuthOutcome.OK) {
            authFailures.reset(source);
            sweeps.reset(source);
            return Verdict.allow(result.user());
        }
        if (result.outcome() == AuthOutcome.FAILED || result.outcome() == AuthOutcome.REPLAY) {
            metrics.authFailure();
            alertOnUserFailures(current, zone, source, request);
            if (!trusted) {
                bans.failureAcrossNodes(SharedState.FailureKind.AUTH, source, zone, config.authFailureWindow(),
                        config.authFailureThreshold(), SecurityRule.AUTH_FAILURES, BanReason.AUTH_FAILURES);
            }
            int failures = authFailures.record(source);
            if (failures >= config.authFailureThreshold() && !trusted) {
                authFailures.reset(source);
                bans.ban(source, zone, SecurityRule.AUTH_FAILURES, BanReason.AUTH_FAILURES, Map.of(
                        "failures", failures, "threshold", config.authFailureThreshold(),
                        "window_seconds", config.authFailureWindow().toSeconds()));
                return Verdict.DROP;
            }
        }
        // Missing, stale, failed and replayed credentials all get the same kind of challenge: only a fresh nonce
        // (and stale=true for a nonce that merely expired) differs, so probes cannot tell users apart.
        List<DigestAlgorithm> offered = authenticator.algorithmsFor(namedAccount(request, register), zoneAlgorithms);
        return new Verdict(Verdict.Kind.CHALLENGE, register ? 401 : 407,
                Map.of(register ? "WWW-Authenticate" : "Proxy-Authenticate",
                        authenticator.challenge(result.outcome() == AuthOutcome.STALE, offered)), null, null);
    }

    /**
     * The account a request is for, before it has credentials: the To user of a REGISTER (the address-of-record,
     * RFC 3261 §10.2), the From user of anything else; null when the URI has no user.
     */
    private static String namedAccount(SplicedRequest request, boolean register) {
        URI uri = (register ? request.toAddress() : request.fromAddress()).getURI();
        return uri instanceof SipURI sip ? sip.getUser() : null;
    }

    /**
     * Failures against one account, from any number of sources, raise an alert event at the threshold (and at
     * every further multiple of it) but never block the account: see the class comment on lockout.
     */
    private void alertOnUserFailures(Settings current, String zone, InetAddress source, SplicedRequest request) {
        SecurityConfig config = current.config();
        String user = credentialUser(request);
        if (user == null || !current.users().contains(user)) {
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
    private static String credentialUser(SplicedRequest request) {
        for (String name : List.of("Authorization", "Proxy-Authorization")) {
            String value = request.value(name);
            if (value != null) {
                Map<String, String> parameters = DigestParameters.parse(value);
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
    private static boolean callerIsUser(SplicedRequest request, String user) {
        URI uri = request.fromAddress().getURI();
        if (!(uri instanceof SipURI sip) || !user.equals(sip.getUser())) {
            return false;
        }
        for (String name : IDENTITY_HEADERS) {
            for (SIPHeader header : request.models(name)) {
                if (!(header instanceof HeaderAddress asserted)
                        || !(asserted.getAddress().getURI() instanceof SipURI identity)
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
}
