package org.edgesbc.core.cluster;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * What the other nodes wrote in a hash of their own ({@code prefix + node}), per node and key, as last read or
 * heard: at most {@code limit} keys per node, and nodes only as long as the node table keeps them (the link tells
 * the subject to {@link #forget} the others). Shared between the cluster thread, which reads the hashes, Lettuce's
 * threads, which deliver messages, and callers, which look keys up.
 *
 * @param <V> what a key holds, read from Redis's text by {@code parse}
 */
final class OtherNodesTable<V> {
    private final RedisLink link;
    private final String prefix;
    private final int limit;
    private final BiFunction<String, String, V> parse;
    private final String what;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, V>> byNode = new ConcurrentHashMap<>();

    /** @param what the name of an entry, for the log line of one that cannot be read */
    OtherNodesTable(RedisLink link, String prefix, int limit, BiFunction<String, String, V> parse, String what) {
        this.link = link;
        this.prefix = prefix;
        this.limit = limit;
        this.parse = parse;
        this.what = what;
    }

    /**
     * Reads {@code node}'s hash into a new map of at most {@code limit} entries (an unreadable one counted and
     * skipped), which then replaces what was known of that node.
     */
    void read(RedisAsyncCommands<String, String> redis, String node) {
        redis.hgetall(prefix + node).thenAccept(all -> {
            ConcurrentHashMap<String, V> read = new ConcurrentHashMap<>();
            for (Map.Entry<String, String> entry : all.entrySet()) {
                if (read.size() >= limit) {
                    break;
                }
                try {
                    read.put(entry.getKey(), parse.apply(entry.getKey(), entry.getValue()));
                } catch (RuntimeException e) {
                    link.malformed(what + " of " + node, e);
                }
            }
            byNode.put(node, read);
        });
    }

    /** A message said what {@code node} now holds under {@code key}; ignored beyond the node's {@code limit}. */
    void heard(String node, String key, V value) {
        ConcurrentHashMap<String, V> held = byNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>());
        if (held.size() < limit || held.containsKey(key)) {
            held.put(key, value);
        }
    }

    /** A message said {@code node} holds nothing under {@code key} any more. */
    void heardGone(String node, String key) {
        byNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).remove(key);
    }

    void forget(String node) {
        byNode.remove(node);
    }

    /** Each node known, with its keys; a live view. */
    Set<Map.Entry<String, ConcurrentHashMap<String, V>>> nodes() {
        return byNode.entrySet();
    }
}
