package org.edgesbc.core.config;

import java.time.Duration;
import java.util.List;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestCredentials;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.interconnect.DirectionRules;
import org.edgesbc.transport.SipTransport;

/**
 * A class of peers. Sources inside {@code networks} are admitted and belong to this zone; everything else is
 * dropped without an answer. Calls from a pbx zone go to a trunk zone and back, as {@link RoutingConfig} says.
 *
 * @param name unique, used in logs and the admin API
 * @param role what the zone is
 * @param networks source networks admitted into the zone
 * @param peers where requests toward this zone are sent, in order of preference: a new call goes to the first one
 *     that is up and moves on to the next when an attempt fails; empty for an access zone
 * @param srtp what the zone's media must be: plain RTP, SRTP when the peer takes it, or SRTP only
 * @param office an access zone the operator marks as an office behind NAT: many phones behind one address get the
 *     larger budgets of known peers and are never banned automatically (a re-registration storm after an outage is
 *     not an attack)
 * @param probe how the zone's peers are probed with OPTIONS, or null when they are not (always up)
 * @param redirects what becomes of the zone's 3xx answers to INVITEs
 * @param sessionTimers RFC 4028 session timers on the legs toward the zone
 * @param digestAlgorithms for an access zone, the digest algorithms its phones are challenged with and may answer
 *     in, in this order; empty: {@code security.digest-algorithms}. An account's own list comes first.
 * @param account the SBC's account at a trunk or PBX peer that challenges it or wants it registered, or null
 * @param rules how numbers and headers are rewritten for requests from and to the zone
 * @param tls the client certificate the SBC presents on TLS connections it opens toward the zone's peers, or null
 *     for the SBC's own ({@code sip.tls})
 * @param keepalive when the SBC asks each answered call's leg toward the zone, with an in-dialog OPTIONS, whether
 *     the dialog still exists there
 */
