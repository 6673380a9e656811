package org.edgesbc.core.config;

import java.util.Set;

/** Binds the optional {@code logs} section: rotation and retention of the security-event and CDR files. */
final class LogsSectionReader {
    private static final String SECTION = "logs";
    private static final Set<String> SECTION_KEYS = Set.of("security-events", "cdr");
    private static final Set<String> FILE_KEYS = Set.of("max-file-size", "max-history", "total-size-cap",
            "compress");
    private static final long KB = 1024;
    private static final long GB = 1024L * 1024 * 1024;

    private final ConfigReader reader;

    LogsSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** @param root the document; the section and each of its keys are optional */
    LogsConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        return new LogsConfig(file(section, "security-events", LogsConfig.DEFAULTS.securityEvents()),
                file(section, "cdr", LogsConfig.DEFAULTS.cdr()));
    }

    private RollingFileConfig file(YamlTree.Mapping section, String key, RollingFileConfig defaults) {
        YamlTree.Mapping file = reader.optionalMapping(section, SECTION, key, FILE_KEYS);
        String path = ConfigReader.join(SECTION, key);
        // A file smaller than this rolls several times a second under a flood of security events.
        long maxFileBytes = reader.size(file, path, "max-file-size", defaults.maxFileBytes(), 64 * KB, 100 * GB);
        int maxHistoryDays = reader.integer(file, path, "max-history", defaults.maxHistoryDays(), 0, 36_500);
        long totalSizeCap = reader.size(file, path, "total-size-cap", defaults.totalSizeCapBytes(), 0,
                100_000 * GB);
        if (totalSizeCap != 0 && totalSizeCap < maxFileBytes) {
            // Logback would delete each file as it rolls: the cap must hold at least one whole file.
            ConfigReader.Scalar given = reader.scalar(file, path, "total-size-cap", false);
            reader.error(given != null ? given.line() : file != null ? file.line() : 1,
                    ConfigReader.join(path, "total-size-cap"), given != null ? given.text() : null,
                    "must be 0 (no cap) or at least max-file-size (" + maxFileBytes + " bytes)");
        }
        boolean compress = reader.bool(file, path, "compress", defaults.compress());
        return new RollingFileConfig(maxFileBytes, maxHistoryDays, totalSizeCap, compress);
    }
}
