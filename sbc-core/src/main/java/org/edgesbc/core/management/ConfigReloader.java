package org.edgesbc.core.management;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.edgesbc.core.config.ConfigException;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.core.config.RestartRequiredChanges;
import org.edgesbc.core.config.SbcConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration file the daemon started from, whole or not at all. A reload reads and validates the
 * file completely ({@link ConfigLoader}), refuses it when a key that needs a restart changed
 * ({@link RestartRequiredChanges}), then has the daemon build everything the new snapshot needs that can fail (TLS
 * contexts from the key files, among others) and only then swaps it in. Until that last step nothing running has
 * changed, so a failed or refused reload leaves the live configuration, its generation and its behaviour as they
 * were.
 *
 * <p>Every attempt is counted by result and logged once: the new generation and file on success, every problem on
 * one line otherwise. Reloads are serialised (SIGHUP, {@code sbc reload} and {@code POST /admin/reload} may come
 * at once); a reload runs on the caller's thread and takes as long as reading the YAML and the key files.
 */
public final class ConfigReloader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    /** How a reload ended; the {@code result} tag of {@code sbc_config_reload_total}. */
    public enum Result {
        /** The new configuration is live. */
        OK,
        /** The file is invalid or its key material unreadable: nothing changed. */
        FAILED,
        /** A key that needs a restart changed: nothing changed. */
        REFUSED
    }

    /**
     * @param generation the live generation after the attempt (unchanged unless {@code result} is OK)
     * @param file the file that was read
     * @param problems each problem (file:line: key for invalid values, the key for a restart), empty when OK
     */
    public record Outcome(Result result, long generation, Path file, List<String> problems) { }

    /** Builds and swaps in what a new snapshot changes in the running daemon. */
    @FunctionalInterface
    public interface LiveSettings {
        /**
         * Builds everything {@code next} needs that can fail, changing nothing that runs.
         *
         * @return the swap, which puts it all in force and must not fail
         * @throws IOException when key material cannot be read or does not fit
         */
        Runnable prepare(SbcConfig next) throws IOException;
    }

    private final LiveSettings live;
    private final ReloadMetrics metrics;
    private final InstantSource clock;
    private SbcConfig current;
    private long generation = 1;

    /** The daemon started with {@code started}: generation 1, loaded now. */
    public ConfigReloader(SbcConfig started, LiveSettings live, ReloadMetrics metrics, InstantSource clock) {
        this.current = started;
        this.live = live;
        this.metrics = metrics;
        this.clock = clock;
        metrics.generationLive(generation, clock.instant());
    }

    /** Reads the file the live configuration came from again and puts it in force if it is valid and reloadable. */
    public synchronized Outcome reload() {
        Path file = current.source();
        SbcConfig next;
        try {
            // The data folder stays the one the SBC started with (the file's data-dir, or --data-dir/SBC_DATA_DIR):
            // state files, security events and CDRs never move under a running SBC.
            next = ConfigLoader.load(file, current.dataDir());
        } catch (ConfigException e) {
            return unchanged(Result.FAILED, file, e.problems());
        }
        List<String> restart = RestartRequiredChanges.between(current, next);
        if (!restart.isEmpty()) {
            return unchanged(Result.REFUSED, file, restart);
        }
        Runnable swap;
        try {
            swap = live.prepare(next);
        } catch (IOException | RuntimeException e) {
            return unchanged(Result.FAILED, file, List.of(file + ": " + e.getMessage()));
        }
        swap.run();
        current = next;
        generation++;
        Instant loadedAt = clock.instant();
        metrics.generationLive(generation, loadedAt);
        metrics.reloadAttempt(Result.OK);
        LOG.info("configuration generation {} from {} is live", generation, file);
        return new Outcome(Result.OK, generation, file, List.of());
    }

    /** The live configuration. */
    public synchronized SbcConfig current() {
        return current;
    }

    private Outcome unchanged(Result result, Path file, List<String> problems) {
        metrics.reloadAttempt(result);
        LOG.warn("configuration reload from {} {}; generation {} stays live: {}", file,
                result == Result.REFUSED ? "refused, it changes what needs a restart" : "failed", generation,
                String.join("; ", problems));
        return new Outcome(result, generation, file, problems);
    }
}
