package org.edgesbc.policy.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.edgesbc.policy.ban.Ban;

/**
 * The state several SBC nodes share: bans, failure counters, each node's share of every account's toll-fraud
 * counters, and which node holds each phone's registration. Every node decides on its own tables first; this interface only tells the other nodes what changed here
 * and tells this node what they hold, so that a control is as strict across nodes as on one.
 *
 * <p>Contract for implementations: no method blocks or waits on a network. Updates are handed to a bounded queue
 * and dropped (and counted) when it is full or the shared store is unreachable; what was dropped is brought back by
 * the reconciliation after the store returns. {@link #others} reads a local copy.
 *
 * <p>{@link SingleNodeState} is the default: one node, nothing shared, nothing else to install.
 */
public interface SharedState extends AutoCloseable {
    /** What arrives from other nodes; called on the implementation's own thread, never on a caller's. */
    interface Listener {
        /** A ban made on another node, or found in the shared store at a resynchronisation. */
        void banArrived(Ban ban);

        /** A ban lifted on another node at {@code liftedAt}: bans of the source made before then end. */
        void banLifted(InetAddress source, Instant liftedAt);

        /** The bans in force on this node, written back to the shared store when it returns after an outage. */
        List<Ban> localBans();
    }

    /** What arrives about operators' toll-fraud holds from other nodes; called on the implementation's thread. */
    interface HoldListener {
        /** An account held on another node (or found held in the shared store), until {@code expires} or released. */
        void holdArrived(String account, Instant expires);

        /** An account's hold released on another node. */
        void holdReleased(String account);
    }

    /** What counts failures of a source across nodes; the name is part of the shared key. */
    enum FailureKind { AUTH, FLOOD }

    /**
     * Whether anything is shared at all: false on a single node, where callers skip building what they would
     * publish (a flood's dropped packets, every call's account share).
     */
    default boolean sharesState() {
        return true;
    }

    /** Starts exchanging state; arrivals go to {@code listener} from then on. Returns at once. */
    void start(Listener listener);

    /** A ban made on this node (automatic or an operator's), for the other nodes. */
    void banMade(Ban ban);

    /** Where holds of other nodes go from now on; set before {@link #start}. */
    void listenForHolds(HoldListener listener);

    /** An operator held an account on this node until {@code expires} (null: until released), for the other nodes. */
    void holdPlaced(String account, Instant expires);

    /** An operator released an account's hold on this node, for the other nodes. */
    void holdReleased(String account);

    /** A ban lifted on this node by an operator, for the other nodes. */
    void banLifted(InetAddress source);

    /**
     * One failure of {@code source} counted on this node. When the count of all nodes within {@code window}
     * reaches {@code threshold}, the shared count starts over and {@code reached} runs (on the implementation's
     * thread), so a brute force spread over nodes is banned as soon as on one node. The local count and its ban
     * stay the caller's own.
     */
    void failure(FailureKind kind, InetAddress source, Duration window, int threshold, Runnable reached);

    /** This node's share of an account's counters changed (the latest share replaces earlier ones). */
    void accountChanged(AccountShare mine);

    /** The sum of what the other nodes hold of {@code account}, as last heard; {@link AccountShare#NONE} alone. */
    AccountShare others(String account);

    /**
     * This node's part of one spend cap of {@code account} in {@code period} (the period as text, e.g.
     * {@code day:2026-12-03}): the nodes take the cap from the shared store in chunks, each by one atomic step that
     * never grants more than is left, so together they are never granted more than {@code capMicros}. Never waits:
     * returns what was granted so far and, once what is left of it is less than {@code aheadMicros} (what this node
     * expects to spend before it asks again) and half a chunk, asks in the background for enough to cover that and
     * a chunk more. Null when spend caps are not shared this way (one node, or the store unreachable): the caller
     * then adds what it last heard the others spent ({@link #others}).
     */
    default SpendGrant spendGrant(String account, String period, long capMicros, long spentMicros,
            long aheadMicros) {
        return null;
    }

    /**
     * Where this node takes calls relayed from the other nodes to its registered phones (its SIP address over
     * UDP), once its listeners are bound.
     */
    void reachableAt(InetSocketAddress sip);

    /**
     * This node holds registered devices of {@code aor} until {@code expires}, or none any more ({@code null}).
     * Called on the registrar's thread after every change of the AOR's bindings.
     */
    void bindingsHeld(String aor, Instant expires);

    /**
     * Where the other nodes that hold registered devices of {@code aor} now take calls for them, as last heard;
     * empty on one node and while the shared store is unreachable (a node then reaches only its own phones).
     */
    List<InetSocketAddress> holdersElsewhere(String aor);

    /** For the admin API and readiness: the node's name, the store's state and the nodes seen. */
    ClusterView view();

    /** Stops exchanging state; local state stays. */
    @Override
    void close();
}
