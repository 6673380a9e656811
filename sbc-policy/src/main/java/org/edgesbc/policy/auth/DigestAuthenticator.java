package org.edgesbc.policy.auth;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SIP digest authentication (RFC 3261 §22, RFC 7616) with qop=auth, SHA-256 and MD5. Nonces are stateless: the
 * issue time (on the monotonic clock, so a wall-clock step neither expires nor revives them) and an HMAC of it
 * under a per-process secret, so any nonce the SBC issued can be checked without a
 * table, and an expired one is answered with stale=true. Nonce-counts are remembered per nonce (bounded, expiring
 * with the nonce) so a captured Authorization header cannot be replayed.
 *
 * <p>Unknown users, wrong passwords, disabled users and disallowed sources all yield {@link AuthOutcome#FAILED}
 * after the same work (a digest computed against a dummy HA1 for users that do not exist), so that neither the
 * answer nor its timing tells an enumerator which extensions exist.
 *
 * <p>Thread-safe: relay shards call it concurrently; the nonce-count table is synchronised.
 */
public final class DigestAuthenticator {
    private static final HexFormat HEX = HexFormat.of();
    private static final int NONCE_TIME_BYTES = 8;
    /** Random bytes in every nonce, so two challenges at the same instant never share a nonce-count history. */
    private static final int NONCE_RANDOM_BYTES = 8;
    private static final int NONCE_MAC_BYTES = 16;
    private static final int NONCE_BYTES = NONCE_TIME_BYTES + NONCE_RANDOM_BYTES + NONCE_MAC_BYTES;

    private final String realm;
    /** The algorithms challenged with, in the order offered; credentials in any other are refused. */
    private final List<DigestAlgorithm> algorithms;
    /** Replaced whole by {@link #replaceUsers}; read once per verification. */
    private volatile Map<String, DigestUser> users;
    private final Duration nonceLifetime;
    /** Monotonic nanoseconds ({@link System#nanoTime} in the daemon), the time in every nonce. */
    private final LongSupplier monotonic;
    /** Added to the monotonic clock, so that nonces do not tell the host's uptime; times are compared by difference. */
    private final long timeOffset;
    private final SecureRandom random;
    private final byte[] secret = new byte[32];
    private final Map<DigestAlgorithm, String> dummyHa1 = new LinkedHashMap<>();
    /** Highest nonce-count seen per nonce, with the nonce's issue time; guarded by its own monitor. */
    private final LinkedHashMap<String, NonceUse> nonceCounts;
    /**
     * Latest issue time (monotonic ns) of a nonce pushed out of the full table while still fresh, valid once
     * {@link #anyForgotten}: such a nonce, seen again, has lost its history, so it and every nonce issued no later
     * get STALE (a new challenge) rather than a replay window. Both guarded by {@code nonceCounts}.
     */
    private long forgottenUpTo;
    private boolean anyForgotten;

    private record NonceUse(long count, long issuedNanos) { }
    private final ThreadLocal<Mac> macs;

    /**
     * @param realm the digest realm of every challenge
     * @param algorithms the algorithms offered, each in a challenge of its own, in this order (RFC 7616 §3.7: a
     *     client takes the first it supports; some phones only ever read the first); at least one
     * @param nonceLifetime how long a nonce is fresh; an older one with valid credentials gets STALE
     * @param maxTrackedNonces bound of the nonce-count table; the nonce first used longest ago is forgotten first
     *     (and nonces issued no later than it are answered STALE from then on, so forgetting never opens a replay)
     * @param random source of the HMAC secret, the nonce salts and the dummy HA1s
     */
    public DigestAuthenticator(String realm, List<DigestAlgorithm> algorithms, List<DigestUser> users,
            Duration nonceLifetime, int maxTrackedNonces, LongSupplier monotonic, SecureRandom random) {
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("at least one digest algorithm is needed");
        }
        this.realm = realm;
        this.algorithms = List.copyOf(algorithms);
        this.users = byName(users);
        this.nonceLifetime = nonceLifetime;
        this.monotonic = monotonic;
        this.random = random;
        random.nextBytes(secret);
        this.timeOffset = random.nextLong();
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            byte[] dummy = new byte[16];
            random.nextBytes(dummy);
            dummyHa1.put(algorithm, ha1(algorithm, HEX.formatHex(dummy), realm, HEX.formatHex(dummy)));
        }
        long lifetimeNanos = nonceLifetime.toNanos();
        this.nonceCounts = new LinkedHashMap<>(1024, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, NonceUse> eldest) {
                long issued = eldest.getValue().issuedNanos();
                boolean expired = now() - issued > lifetimeNanos;
                if (!expired && size() > maxTrackedNonces) {
                    forgottenUpTo = anyForgotten && forgottenUpTo - issued > 0 ? forgottenUpTo : issued;
                    anyForgotten = true;
                }
                // An expired nonce never reaches the count check again (it is answered STALE), so it can go.
                return expired || size() > maxTrackedNonces;
            }
        };
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks HmacSHA256", e);
            }
        });
    }

    /**
     * Replaces the accounts for verifications from now on (a configuration reload). The nonce secret and the
     * nonce-count table stay, so a challenge issued before the reload is still answered correctly after it.
     */
    public void replaceUsers(List<DigestUser> next) {
        this.users = byName(next);
    }

    private static Map<String, DigestUser> byName(List<DigestUser> users) {
        Map<String, DigestUser> map = new LinkedHashMap<>();
        users.forEach(u -> map.put(u.name(), u));
        return Map.copyOf(map);
    }

    /** HA1 = H(user:realm:password) in hex, as the configuration stores it (RFC 7616 §3.4.2). */
    public static String ha1(DigestAlgorithm algorithm, String user, String realm, String password) {
        return DigestHashes.ha1(algorithm, user, realm, password);
    }

    public String realm() {
        return realm;
    }

    /**
     * The challenge header values (WWW-Authenticate for 401, Proxy-Authenticate for 407), one per configured
     * algorithm in the configured order, all with the same fresh nonce.
     */
    public List<String> challenge(boolean stale) {
        return challenge(stale, algorithms);
    }

    /**
     * The challenge header values for the given algorithms (from {@link #algorithmsFor}), one per algorithm in
     * that order, all with the same fresh nonce.
     */
    public List<String> challenge(boolean stale, List<DigestAlgorithm> offered) {
        String nonce = newNonce();
        List<String> values = new ArrayList<>();
        for (DigestAlgorithm algorithm : offered) {
            values.add("Digest realm=\"" + realm + "\", nonce=\"" + nonce + "\", algorithm=" + algorithm.token()
                    + ", qop=\"auth\"" + (stale ? ", stale=true" : ""));
        }
        return values;
    }

    /**
     * The algorithms a request naming {@code user} is challenged with and may answer in: the account's own list,
     * else the zone's ({@code zoneAlgorithms}, empty when the zone has none), else the authenticator's.
     *
     * <p>An account's own list shows in the challenges to requests that name it, so a probe can tell such an
     * account from others; a zone list, which every request from the zone gets, shows nothing about accounts.
     *
     * @param user the account a request names (To of a REGISTER, From otherwise), or null
     */
    public List<DigestAlgorithm> algorithmsFor(String user, List<DigestAlgorithm> zoneAlgorithms) {
        DigestUser account = user == null ? null : users.get(user);
        if (account != null && !account.algorithms().isEmpty()) {
            return account.algorithms();
        }
        return zoneAlgorithms.isEmpty() ? algorithms : zoneAlgorithms;
    }

    /** The outcome and, when OK, the authenticated user. */
    public record Result(AuthOutcome outcome, String user) {
        static final Result MISSING = new Result(AuthOutcome.MISSING, null);
    }

    /**
     * Checks credentials for a request, and that they were computed for this request's URI.
     *
     * <p>The credentials' {@code uri} must name the request's Request-URI (RFC 3261 §22.4, RFC 7616 §3.4.6), so that
     * credentials captured on the way to one target cannot be spent on another. The comparison is of the strings,
     * the scheme excepted, which is compared without regard to case (RFC 3261 §19.1.4, RFC 3986 §3.1): a phone
     * copies its Request-URI into {@code uri} as it wrote it. A mismatch is {@link AuthOutcome#FAILED} after the
     * same digest work as a wrong password, so it can be told apart from one neither by the answer nor by its
     * timing.
     *
     * @param credentials the Authorization or Proxy-Authorization header values of the request
     * @param method the request method (for HA2)
     * @param requestUri the request's Request-URI
     * @param source where the request came from (for per-user source restrictions)
     */
    public Result verify(List<String> credentials, String method, String requestUri, InetAddress source) {
        return verify(credentials, method, requestUri, source, List.of());
    }

    /**
     * As {@link #verify(List, String, String, InetAddress)}, for a request from a zone with its own algorithm list
     * (empty: none): the credentials' algorithm must be one {@link #algorithmsFor} gives their user. Credentials in
     * another algorithm fail after the same work as a wrong password.
     */
    public Result verify(List<String> credentials, String method, String requestUri, InetAddress source,
            List<DigestAlgorithm> zoneAlgorithms) {
        Map<String, String> p = null;
        for (String value : credentials) {
            Map<String, String> candidate = DigestParameters.parse(value);
            if (candidate != null && realm.equals(candidate.get("realm"))) {
                p = candidate;
                break;
            }
        }
        if (p == null) {
            return credentials.isEmpty() ? Result.MISSING : new Result(AuthOutcome.FAILED, null);
        }
        String username = p.get("username");
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        String nc = p.get("nc");
        String cnonce = p.get("cnonce");
        DigestAlgorithm algorithm = DigestAlgorithm.fromToken(p.get("algorithm"));
        if (username == null || nonce == null || uri == null || response == null || nc == null || cnonce == null
                || algorithm == null || !"auth".equals(p.get("qop")) || !isNonceCount(nc)) {
            // RFC 2069 style credentials without qop have no replay protection: refused.
            return new Result(AuthOutcome.FAILED, null);
        }
        long issued = issuedNanos(nonce);
        if (issued == FORGED) {
            return new Result(AuthOutcome.FAILED, null);
        }
        long age = now() - issued;
        boolean fresh = age >= 0 && age <= nonceLifetime.toNanos();
        DigestUser user = users.get(username);
        String ha1 = user == null ? null : user.ha1().get(algorithm);
        boolean eligible = user != null && ha1 != null && user.enabled() && allowed(user, source)
                && algorithmsFor(username, zoneAlgorithms).contains(algorithm);
        String expected = DigestHashes.authResponse(algorithm, eligible ? ha1 : dummyHa1.get(algorithm), nonce, nc,
                cnonce, method, uri);
        boolean matches = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        if (!matches || !eligible || !namesRequestUri(uri, requestUri)) {
            return new Result(AuthOutcome.FAILED, null);
        }
        if (!fresh) {
            return new Result(AuthOutcome.STALE, null);
        }
        // RFC 7616 §3.4: the nonce-count must grow with each request that uses the nonce.
        long count = Long.parseLong(nc, 16);
        synchronized (nonceCounts) {
            NonceUse previous = nonceCounts.get(nonce);
            if (previous == null && anyForgotten && issued - forgottenUpTo <= 0) {
                return new Result(AuthOutcome.STALE, null);
            }
            if (previous != null && count <= previous.count()) {
                return new Result(AuthOutcome.REPLAY, null);
            }
            nonceCounts.put(nonce, new NonceUse(count, issued));
        }
        return new Result(AuthOutcome.OK, username);
    }

    /** Whether the credentials' {@code uri} is the Request-URI: the same string but for the scheme's case. */
    private static boolean namesRequestUri(String uri, String requestUri) {
        int colon = requestUri.indexOf(':');
        return colon > 0 && uri.length() == requestUri.length() && uri.regionMatches(true, 0, requestUri, 0, colon)
                && uri.regionMatches(colon, requestUri, colon, requestUri.length() - colon);
    }

    private static boolean allowed(DigestUser user, InetAddress source) {
        return user.allowedSources().isEmpty() || user.allowedSources().stream().anyMatch(c -> c.contains(source));
    }

    private long now() {
        return monotonic.getAsLong() + timeOffset;
    }

    /** What {@link #issuedNanos} answers for a nonce the SBC did not issue. */
    private static final long FORGED = Long.MIN_VALUE;

    private String newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        ByteBuffer.wrap(nonce).putLong(now());
        synchronized (random) {
            byte[] salt = new byte[NONCE_RANDOM_BYTES];
            random.nextBytes(salt);
            System.arraycopy(salt, 0, nonce, NONCE_TIME_BYTES, NONCE_RANDOM_BYTES);
        }
        byte[] mac = mac(nonce, NONCE_TIME_BYTES + NONCE_RANDOM_BYTES);
        System.arraycopy(mac, 0, nonce, NONCE_TIME_BYTES + NONCE_RANDOM_BYTES, NONCE_MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    }

    /** RFC 7616 §3.4: nc is exactly 8 hexadecimal digits. */
    private static boolean isNonceCount(String nc) {
        if (nc.length() != 8) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            if (!HexFormat.isHexDigit(nc.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The issue time of a nonce this authenticator made, or {@link #FORGED}. */
    private long issuedNanos(String nonce) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return FORGED;
        }
        if (bytes.length != NONCE_BYTES) {
            return FORGED;
        }
        int signed = NONCE_TIME_BYTES + NONCE_RANDOM_BYTES;
        byte[] expected = Arrays.copyOf(mac(bytes, signed), NONCE_MAC_BYTES);
        byte[] given = Arrays.copyOfRange(bytes, signed, bytes.length);
        if (!MessageDigest.isEqual(expected, given)) {
            return FORGED;
        }
        long issued = ByteBuffer.wrap(bytes).getLong();
        return issued == FORGED ? FORGED + 1 : issued;
    }

    /** HMAC-SHA256 over the nonce's time and random parts and the realm. */
    private byte[] mac(byte[] nonce, int length) {
        Mac mac = macs.get();
        mac.update(nonce, 0, length);
        return mac.doFinal(realm.getBytes(StandardCharsets.UTF_8));
    }
}
