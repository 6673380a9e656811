package org.edgesbc.core.cluster;

import io.lettuce.core.api.async.RedisAsyncCommands;

/**
 * One kind of state the nodes share through a {@link RedisLink}: the link calls these on the cluster thread (and
 * {@link #onMessage} on Lettuce's), in the order the subjects were given to it. Each subject keeps its own tables;
 * what it does not share it leaves to the defaults.
 */
interface ReplicatedSubject {
    /** Redis is reachable again after an outage (or for the first time): what was dropped meanwhile goes out again. */
    default void returned() {
    }

    /** Every {@code resync-interval}, and when Redis returns: merge with what Redis holds. */
    default void resync(RedisAsyncCommands<String, String> redis, long now) {
    }

    /** At every heartbeat, for each other node in the node table: read what that node wrote. */
    default void readNode(RedisAsyncCommands<String, String> redis, String node) {
    }

    /** A node silent for so long that it left the node table: what is known of it goes too. */
    default void forgetNode(String node) {
    }

    /** Every flush interval: send what callers recorded since the last one. */
    default void flush() {
    }

    /**
     * A message of another node, split at tabs into at most four fields ({@code kind}, node, then the kind's own);
     * false when the kind is not this subject's. A malformed message may throw; the link counts it.
     */
    default boolean onMessage(String[] fields, String message) {
        return false;
    }
}
