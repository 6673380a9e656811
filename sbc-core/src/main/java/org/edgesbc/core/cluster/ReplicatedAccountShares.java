package org.edgesbc.core.cluster;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.edgesbc.policy.cluster.AccountShare;

/**
 * Each node's share of every account's toll-fraud counters, in a {@code fraud:NODE} hash only that node writes
 * and {@code fraud} messages: this node's latest shares are sent at the next flush (and again after an outage), the
 * others' are read at every heartbeat and summed on demand.
 */
final class ReplicatedAccountShares implements ReplicatedSubject {
    /** Accounts kept per node, this node's own included; beyond, further accounts are not shared. */
    static final int MAX_ACCOUNTS = 100_000;

    private final RedisLink link;
    private final RedisKeys keys;
    private final ClusterMetrics metrics;
    private final Clock clock;
    /** This node's latest share per account, written again after an outage. */
    private final ConcurrentHashMap<String, AccountShare> mine = new ConcurrentHashMap<>();
    /** Accounts whose share changed since the last flush. */
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    /** Every other node's shares, per node and account, as last read or heard. */
    private final OtherNodesTable<AccountShare> theirs;

    ReplicatedAccountShares(RedisLink link, ClusterMetrics metrics, Clock clock) {
        this.link = link;
        this.keys = link.keys();
        this.metrics = metrics;
        this.clock = clock;
        this.theirs = new OtherNodesTable<>(link, keys.fraudPrefix(), MAX_ACCOUNTS, SharedStateCodec::share,
                "account share");
    }

    /** From the toll-fraud thread: records the change only; the cluster thread sends it. */
    void accountChanged(AccountShare share) {
        if (!mine.containsKey(share.account()) && mine.size() >= MAX_ACCOUNTS) {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
            return;
        }
        mine.put(share.account(), share);
        changed.add(share.account());
    }

    /** The sum of the other nodes' shares of {@code account}; a node that stopped beating holds no calls any more. */
    AccountShare others(String account) {
        AccountShare sum = AccountShare.NONE;
        LocalDate today = null;
        for (Map.Entry<String, ConcurrentHashMap<String, AccountShare>> node : theirs.nodes()) {
            AccountShare share = node.getValue().get(account);
            if (share == null) {
                continue;
            }
            if (today == null) {
                today = LocalDate.now(clock);
            }
            // What a node that stopped beating spent still counts.
            boolean alive = link.beating(node.getKey(), clock.millis());
            sum = sum.plus(share, today, AccountShare.weekendOf(today), alive);
        }
        return sum;
    }

    @Override
    public void returned() {
        mine.values().forEach(this::write);
    }

    @Override
    public void flush() {
        for (String account : changed) {
            changed.remove(account);
            AccountShare share = mine.get(account);
            if (share != null) {
                write(share);
            }
        }
    }

    private void write(AccountShare share) {
        String text = SharedStateCodec.share(share);
        link.writeOwnHash(keys.fraudPrefix(), share.account(), text);
        link.publish("fraud", share.account() + '\t' + text);
    }

    @Override
    public void readNode(RedisAsyncCommands<String, String> redis, String node) {
        theirs.read(redis, node);
    }

    @Override
    public void forgetNode(String node) {
        theirs.forget(node);
    }

    @Override
    public boolean onMessage(String[] f, String message) {
        if (!f[0].equals("fraud")) {
            return false;
        }
        theirs.heard(f[1], f[2], SharedStateCodec.share(f[2], f[3]));
        return true;
    }
}
