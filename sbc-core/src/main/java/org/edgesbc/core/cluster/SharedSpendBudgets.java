package org.edgesbc.core.cluster;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.edgesbc.policy.cluster.SpendGrant;

/**
 * Spend caps taken by the nodes in chunks: {@code spend:PERIOD:ACCOUNT} holds how much of the account's cap for the
 * period all nodes were granted together, raised only by one Lua script that grants at most what is left, so the
 * grants never add up to more than the cap whatever the nodes do at once. A node asks, from the cluster thread,
 * when what it holds unspent falls below two seconds of its calls' spend and half a chunk (a twentieth of the cap),
 * for enough to cover that and a chunk more, and decides from what it holds meanwhile. An answer short of what it
 * asked for means the cap is taken in full: the node then cuts when it has spent its grant.
 *
 * <p>So an account's spend over all nodes stays within its cap but for what each node spends past its grant before
 * it notices (the toll-fraud tick accounts spend once a second, so up to about two seconds of its calls, more only
 * if an answer from Redis takes longer); and a node may cut while others still hold unspent grants of up to two
 * seconds of their calls and a chunk. A grant held by a node that restarts or dies stays taken for the period.
 */
final class SharedSpendBudgets implements ReplicatedSubject {
    /** Chunks per cap: the most a node holds unspent is a twentieth of the cap. */
    static final int CHUNKS_PER_CAP = 20;
    /** Budgets kept (accounts times periods); beyond, further ones are not shared and fall back to published spend. */
    static final int MAX_BUDGETS = 200_000;
    /** How long a period's counter stays in Redis: past a weekend from its Saturday. */
    private static final Duration KEPT = Duration.ofDays(3);
    /** An ask without an answer for this long (dropped while Redis was away) may be made again. */
    private static final long ASK_TIMEOUT_MILLIS = 5_000;
    /** Grants min(wanted, cap - taken) and returns it; 0 when the cap is taken in full. KEYS[1]: the counter. */
    private static final String TAKE = """
            local taken = tonumber(redis.call('GET', KEYS[1]) or '0')
            local grant = math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) - taken)
            if grant <= 0 then return 0 end
            redis.call('INCRBY', KEYS[1], grant)
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return grant
            """;

    /**
     * One node's part of one cap in one period. Its fields change only inside the map's per-key compute.
     *
     * @param exhaustedAtCap the cap when Redis last granted less than asked for (the cap was taken in full); 0 while
     *     it has not, so a cap raised since (a reload) is asked again
     * @param askedAtMillis when the ask on its way was made; 0 when none is
     */
    private record Budget(long granted, long exhaustedAtCap, long askedAtMillis, long askCap, long want,
            long lastUsedMillis) {
        boolean asking() {
            return askedAtMillis > 0;
        }

        /** Whether the cluster can grant no more of {@code capMicros}. */
        boolean exhaustedFor(long capMicros) {
            return capMicros <= exhaustedAtCap;
        }
    }

    private final RedisLink link;
    private final String prefix;
    private final ClusterMetrics metrics;
    private final Clock clock;
    /** Keyed {@code PERIOD:ACCOUNT}, the counter's name without the prefix. */
    private final ConcurrentHashMap<String, Budget> budgets = new ConcurrentHashMap<>();
    /** Budgets whose next chunk is to be asked for at the next flush. */
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();

    SharedSpendBudgets(RedisLink link, ClusterMetrics metrics, Clock clock) {
        this.link = link;
        this.prefix = link.keys().spendPrefix();
        this.metrics = metrics;
        this.clock = clock;
    }

    /** From the toll-fraud thread: see {@link org.edgesbc.policy.cluster.SharedState#spendGrant}. */
    SpendGrant grant(String account, String period, long capMicros, long spentMicros, long aheadMicros) {
        if (!link.up()) {
            return null;
        }
        String key = period + ':' + account;
        if (!budgets.containsKey(key) && budgets.size() >= MAX_BUDGETS) {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
            return null;
        }
        long now = clock.millis();
        long chunk = chunkOf(capMicros);
        Budget budget = budgets.compute(key, (k, b) -> {
            Budget current = b != null ? b : new Budget(0, 0, 0, 0, 0, now);
            boolean refused = current.exhaustedFor(capMicros);
            boolean stale = current.asking() && now - current.askedAtMillis() > ASK_TIMEOUT_MILLIS;
            if (!refused && (!current.asking() || stale)
                    && current.granted() - spentMicros < aheadMicros + chunk / 2 + 1) {
                wanted.add(k);
                long want = Math.max(chunk, spentMicros + aheadMicros + chunk - current.granted());
                return new Budget(current.granted(), current.exhaustedAtCap(), now, capMicros, want, now);
            }
            return new Budget(current.granted(), current.exhaustedAtCap(), current.askedAtMillis(),
                    current.askCap(), current.want(), now);
        });
        return new SpendGrant(budget.granted(), budget.exhaustedFor(capMicros));
    }

    static long chunkOf(long capMicros) {
        return Math.max(1, capMicros / CHUNKS_PER_CAP);
    }

    /** One script per budget that wants a chunk; its answer is added to the node's grant. */
    @Override
    public void flush() {
        for (String key : wanted) {
            wanted.remove(key);
            Budget asked = budgets.get(key);
            if (asked == null) {
                continue;
            }
            long cap = asked.askCap();
            long want = asked.want();
            link.send(r -> {
                RedisFuture<Long> granted = r.eval(TAKE, ScriptOutputType.INTEGER, new String[] {prefix + key},
                        Long.toString(cap), Long.toString(want), Long.toString(KEPT.toMillis()));
                // Less than asked for: the cap is now taken in full, and this node has what it will get.
                granted.thenAccept(grant -> budgets.computeIfPresent(key, (k, b) -> new Budget(b.granted() + grant,
                        grant < want ? cap : 0, 0, 0, 0, b.lastUsedMillis())));
                return granted;
            });
        }
    }

    /** Budgets unused for as long as their counters live go, so the table follows the accounts in use. */
    @Override
    public void resync(RedisAsyncCommands<String, String> redis, long now) {
        budgets.values().removeIf(b -> now - b.lastUsedMillis() > KEPT.toMillis());
    }
}
