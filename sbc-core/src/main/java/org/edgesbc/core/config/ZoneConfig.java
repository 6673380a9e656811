package org.edgesbc.core.config;

import java.util.List;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.transport.SipTransport;

/**
 * A class of peers. Sources inside {@code networks} are admitted and belong to this zone; everything else is
 * dropped without an answer. Calls arriving from a trunk zone go to the pbx zone's peer and the other way round.
 *
 * @param name unique, used in logs and the admin API
 * @param role what the zone is
 * @param networks source networks admitted into the zone
 * @param peer where requests toward this zone are sent
 * @param srtp what the zone's media must be: plain RTP, SRTP when the peer takes it, or SRTP only
 * @param office an access zone the operator marks as an office behind NAT: many phones behind one address get the
 *     larger budgets of known peers and are never banned automatically (a re-registration storm after an outage is
 *     not an attack)
 * @param redirects what becomes of the zone's 3xx answers to INVITEs
 * @param digestAlgorithms for an access zone, the digest algorithms its phones are challenged with and may answer
 *     in, in this order; empty: {@code security.digest-algorithms}. An account's own list comes first.
 */
public record ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
        boolean office, RedirectMode redirects, List<DigestAlgorithm> digestAlgorithms) {

    /** A zone that is not an office, whose redirects the SBC follows. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp) {
        this(name, role, networks, peer, srtp, false);
    }

    /** A zone whose redirects the SBC follows. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
            boolean office) {
        this(name, role, networks, peer, srtp, office, RedirectMode.RECURSE);
    }

    /** A zone challenged with the SBC's digest algorithms. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
            boolean office, RedirectMode redirects) {
        this(name, role, networks, peer, srtp, office, redirects, List.of());
    }

    /** A zone whose redirects the SBC follows, challenged with the given digest algorithms. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
            boolean office, List<DigestAlgorithm> digestAlgorithms) {
        this(name, role, networks, peer, srtp, office, RedirectMode.RECURSE, digestAlgorithms);
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

    /** The next hop of a zone: a literal IP address, a port and a transport. */
    public record PeerConfig(String host, int port, SipTransport transport) { }
}
