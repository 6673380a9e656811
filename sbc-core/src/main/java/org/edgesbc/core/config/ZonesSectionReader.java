package org.edgesbc.core.config;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestCredentials;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.tls.PemFiles;

/**
 * Binds the required {@code zones} list: each zone's name, role, admitted networks, peers (one {@code peer} or a
 * {@code peers} list), OPTIONS probes, SRTP policy, office flag, redirect mode, session timers, digest algorithms,
 * the SBC's account at the peers, its client certificate toward them, and the zone's number and header rules ({@link ZoneRulesReader}). Rules between
 * zones (unique names and networks, at least one trunk and one pbx) are {@link CrossSectionCheck}'s.
 */
final class ZonesSectionReader {
    private static final Set<String> ZONE_KEYS = Set.of("name", "role", "networks", "peer", "peers", "probe", "srtp",
            "office", "redirects", "session-timers", "digest-algorithms", "account", "number-plan", "inbound",
            "outbound", "tls", "keepalive");
    private static final Set<String> TLS_KEYS = Set.of("certificate", "private-key");
    private static final Set<String> SESSION_TIMER_KEYS = Set.of("enabled", "session-expires", "min-se");
    /** A day: longer intervals would keep a dead call's state that long. */
    private static final Duration LONGEST_SESSION_EXPIRES = Duration.ofDays(1);
    private static final Set<String> PEER_KEYS = Set.of("host", "port", "transport");
    private static final Set<String> ACCOUNT_KEYS = Set.of("user", "auth-user", "password", "ha1-md5", "ha1-sha256",
            "realm", "register", "register-expires");
    /** What the SBC's REGISTER to a trunk asks for unless {@code register-expires} says otherwise. */
    static final Duration DEFAULT_REGISTER_EXPIRES = Duration.ofMinutes(10);
    private static final Pattern SIP_USER = Pattern.compile("[A-Za-z0-9\\-_.!~*'()&=+$,;?/%]+");
    private static final Set<String> PROBE_KEYS = Set.of("interval", "timeout", "down-after", "up-after");
    /** RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
    private static final java.util.regex.Pattern HOST_NAME = java.util.regex.Pattern.compile(
            "(?=.{1,253}\\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                    + "[A-Za-z0-9])?\\.?");
    /** A zone's peers are tried in turn within one call: more than a handful only makes a caller wait longer. */
    static final int MAX_PEERS_PER_ZONE = 16;

    private final ConfigReader reader;

    ZonesSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** The zones that bound completely, in document order. */
    List<ZoneConfig> read(YamlTree.Mapping root) {
        List<ZoneConfig> zones = new ArrayList<>();
        reader.forEachMapping(root, "", "zones", true, ZONE_KEYS, (zone, path) -> {
            String name = reader.string(zone, path, "name", null, true);
            ZoneConfig.ZoneRole role = reader.enumValue(zone, path, "role", ZoneConfig.ZoneRole.class, null, true);
            List<Cidr> networks = networks(zone, path);
            List<ZoneConfig.PeerConfig> peers = peers(zone, path, role);
            ZoneConfig.ProbeConfig probe = probe(zone, path, role);
            SrtpPolicy srtp = reader.enumValue(zone, path, "srtp", SrtpPolicy.class, SrtpPolicy.OFF, false);
            boolean office = reader.bool(zone, path, "office", false);
            ZoneConfig.RedirectMode redirects = reader.enumValue(zone, path, "redirects",
                    ZoneConfig.RedirectMode.class, ZoneConfig.RedirectMode.RECURSE, false);
            if (office && role != ZoneConfig.ZoneRole.ACCESS) {
                reader.error(zone.line(), path + ".office", "true", "only an access zone can be an office");
            }
            SessionTimerConfig sessionTimers = sessionTimers(zone, path);
            ZoneConfig.Keepalive keepalive = keepalive(zone, path);
            ZoneConfig.PeerAccount account = account(zone, path, role);
            ZoneConfig.ClientTls tls = clientTls(zone, path, role);
            ZoneConfig.Rules rules = new ZoneRulesReader(reader).read(zone, path);
            List<DigestAlgorithm> algorithms = SecuritySectionReader.digestAlgorithms(reader, zone, path);
            if (!algorithms.isEmpty() && role != ZoneConfig.ZoneRole.ACCESS) {
                reader.error(zone.entries().get("digest-algorithms").keyLine(), path + ".digest-algorithms", null,
                        "only an access zone authenticates its phones");
            }
            if (name != null && role != null) {
                zones.add(new ZoneConfig(name, role, List.copyOf(networks), peers, srtp, office, probe, redirects,
                        sessionTimers, algorithms, account, rules, tls, keepalive));
            }
        });
        return zones;
    }

