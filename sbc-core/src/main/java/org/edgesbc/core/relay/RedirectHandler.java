package org.edgesbc.core.relay;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipMessageView;

/**
 * Redirects (RFC 3261 §8.1.3.4, §16.5): what becomes of a 3xx a zone answers a call's INVITE with, per the zone's
 * {@code redirects} setting.
 *
 * <ul>
 *   <li>RECURSE (the default): the SBC tries the first Contact itself, as a new INVITE on the same leg toward the
 *       zone's own peer with the Contact's user, when that Contact names the zone's peer (a PBX sending the call to
 *       another of its extensions, a carrier to another of its numbers), at most {@link #MAX_HOPS} times per call,
 *       and, for a call the toll-fraud guard let out, only when the new number passes the caller's rules too
 *       (403 to the caller otherwise). A Contact elsewhere, or one hop too many, is relayed as below.</li>
 *   <li>RELAY: the 3xx goes back to the caller with each Contact made the SBC's URI with the target's user, so that
 *       a caller who follows it calls through the SBC and is screened, routed and fraud-checked like any call.</li>
 * </ul>
 * Redirects of forked INVITEs (toward phones) and of re-INVITEs are relayed. Counted in
 * {@code sbc.redirect{zone,action}}. Owned by one relay shard.
 */
final class RedirectHandler {
    /** Redirects the SBC follows for one call before it hands the next one to the caller. */
    static final int MAX_HOPS = 3;

    private final PeerDirectory peers;
    private final TopologyHiding topology;
    private final TollFraudService fraud;
    private final ShardLoop loop;
    private final RelayMetrics metrics;

    RedirectHandler(ShardContext shard, PeerDirectory peers, TollFraudService fraud) {
        this.peers = peers;
        this.topology = shard.topology();
        this.fraud = fraud;
        this.loop = shard.loop();
        this.metrics = shard.metrics();
    }

    /**
     * Takes a 3xx for a call's INVITE on {@code branch}: returns true when the SBC recurses ({@code recurse} gets the
     * new target's user, now or once the toll-fraud guard agreed; {@code refuse} a status for the caller instead),
     * false when the 3xx is to be relayed to the caller.
     */
    boolean recurses(RelayedBranch branch, SipMessageView redirect, Consumer<String> recurse, IntConsumer refuse) {
        RelayedRequest relayed = branch.request;
        RelayDialog dialog = branch.dialog;
        if (relayed == null || dialog == null || dialog.state != RelayDialog.State.EARLY || dialog.branches != null
                || branch.target == dialog.a) {
            return false;
        }
        String zone = branch.target.zone;
        RelaySettings.ZonePeer peer = peers.peer(zone);
        String user = peer == null || peer.redirects() != ZoneConfig.RedirectMode.RECURSE
                || relayed.redirects >= MAX_HOPS ? null : targetAtPeer(redirect, peer);
        if (user == null) {
            metrics.redirect(zone, RelayMetrics.RedirectAction.RELAYED);
            return false;
        }
        relayed.redirects++;
        FraudGuard.Decision callDecision = dialog.fraud;
        if (callDecision == null) {
            metrics.redirect(zone, RelayMetrics.RedirectAction.RECURSED);
            recurse.accept(user);
            return true;
        }
        // The redirect points a call the guard let out at another number: that number must pass the same rules.
        TollFraudService.CallAttempt attempt = new TollFraudService.CallAttempt(dialog.a.zone,
                peer.address().getAddress(), callDecision.account(), user);
        fraud.checkNewCall(attempt, verdict -> {
            boolean taken = loop.handOff(HandOff.TOLL_FRAUD_ANSWER, () -> {
                release(verdict.fraud());
                if (relayed.server.finalSent() || relayed.cancelled) {
                    refuse.accept(487);
                } else if (verdict.allowed()) {
                    metrics.redirect(zone, RelayMetrics.RedirectAction.RECURSED);
                    recurse.accept(user);
                } else {
                    metrics.redirect(zone, RelayMetrics.RedirectAction.REFUSED);
                    refuse.accept(verdict.status() == 0 ? 403 : verdict.status());
                }
            });
            if (!taken) {
                release(verdict.fraud());
            }
        });
        return true;
    }

    private void release(FraudGuard.Decision decision) {
        if (decision != null && decision.allowed()) {
            fraud.callEnded(decision);
        }
    }

    /**
     * The Contacts of a relayed 3xx as the caller gets them: the SBC's URI with each target's user; null when the
     * 3xx names no target with a user (it then carries the SBC's Contact alone).
     */
    String relayedContacts(SipMessageView redirect, SipTransport towardCaller) {
        List<NameAddress> contacts = redirect.contacts();
        if (contacts == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (NameAddress contact : contacts) {
            String user = contact.isWildcard() ? null : ReferHandler.userOf(contact.uri());
            if (user != null && !user.isEmpty()) {
                out.append(out.isEmpty() ? "" : ", ").append('<').append(topology.uriText(user, towardCaller))
                        .append('>');
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    /** The user of the first Contact when it names the zone's peer (or is a tel: URI), else null. */
    private static String targetAtPeer(SipMessageView redirect, RelaySettings.ZonePeer peer) {
        List<NameAddress> contacts = redirect.contacts();
        if (contacts == null || contacts.isEmpty() || contacts.get(0).isWildcard() || peer.address() == null) {
            return null;
        }
        String uri = contacts.get(0).uri();
        String user = ReferHandler.userOf(uri);
        if (user == null || user.isEmpty()) {
            return null;
        }
        if (uri.regionMatches(true, 0, "tel:", 0, 4)) {
            return user;
        }
        String host = hostOf(uri);
        return host != null && host.equalsIgnoreCase(PeerDirectory.hostText(peer.address().getAddress()))
                ? user : null;
    }

    /** The host of a sip/sips URI with a user part, IPv6 references in their brackets. */
    private static String hostOf(String uri) {
        int at = uri.indexOf('@');
        if (at < 0) {
            return null;
        }
        String rest = uri.substring(at + 1);
        int end = rest.startsWith("[") ? rest.indexOf(']') + 1 : 0;
        int stop = end;
        while (stop < rest.length() && ":;?>".indexOf(rest.charAt(stop)) < 0) {
            stop++;
        }
        return rest.substring(0, stop);
    }
}
