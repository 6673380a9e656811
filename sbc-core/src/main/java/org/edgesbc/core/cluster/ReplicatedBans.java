package org.edgesbc.core.cluster;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.cluster.SharedState.Listener;

/**
 * Bans and operators' lifts shared through the {@code bans} and {@code lifted} hashes and {@code ban}/{@code unban}
 * messages; this node's own bans stay with the ban service, reached through the {@link Listener}.
 */
final class ReplicatedBans implements ReplicatedSubject {
    /** How long a lift stays in Redis: bans older than it have ended anyway (the longest ban is at most 7 days). */
    private static final Duration LIFT_MEMORY = Duration.ofDays(8);

    private final RedisLink link;
    private final RedisKeys keys;
    private final ClusterMetrics metrics;
    private final Clock clock;
    private volatile Listener listener;

    ReplicatedBans(RedisLink link, ClusterMetrics metrics, Clock clock) {
        this.link = link;
        this.keys = link.keys();
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Where arrivals go; set before the link starts. */
    void listen(Listener arrivals) {
        this.listener = arrivals;
    }

    /** From a caller's thread. */
    void banMade(Ban ban) {
        String source = ban.source().getHostAddress();
        String text = SharedStateCodec.ban(ban);
        link.enqueue(r -> r.hset(keys.bans(), source, text));
        link.enqueuePublish("ban", text);
    }

    /** From a caller's thread. */
    void banLifted(InetAddress source) {
        String text = source.getHostAddress();
        long now = clock.millis();
        link.enqueue(r -> r.hdel(keys.bans(), text));
        link.enqueue(r -> r.hset(keys.lifted(), text, Long.toString(now)));
        link.enqueuePublish("unban", text + '\t' + now);
    }

    /**
     * Merges the bans: Redis's bans this node lacks (or has shorter) come in, lifts recorded in Redis end older bans
     * here, and this node's bans Redis lacks (or has shorter, or lost in a restart) go out. Expired entries and old
     * lifts are removed.
     */
    @Override
    public void resync(RedisAsyncCommands<String, String> redis, long now) {
        Listener arrivals = listener;
        redis.hgetall(keys.lifted()).thenCombine(redis.hgetall(keys.bans()), (lifted, stored) -> {
            Map<InetAddress, Instant> lifts = new HashMap<>();
            lifted.forEach((text, millis) -> {
                try {
                    Instant at = Instant.ofEpochMilli(Long.parseLong(millis));
                    if (now - at.toEpochMilli() > LIFT_MEMORY.toMillis()) {
                        redis.hdel(keys.lifted(), text);
                    } else {
                        lifts.put(SharedStateCodec.address(text), at);
                    }
                } catch (RuntimeException e) {
                    link.malformed("lift " + text, e);
                }
            });
            Map<InetAddress, Ban> remote = new HashMap<>();
            Instant instant = Instant.ofEpochMilli(now);
            stored.forEach((text, value) -> {
                try {
                    Ban ban = SharedStateCodec.ban(value);
                    if (!ban.activeAt(instant)) {
                        redis.hdel(keys.bans(), text);
                    } else {
                        remote.put(ban.source(), ban);
                    }
                } catch (RuntimeException e) {
                    link.malformed("ban " + text, e);
                }
            });
            lifts.forEach(arrivals::banLifted);
            for (Ban ban : remote.values()) {
                Instant liftedAt = lifts.get(ban.source());
                if (liftedAt == null || ban.created().isAfter(liftedAt)) {
                    metrics.bansReceived();
                    arrivals.banArrived(ban);
                }
            }
            for (Ban ban : arrivals.localBans()) {
                Ban there = remote.get(ban.source());
                Instant liftedAt = lifts.get(ban.source());
                if ((there == null || there.expires().isBefore(ban.expires()))
                        && (liftedAt == null || ban.created().isAfter(liftedAt))) {
                    link.send(r -> r.hset(keys.bans(), ban.source().getHostAddress(), SharedStateCodec.ban(ban)));
                }
            }
            return null;
        }).exceptionally(e -> {
            link.down(e);
            return null;
        });
    }

    @Override
    public boolean onMessage(String[] f, String message) {
        switch (f[0]) {
            case "ban" -> {
                metrics.bansReceived();
                listener.banArrived(SharedStateCodec.ban(message.substring(f[0].length() + f[1].length() + 2)));
            }
            case "unban" -> listener.banLifted(SharedStateCodec.address(f[2]),
                    Instant.ofEpochMilli(Long.parseLong(f[3])));
            default -> {
                return false;
            }
        }
        return true;
    }
}