    /**
     * When the SBC sends in-dialog OPTIONS on the zone's answered calls: at an interval, only after the SIP sockets
     * dropped datagrams ({@code after-loss}, the default), or never ({@code off}). Shorter than 10 s would load every
     * peer for little; longer than an hour would find little.
     */
    private ZoneConfig.Keepalive keepalive(YamlTree.Mapping zone, String path) {
        ConfigReader.Scalar value = reader.scalar(zone, path, "keepalive", false);
        if (value == null || value.text().equals("after-loss")) {
            return ZoneConfig.Keepalive.AFTER_LOSS;
        }
        if (value.text().equals("off")) {
            return ZoneConfig.Keepalive.OFF;
        }
        Duration interval = reader.duration(zone, path, "keepalive", null, Duration.ofSeconds(10),
                Duration.ofHours(1), "must be after-loss, off, or a duration from 10s to 1h with a unit (30s, 5m)");
        return interval == null ? ZoneConfig.Keepalive.AFTER_LOSS : ZoneConfig.Keepalive.every(interval);
    }

    /** RFC 4028 settings of the zone's legs; Min-SE at least 90 s (§4) and no longer than the interval offered. */
    private SessionTimerConfig sessionTimers(YamlTree.Mapping zone, String path) {
        String timersPath = path + ".session-timers";
        YamlTree.Mapping timers = reader.optionalMapping(zone, path, "session-timers", SESSION_TIMER_KEYS);
        if (timers == null) {
            return SessionTimerConfig.DEFAULT;
        }
        SessionTimerConfig defaults = SessionTimerConfig.DEFAULT;
        boolean enabled = reader.bool(timers, timersPath, "enabled", defaults.enabled());
        Duration minSe = reader.duration(timers, timersPath, "min-se", defaults.minSe(),
                SessionTimerConfig.LOWEST_MIN_SE, LONGEST_SESSION_EXPIRES);
        Duration sessionExpires = reader.duration(timers, timersPath, "session-expires", defaults.sessionExpires(),
                SessionTimerConfig.LOWEST_MIN_SE, LONGEST_SESSION_EXPIRES);
        if (sessionExpires.compareTo(minSe) < 0) {
            reader.error(timers.line(), timersPath + ".session-expires", sessionExpires.toSeconds() + "s",
                    "must not be shorter than min-se (" + minSe.toSeconds() + "s)");
        }
        if (sessionExpires.toMillis() % 1000 != 0 || minSe.toMillis() % 1000 != 0) {
            reader.error(timers.line(), timersPath, null, "session-expires and min-se are whole seconds (RFC 4028)");
        }
        return new SessionTimerConfig(enabled, sessionExpires, minSe);
    }

    /**
     * The SBC's account at the zone's peer: a user, a password or HA1 (HA1 holds for one realm, so it needs the
     * realm), optionally a digest user of its own, and for trunks whether to register. Errors never show a secret.
     */
    private ZoneConfig.PeerAccount account(YamlTree.Mapping zone, String path, ZoneConfig.ZoneRole role) {
        String accountPath = path + ".account";
        int errorsBefore = reader.errors().size();
        YamlTree.Mapping account = reader.optionalMapping(zone, path, "account", ACCOUNT_KEYS);
        if (account == null) {
            return null;
        }
        if (role == ZoneConfig.ZoneRole.ACCESS) {
            reader.error(account.line(), accountPath, null, "an access zone has no peer to hold an account at");
            return null;
        }
        String user = reader.parsed(reader.scalar(account, accountPath, "user", true), ZonesSectionReader::sipUser);
        String authUser = reader.parsed(reader.scalar(account, accountPath, "auth-user", false),
                ZonesSectionReader::sipUser);
        String realm = reader.parsed(reader.scalar(account, accountPath, "realm", false),
                ZonesSectionReader::realm);
        ConfigReader.Scalar password = reader.scalar(account, accountPath, "password", false);
        Map<DigestAlgorithm, String> ha1 = new EnumMap<>(DigestAlgorithm.class);
        reader.ha1(account, accountPath, "ha1-md5", 32).ifPresent(hash -> ha1.put(DigestAlgorithm.MD5, hash));
        reader.ha1(account, accountPath, "ha1-sha256", 64).ifPresent(hash -> ha1.put(DigestAlgorithm.SHA_256, hash));
        boolean hashed = account.entries().containsKey("ha1-md5") || account.entries().containsKey("ha1-sha256");
        if ((password == null) == !hashed) {
            reader.error(account.line(), accountPath, null, "needs a password or ha1-md5/ha1-sha256 (not both)");
        } else if (password != null && password.text().isEmpty()) {
            reader.error(password.line(), password.path(), null, "must not be empty");
        } else if (hashed && realm == null) {
            reader.error(account.line(), accountPath + ".realm", null,
                    "is required with ha1-md5/ha1-sha256: an HA1 hash holds for one realm");
        }
        boolean register = reader.bool(account, accountPath, "register", false);
        Duration expires = reader.duration(account, accountPath, "register-expires", DEFAULT_REGISTER_EXPIRES,
                Duration.ofSeconds(10), Duration.ofDays(1));
        if (register && role != ZoneConfig.ZoneRole.TRUNK) {
            reader.error(account.line(), accountPath + ".register", "true",
                    "only the SBC's account at a trunk registers (phones register at the PBX through the SBC)");
        }
        if (user == null || reader.errors().size() > errorsBefore) {
            return null;
        }
        try {
            DigestCredentials credentials = new DigestCredentials(authUser != null ? authUser : user,
                    password == null ? null : password.text(), ha1, realm);
            return new ZoneConfig.PeerAccount(user, credentials, register ? expires : null);
        } catch (IllegalArgumentException e) {
            reader.error(account.line(), accountPath, null, e.getMessage());
            return null;
        }
    }

