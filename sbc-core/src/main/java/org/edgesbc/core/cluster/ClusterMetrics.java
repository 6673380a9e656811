package org.edgesbc.core.cluster;

/** What the cluster's shared state counts; gauges (Redis up, nodes alive) are read from {@link RedisSharedState}. */
public interface ClusterMetrics {
    /** Why an update was not sent to Redis. */
    enum Drop { QUEUE_FULL, REDIS_DOWN }

    /**
     * A PBX call for an account whose phones this node holds none of: relayed to the node that holds them, or
     * left to this node's (absent) phones because Redis was unreachable.
     */
    enum PhoneCall { OTHER_NODE, LOCAL_ONLY }

    ClusterMetrics NONE = new ClusterMetrics() {
        @Override public void dropped(Drop why) { }
        @Override public void bansReceived() { }
        @Override public void reconciled() { }
        @Override public void malformed() { }
        @Override public void phoneCall(PhoneCall route) { }
    };

    /** An update (ban, lift, failure count, account share) dropped instead of waiting. */
    void dropped(Drop why);

    /** A ban of another node arrived (message or resynchronisation). */
    void bansReceived();

    /** Redis came back (or was reached the first time) and this node's state was merged with it. */
    void reconciled();

    /** A message or entry in Redis that could not be read, ignored. */
    void malformed();

    /** A PBX call for phones this node holds none of, by where it went. */
    void phoneCall(PhoneCall route);
}
