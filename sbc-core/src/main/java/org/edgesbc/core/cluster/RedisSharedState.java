package org.edgesbc.core.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.edgesbc.core.config.ClusterConfig;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.cluster.AccountShare;
import org.edgesbc.policy.cluster.ClusterView;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.cluster.SpendGrant;

/**
 * {@link SharedState} in Redis, through Lettuce on its own small Netty event loop. Nothing here waits on Redis for
 * a caller: updates are sent asynchronously, at most {@link ClusterConfig#maxPendingUpdates()} at a time, and
 * dropped and counted beyond that or while Redis is down; what others hold is read into local maps that callers
 * read without a lock.
 *
 * <p>Layout, under the configured prefix {@code P}:
 * <ul>
 *   <li>{@code P nodes}: hash, node → "heartbeat-millis address sip-host:port", written every heartbeat;</li>
 *   <li>{@code P bans}: hash, address → ban ({@link SharedStateCodec}); {@code P lifted}: hash, address → when an
 *       operator lifted its ban; both read at every resynchronisation, expired entries removed by whoever reads
 *       them;</li>
 *   <li>{@code P fraud:NODE}: hash, account → that node's share of the account's counters; only its node writes it,
 *       so no two nodes ever race on a counter, and it outlives the node (spend survives a node's death);</li>
 *   <li>{@code P holds}: hash, account → until when an operator's hold lasts (epoch millis, 0: until released),
 *       read at every resynchronisation; a release removes the entry;</li>
 *   <li>{@code P where:NODE}: hash, account → until when (epoch millis) that node holds registered devices of it;
 *       only its node writes it;</li>
 *   <li>{@code P fail:KIND:ADDRESS}: failures of a source counted by all nodes (INCRBY, expiring with the window);
 *       </li>
 *   <li>{@code P spend:PERIOD:ACCOUNT}: how much of an account's spend cap for a day or weekend the nodes were
 *       granted together, raised in chunks by a script that never grants past the cap ({@link SharedSpendBudgets});
 *       </li>
 *   <li>{@code P events}: channel of bans, lifts, account shares and registrations as they happen, so the others apply them within
 *       a round trip instead of at the next heartbeat.</li>
 * </ul>
 *
 * <p>Failure: when a command or heartbeat fails, Redis counts as down (one log line, {@code sbc_cluster_redis_up}
 * 0); every node goes on with its own tables. When a heartbeat succeeds again, the node reconciles: bans are merged
 * both ways (the later expiry wins; lifts recorded in Redis apply), this node's account shares are written again and
 * the others' are read again. Calls are never touched by any of it.
 *
 * <p>Threads: callers (I/O, relay, ban and toll-fraud threads) only record what changed in bounded maps and a
 * bounded queue; the cluster thread ("sbc-cluster") connects, beats, resynchronises and sends what was recorded
 * every 50 ms; Lettuce's threads complete commands and deliver messages. Both only touch concurrent maps
 * and the listener (whose methods hand work to their own threads). No caller ever calls into Lettuce.
 *
 * <p>Parts: {@link RedisLink} owns the connection, the heartbeat, the node table and the transport; each
 * replicated subject owns its tables and its share of the layout above ({@link ReplicatedBans},
 * {@link ReplicatedFailureCounts}, {@link ReplicatedAccountShares}, {@link SharedSpendBudgets},
 * {@link ReplicatedHolds}, {@link ReplicatedRegistrations}). This class wires them and answers the {@link SharedState} calls.
 */
public final class RedisSharedState implements SharedState {
    private final RedisLink link;
    private final ReplicatedBans bans;
    private final ReplicatedFailureCounts failures;
    private final ReplicatedAccountShares shares;
    private final ReplicatedHolds holds;
    private final ReplicatedRegistrations registrations;
    private final SharedSpendBudgets budgets;

    /**
     * Reads the password file now (a configuration check has made sure it is readable); connects later, on the
     * cluster thread, so that a Redis that is down at start delays nothing.
     *
     * @param address this node's SIP address, shown to operators with its heartbeat
     */
    public RedisSharedState(ClusterConfig config, String address, ClusterMetrics metrics, Clock clock)
            throws IOException {
        this.link = new RedisLink(config, address, metrics, clock);
        this.bans = new ReplicatedBans(link, metrics, clock);
        this.failures = new ReplicatedFailureCounts(link, config, metrics);
        this.shares = new ReplicatedAccountShares(link, metrics, clock);
        this.holds = new ReplicatedHolds(link);
        this.registrations = new ReplicatedRegistrations(link, metrics, clock);
        this.budgets = new SharedSpendBudgets(link, metrics, clock);
    }

    @Override
    public void start(Listener arrivals) {
        bans.listen(arrivals);
        // The order of every step: bans merge before holds, failure counts go out before shares and registrations.
        link.start(List.of(bans, holds, failures, shares, budgets, registrations));
    }

    @Override
    public void close() {
        link.close();
    }

    public boolean redisUp() {
        return link.up();
    }

    /** Nodes whose heartbeat is recent, this one included while Redis is up. */
    public int nodesAlive() {
        return (int) view().nodes().stream().filter(ClusterView.NodeSeen::alive).count();
    }

    @Override
    public ClusterView view() {
        return link.view();
    }

    @Override
    public void banMade(Ban ban) {
        bans.banMade(ban);
    }

    @Override
    public void banLifted(InetAddress source) {
        bans.banLifted(source);
    }

    @Override
    public void failure(FailureKind kind, InetAddress source, Duration window, int threshold, Runnable reached) {
        failures.failure(kind, source, window, threshold, reached);
    }

    @Override
    public void accountChanged(AccountShare share) {
        shares.accountChanged(share);
    }

    @Override
    public AccountShare others(String account) {
        return shares.others(account);
    }

    @Override
    public SpendGrant spendGrant(String account, String period, long capMicros, long spentMicros,
            long aheadMicros) {
        return budgets.grant(account, period, capMicros, spentMicros, aheadMicros);
    }

    @Override
    public void listenForHolds(HoldListener arrivals) {
        holds.listen(arrivals);
    }

    @Override
    public void holdPlaced(String account, Instant expires) {
        holds.holdPlaced(account, expires);
    }

    @Override
    public void holdReleased(String account) {
        holds.holdReleased(account);
    }

    @Override
    public void reachableAt(InetSocketAddress address) {
        link.reachableAt(address);
    }

    @Override
    public void bindingsHeld(String aor, Instant expires) {
        registrations.bindingsHeld(aor, expires);
    }

    @Override
    public List<InetSocketAddress> holdersElsewhere(String aor) {
        return registrations.holdersElsewhere(aor);
    }
}
