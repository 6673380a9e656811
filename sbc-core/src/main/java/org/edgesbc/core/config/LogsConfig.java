package org.edgesbc.core.config;

/**
 * The files of records the SBC writes under {@code data-dir}: security events and call detail records.
 *
 * @param securityEvents {@code security-events.jsonl}
 * @param cdr {@code cdr/cdr.jsonl}
 */
public record LogsConfig(RollingFileConfig securityEvents, RollingFileConfig cdr) {
    private static final long MB = 1024L * 1024;
    private static final long GB = 1024 * MB;

    /**
     * What {@code config/sbc.yaml} documents: security events kept 30 days (a ban's story outlives its longest
     * escalation, 7 days, by weeks), CDRs 400 days (a year of billing disputes and then some); both capped in
     * total so that a flood of events cannot fill the disk.
     */
    public static final LogsConfig DEFAULTS = new LogsConfig(
            new RollingFileConfig(100 * MB, 30, 5 * GB, true),
            new RollingFileConfig(100 * MB, 400, 20 * GB, true));
}
