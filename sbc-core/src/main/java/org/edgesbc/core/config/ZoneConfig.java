package org.edgesbc.core.config;

import java.time.Duration;
import java.util.List;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestCredentials;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.interconnect.DirectionRules;
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
 * @param sessionTimers RFC 4028 session timers on the legs toward the zone
 * @param account the SBC's account at a trunk or PBX peer that challenges it or wants it registered, or null
 * @param rules how numbers and headers are rewritten for requests from and to the zone
 */
public record ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
        boolean office, RedirectMode redirects, SessionTimerConfig sessionTimers, PeerAccount account, Rules rules) {

    /** A zone without an account at its peer and without number and header rules. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
            boolean office, RedirectMode redirects, SessionTimerConfig sessionTimers) {
        this(name, role, networks, peer, srtp, office, redirects, sessionTimers, null, Rules.NONE);
    }

    /** A zone that is not an office, whose redirects the SBC follows, with the default session timers. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp) {
        this(name, role, networks, peer, srtp, false);
    }

    /** A zone whose redirects the SBC follows, with the default session timers. */
    public ZoneConfig(String name, ZoneRole role, List<Cidr> networks, PeerConfig peer, SrtpPolicy srtp,
            boolean office) {
        this(name, role, networks, peer, srtp, office, RedirectMode.RECURSE, SessionTimerConfig.DEFAULT);
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

    /** The next hop of a zone: a literal IP address, a port and a transport. */
    public record PeerConfig(String host, int port, SipTransport transport) { }
}
