package org.edgesbc.core.config;

/**
 * How one JSON-lines file of records (security events, CDRs) is rolled: at the start of each UTC day and whenever
 * the active file reaches {@code maxFileBytes}; rolled files carry the day and a counter in their name.
 *
 * @param maxFileBytes the active file is rolled once it is this large
 * @param maxHistoryDays rolled files older than this many days are deleted; 0 keeps them all
 * @param totalSizeCapBytes the oldest rolled files are deleted while all together exceed this; 0 sets no cap
 * @param compress rolled files are gzipped ({@code .jsonl.gz})
 */
public record RollingFileConfig(long maxFileBytes, int maxHistoryDays, long totalSizeCapBytes, boolean compress) {
}