    /**
     * The client certificate toward the zone's peers: both files readable, the certificate and key parse, and the
     * key is the certificate's (a mismatch would only show as failed handshakes at the carrier).
     */
    private ZoneConfig.ClientTls clientTls(YamlTree.Mapping zone, String path, ZoneConfig.ZoneRole role) {
        String tlsPath = path + ".tls";
        YamlTree.Mapping tls = reader.optionalMapping(zone, path, "tls", TLS_KEYS);
        if (tls == null) {
            return null;
        }
        if (role == ZoneConfig.ZoneRole.ACCESS) {
            reader.error(tls.line(), tlsPath, null, "an access zone has no peer the SBC connects to");
            return null;
        }
        ConfigReader.Scalar certificateValue = reader.scalar(tls, tlsPath, "certificate", true);
        ConfigReader.Scalar keyValue = reader.scalar(tls, tlsPath, "private-key", true);
        java.nio.file.Path certificate = reader.readableFile(certificateValue);
        java.nio.file.Path key = reader.readableFile(keyValue);
        if (certificate == null || key == null) {
            return null;
        }
        X509Certificate[] chain;
        try {
            chain = PemFiles.certificates(certificate);
        } catch (IOException e) {
            reader.error(certificateValue.line(), certificateValue.path(), certificateValue.text(), e.getMessage());
            return null;
        }
        try {
            if (!PemFiles.isKeyOf(chain[0], PemFiles.privateKey(key))) {
                reader.error(keyValue.line(), keyValue.path(), keyValue.text(),
                        "is not the private key of " + certificate + " (" + chain[0].getSubjectX500Principal() + ")");
                return null;
            }
        } catch (IOException e) {
            reader.error(keyValue.line(), keyValue.path(), keyValue.text(), e.getMessage());
            return null;
        }
        return new ZoneConfig.ClientTls(certificate, key);
    }

    /** RFC 3261 §25.1 user: unreserved, escaped and user-unreserved characters. */
    private static String sipUser(String text) {
        if (!SIP_USER.matcher(text).matches()) {
            throw new IllegalArgumentException("must be a SIP user part (letters, digits and -_.!~*'()&=+$,;?/%)");
        }
        return text;
    }

    /** A realm goes into a quoted string as written: no quotes, backslashes or control characters. */
    private static String realm(String text) {
        if (text.isEmpty() || text.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("must be a realm as the peer's challenges name it (no quotes)");
        }
        return text;
    }

    private List<Cidr> networks(YamlTree.Mapping zone, String path) {
        List<Cidr> networks = new ArrayList<>();
        List<YamlTree> items = reader.sequence(zone, path, "networks", true);
        for (int index = 0; index < items.size(); index++) {
            String networkPath = path + ".networks[" + index + "]";
            if (items.get(index) instanceof YamlTree.Scalar network && !network.isNull()) {
                Cidr cidr = reader.parsed(new ConfigReader.Scalar(network.text(), network.line(), networkPath),
                        Cidr::parse);
                if (cidr != null) {
                    networks.add(cidr);
                }
            } else {
                reader.error(items.get(index).line(), networkPath, null, "must be a network such as 192.0.2.0/24");
            }
        }
        return networks;
    }

