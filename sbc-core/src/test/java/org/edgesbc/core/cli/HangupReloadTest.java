package org.edgesbc.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.edgesbc.core.management.ConfigReloader;
import org.junit.jupiter.api.Test;

/** SIGHUP while the daemon starts is kept for when it runs; after that each one reloads at once. */
class HangupReloadTest {
    private final AtomicInteger reloads = new AtomicInteger();

    private ConfigReloader.Outcome reload() {
        reloads.incrementAndGet();
        return null;
    }

    @Test
    void hangupsWhileTheDaemonStartsReloadOnceItRuns() {
        HangupReload hangups = new HangupReload();
        hangups.hangUp();
        hangups.hangUp();
        assertThat(reloads).as("nothing to reload yet").hasValue(0);
        hangups.started(this::reload);
        assertThat(reloads).as("the file read again once, as the daemon runs").hasValue(1);
        hangups.hangUp();
        assertThat(reloads).hasValue(2);
    }

    @Test
    void aDaemonStartedWithoutAHangupIsNotReloaded() {
        HangupReload hangups = new HangupReload();
        hangups.started(this::reload);
        assertThat(reloads).hasValue(0);
        hangups.hangUp();
        assertThat(reloads).hasValue(1);
    }
}
