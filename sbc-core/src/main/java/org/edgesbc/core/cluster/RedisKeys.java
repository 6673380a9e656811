package org.edgesbc.core.cluster;

/** The Redis names of one cluster, under its configured prefix (the layout is in {@link RedisSharedState}). */
record RedisKeys(String nodes, String bans, String lifted, String holds, String fraudPrefix, String wherePrefix,
        String failPrefix, String spendPrefix, String channel) {
    static RedisKeys of(String prefix) {
        return new RedisKeys(prefix + "nodes", prefix + "bans", prefix + "lifted", prefix + "holds",
                prefix + "fraud:", prefix + "where:", prefix + "fail:", prefix + "spend:", prefix + "events");
    }
}