public record ZoneConfig(String name, ZoneRole role, List<Cidr> networks, List<PeerConfig> peers, SrtpPolicy srtp,
        boolean office, ProbeConfig probe, RedirectMode redirects, SessionTimerConfig sessionTimers,
        List<DigestAlgorithm> digestAlgorithms, PeerAccount account, Rules rules, ClientTls tls, Keepalive keepalive) {

    /**
     * When a zone's answered calls are asked whether their dialog still exists there.
     *
     * @param interval how often, or null for no periodic probe
     * @param afterLoss once, after the SIP listeners' sockets dropped datagrams at a full receive queue (a BYE may
     *     have been among them); a periodic probe asks anyway
     */
    public record Keepalive(Duration interval, boolean afterLoss) {
        /** Never asked. */
        public static final Keepalive OFF = new Keepalive(null, false);
        /** The default: asked only after a loss. */
        public static final Keepalive AFTER_LOSS = new Keepalive(null, true);

        public static Keepalive every(Duration interval) {
            return new Keepalive(interval, true);
        }
    }

    /** A zone whose calls the SBC probes with in-dialog OPTIONS only after a loss (the default). */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, List<PeerConfig> peers, SrtpPolicy srtp,
            boolean office, ProbeConfig probe, RedirectMode redirects, SessionTimerConfig sessionTimers,
            List<DigestAlgorithm> digestAlgorithms, PeerAccount account, Rules rules, ClientTls tls) {
        this(name, role, networks, peers, srtp, office, probe, redirects, sessionTimers, digestAlgorithms, account,
                rules, tls, Keepalive.AFTER_LOSS);
    }

    /** A zone presenting the SBC's own certificate to its peers. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, List<PeerConfig> peers, SrtpPolicy srtp,
            boolean office, ProbeConfig probe, RedirectMode redirects, SessionTimerConfig sessionTimers,
            List<DigestAlgorithm> digestAlgorithms, PeerAccount account, Rules rules) {
        this(name, role, networks, peers, srtp, office, probe, redirects, sessionTimers, digestAlgorithms, account,
                rules, null);
    }

    /** A zone without an account at its peers and without number and header rules. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, List<PeerConfig> peers, SrtpPolicy srtp,
            boolean office, ProbeConfig probe, RedirectMode redirects, SessionTimerConfig sessionTimers,
            List<DigestAlgorithm> digestAlgorithms) {
        this(name, role, networks, peers, srtp, office, probe, redirects, sessionTimers, digestAlgorithms, null,
                Rules.NONE);
    }

    public ZoneConfig {
        peers = List.copyOf(peers);
        digestAlgorithms = List.copyOf(digestAlgorithms);
    }

    /** A zone whose redirects the SBC follows, default session timers, challenged with the SBC's algorithms. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, List<PeerConfig> peers, SrtpPolicy srtp,
            boolean office, ProbeConfig probe) {
        this(name, role, networks, peers, srtp, office, probe, RedirectMode.RECURSE, SessionTimerConfig.DEFAULT,
                List.of());
    }

    /** A zone with at most one peer, not probed, whose redirects the SBC follows, challenged with {@code digestAlgorithms}. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
            boolean office, List<DigestAlgorithm> digestAlgorithms) {
        this(name, role, networks, peer == null ? List.of() : List.of(peer), srtp, office, null,
                RedirectMode.RECURSE, SessionTimerConfig.DEFAULT, digestAlgorithms);
    }

    /** A zone with at most one peer, not probed, whose redirects the SBC follows, with the default session timers. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
            boolean office) {
        this(name, role, networks, peer == null ? List.of() : List.of(peer), srtp, office, null);
    }

    /** A zone that is not an office, with at most one peer, not probed. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp) {
        this(name, role, networks, peer, srtp, false);
    }

    /** The first (most preferred) peer, or null for an access zone. */
    public PeerConfig peer() {
        return peers.isEmpty() ? null : peers.get(0);
    }

    /**
     * What the SBC does with a 3xx the zone answers an INVITE with: RECURSE tries the Contact itself, within the
     * zone's peer and the caller's toll-fraud rules; RELAY passes the 3xx back with its Contacts made the SBC's.
     */
    public enum RedirectMode { RECURSE, RELAY }

    /**
     * TRUNK: the carrier; PBX: the protected PBX; ACCESS: remote phones, which must authenticate with digest at the
     * SBC before anything of theirs reaches the PBX.
     */
    public enum ZoneRole { TRUNK, PBX, ACCESS }

    /**
     * The SBC's account at a zone's peer (zones.*.account): the credentials it answers the peer's 401/407
     * challenges with (RFC 3261 §22.2) and, for a trunk, whether it registers there.
     *
     * @param user the user the SBC registers as (the user part of the REGISTER's To, From and Contact)
     * @param credentials what challenges are answered with; {@code toString} hides the secret
     * @param registerExpires the expiry the SBC's REGISTER asks the trunk for, or null when it does not register
     */
    public record PeerAccount(String user, DigestCredentials credentials, Duration registerExpires) { }

    /**
     * The SBC's client certificate toward one zone's peers (mutual TLS at a carrier or PBX that admits only the
     * certificate it issued or was given for this interconnect).
     *
     * @param certificate PEM file with the certificate chain, the SBC's certificate first
     * @param privateKey PEM file with the certificate's private key (PKCS#8 or traditional, unencrypted)
     */
    public record ClientTls(java.nio.file.Path certificate, java.nio.file.Path privateKey) { }

    /**
     * Number and header rules of a zone (zones.*.number-plan, inbound, outbound).
     *
     * @param numberPlan how the zone writes numbers (country code, national and international prefixes), or null
     *     for the operator's dial plan (fraud.dial-plan)
     * @param inbound applied to requests arriving from the zone
     * @param outbound applied to requests leaving toward the zone, after the source zone's inbound rules
     */
    public record Rules(DialPlan numberPlan, DirectionRules inbound, DirectionRules outbound) {
        public static final Rules NONE = new Rules(null, DirectionRules.NONE, DirectionRules.NONE);
    }

    /**
     * One next hop of a zone: a literal IP address, or a host name located per RFC 3263 (trunk zones only).
     *
     * @param port the port; 0 for a named peer whose port DNS gives (SRV)
     * @param transport the transport; null for a named peer whose transport DNS gives (NAPTR)
     */
    public record PeerConfig(String host, int port, SipTransport transport) {
        /** Whether the host is a name to be located rather than an IP address. */
        public boolean named() {
            return !host.contains(":") && !host.matches("[0-9.]+");
        }
    }

    /**
     * OPTIONS probes of a zone's peers (RFC 3261 §11): one every {@code interval}; a probe without an answer
     * within {@code timeout}, or answered 503, fails. A peer is down after {@code downAfter} failures in a row and
     * up again after {@code upAfter} answers in a row; a down peer gets no new calls.
     */
    public record ProbeConfig(Duration interval, Duration timeout, int downAfter, int upAfter) { }
}
