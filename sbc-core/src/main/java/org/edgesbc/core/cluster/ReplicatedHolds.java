package org.edgesbc.core.cluster;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Instant;
import org.edgesbc.policy.cluster.SharedState.HoldListener;

/**
 * Operators' toll-fraud holds shared through the {@code holds} hash and {@code hold}/{@code release} messages; the
 * holds in force stay with the fraud service, reached through the {@link HoldListener}.
 */
final class ReplicatedHolds implements ReplicatedSubject {
    private final RedisLink link;
    private final RedisKeys keys;
    private volatile HoldListener listener = new HoldListener() {
        @Override public void holdArrived(String account, Instant expires) { }
        @Override public void holdReleased(String account) { }
    };

    ReplicatedHolds(RedisLink link) {
        this.link = link;
        this.keys = link.keys();
    }

    void listen(HoldListener arrivals) {
        this.listener = arrivals;
    }

    /** From a caller's thread. */
    void holdPlaced(String account, Instant expires) {
        String text = expires == null ? "0" : Long.toString(expires.toEpochMilli());
        link.enqueue(r -> r.hset(keys.holds(), account, text));
        link.enqueuePublish("hold", account + '\t' + text);
    }

    /** From a caller's thread. */
    void holdReleased(String account) {
        link.enqueue(r -> r.hdel(keys.holds(), account));
        link.enqueuePublish("release", account);
    }

    /** Holds recorded in Redis come in (the fraud service skips those already in force); ended ones are removed. */
    @Override
    public void resync(RedisAsyncCommands<String, String> redis, long now) {
        HoldListener arrivals = listener;
        redis.hgetall(keys.holds()).thenAccept(all -> all.forEach((account, text) -> {
            try {
                long until = Long.parseLong(text);
                if (until != 0 && until <= now) {
                    redis.hdel(keys.holds(), account);
                } else {
                    arrivals.holdArrived(account, until == 0 ? null : Instant.ofEpochMilli(until));
                }
            } catch (NumberFormatException e) {
                link.malformed("hold of " + account, e);
            }
        }));
    }

    @Override
    public boolean onMessage(String[] f, String message) {
        switch (f[0]) {
            case "hold" -> {
                long until = Long.parseLong(f[3]);
                listener.holdArrived(f[2], until == 0 ? null : Instant.ofEpochMilli(until));
            }
            case "release" -> listener.holdReleased(f[2]);
            default -> {
                return false;
            }
        }
        return true;
    }
}