    /**
     * The zone's peers, from {@code peer} (one) or {@code peers} (a list, in order of preference): required for
     * trunk and pbx zones, refused for access zones (phones come to the SBC).
     */
    private List<ZoneConfig.PeerConfig> peers(YamlTree.Mapping zone, String path, ZoneConfig.ZoneRole role) {
        boolean one = zone.entries().containsKey("peer");
        boolean list = zone.entries().containsKey("peers");
        if (one && list) {
            reader.error(zone.entries().get("peers").keyLine(), path + ".peers", null,
                    "give either peer (one) or peers (a list), not both");
            return List.of();
        }
        if (!one && !list) {
            if (role != ZoneConfig.ZoneRole.ACCESS) {
                reader.error(zone.line(), path + ".peer", null,
                        "is required: where requests toward this zone are sent (or peers: a list)");
            }
            return List.of();
        }
        String key = one ? "peer" : "peers";
        if (role == ZoneConfig.ZoneRole.ACCESS) {
            reader.error(zone.entries().get(key).keyLine(), path + "." + key, null,
                    "an access zone has no peer: its phones come to the SBC");
            return List.of();
        }
        List<ZoneConfig.PeerConfig> peers = new ArrayList<>();
        if (one) {
            YamlTree.Mapping peer = reader.optionalMapping(zone, path, "peer");
            if (peer == null) {
                reader.error(zone.line(), path + ".peer", null, "is required: where requests toward this zone are sent");
            } else {
                addPeer(peer, path + ".peer", peers, role);
            }
            return List.copyOf(peers);
        }
        int count = reader.forEachMapping(zone, path, "peers", true, PEER_KEYS,
                (peer, peerPath) -> addPeer(peer, peerPath, peers, role));
        if (count == 0) {
            reader.error(zone.entries().get("peers").keyLine(), path + ".peers", null, "must name at least one peer");
        } else if (count > MAX_PEERS_PER_ZONE) {
            reader.error(zone.entries().get("peers").keyLine(), path + ".peers", Integer.toString(count),
                    "at most " + MAX_PEERS_PER_ZONE + " peers per zone (a call tries them in turn)");
        }
        return List.copyOf(peers);
    }

    /**
     * One peer: an IP address (port 5060 and UDP unless given), or for a trunk zone a host name, whose port and
     * transport DNS gives unless given (RFC 3263 §4.1, §4.2).
     */
    private void addPeer(YamlTree.Mapping peer, String peerPath, List<ZoneConfig.PeerConfig> peers,
            ZoneConfig.ZoneRole role) {
        reader.onlyKeys(peer, peerPath, PEER_KEYS);
        ConfigReader.Scalar hostScalar = reader.scalar(peer, peerPath, "host", true);
        boolean named = hostScalar != null && HOST_NAME.matcher(hostScalar.text()).matches()
                && !hostScalar.text().matches("[0-9.]+");
        if (named && role != ZoneConfig.ZoneRole.TRUNK) {
            reader.error(hostScalar.line(), hostScalar.path(), hostScalar.text(),
                    "only a trunk zone's peers may be host names; a pbx zone's are IP addresses");
            return;
        }
        String host = named ? hostScalar.text().toLowerCase(java.util.Locale.ROOT)
                : reader.parsed(hostScalar, ConfigReader::ipLiteral);
        int port = reader.integer(peer, peerPath, "port", named ? 0 : 5060, 1, 65_535);
        SipTransport transport = reader.enumValue(peer, peerPath, "transport", SipTransport.class,
                named ? null : SipTransport.UDP, false);
        if (host != null) {
            peers.add(new ZoneConfig.PeerConfig(host, port, transport));
        }
    }

    /** OPTIONS probes of the zone's peers; absent means none (the peers are taken as always up). */
    private ZoneConfig.ProbeConfig probe(YamlTree.Mapping zone, String path, ZoneConfig.ZoneRole role) {
        YamlTree.Mapping probe = reader.optionalMapping(zone, path, "probe", PROBE_KEYS);
        if (probe == null) {
            return null;
        }
        String probePath = path + ".probe";
        if (role == ZoneConfig.ZoneRole.ACCESS) {
            reader.error(probe.line(), probePath, null, "an access zone has no peers to probe");
            return null;
        }
        Duration interval = reader.duration(probe, probePath, "interval", Duration.ofSeconds(30),
                Duration.ofMillis(100), Duration.ofHours(1));
        Duration timeout = reader.duration(probe, probePath, "timeout", Duration.ofSeconds(2), Duration.ofMillis(50),
                Duration.ofMinutes(1));
        if (timeout.compareTo(interval) > 0) {
            reader.error(probe.line(), probePath + ".timeout", ConfigReader.format(timeout),
                    "must not be longer than the interval (" + ConfigReader.format(interval) + ")");
        }
        int downAfter = reader.integer(probe, probePath, "down-after", 3, 1, 100);
        int upAfter = reader.integer(probe, probePath, "up-after", 2, 1, 100);
        return new ZoneConfig.ProbeConfig(interval, timeout, downAfter, upAfter);
    }
}
