package org.edgesbc.core.cli;

import java.util.function.Supplier;
import org.edgesbc.core.management.ConfigReloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP reloads the configuration, as {@code systemctl reload} and {@code kill -HUP} expect of a daemon. The JDK's
 * only hook for it is {@code sun.misc.Signal} (module jdk.unsupported). Where SIGHUP cannot reach the handler the SBC
 * runs on without it and says so once (the admin API and {@code sbc reload} reload all the same): when the JVM keeps
 * SIGHUP to itself ({@code -Xrs}), and when the process started with SIGHUP ignored ({@code nohup}, some
 * supervisors), which HotSpot leaves ignored whatever handler is asked for.
 *
 * <p>Installed before the daemon starts, which takes seconds (its warm-up runs before the listeners open): until
 * then the JVM's own SIGHUP handler would shut the process down, so {@code systemctl reload} just after a start
 * stopped the SBC. A SIGHUP taken while the daemon starts is kept, and the file is read again as soon as the daemon
 * runs: it may have changed after the start read it.
 *
 * <p>The reload runs on the JVM's signal thread. Its outcome is logged by the reloader itself; nothing is printed.
 */
final class HangupReload {
    private static final Logger LOG = LoggerFactory.getLogger(HangupReload.class);
    private static final Signal HUP = new Signal("HUP");
    private static final String INSTEAD = "reload with 'sbc reload' or POST /admin/reload";

    /** The running daemon's reload; null while it starts. */
    private Supplier<ConfigReloader.Outcome> reload;
    private boolean askedWhileStarting;

    HangupReload() { }

    /** Installs the SIGHUP handler; null, logged, when SIGHUP will not reach it. */
    static HangupReload install() {
        HangupReload hangups = new HangupReload();
        SignalHandler previous;
        try {
            previous = Signal.handle(HUP, signal -> hangups.hangUp());
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled on this JVM ({}): {}", e.getMessage(), INSTEAD);
            return null;
        }
        if (previous == SignalHandler.SIG_IGN) {
            LOG.warn("SIGHUP is ignored by this process, as it was when the process started (nohup or a supervisor "
                    + "that ignores it), so kill -HUP does nothing: {}, or start the SBC with SIGHUP at its default",
                    INSTEAD);
            return null;
        }
        return hangups;
    }

    /** From now on SIGHUP reloads with {@code reload}; one taken while the daemon started reloads now. */
    void started(Supplier<ConfigReloader.Outcome> reload) {
        boolean asked;
        synchronized (this) {
            this.reload = reload;
            asked = askedWhileStarting;
        }
        if (asked) {
            LOG.info("SIGHUP came while the SBC started: reloading the configuration now");
            reload.get();
        }
    }

    synchronized void hangUp() {
        if (reload == null) {
            askedWhileStarting = true;
        } else {
            reload.get();
        }
    }
}
