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
 * <p>The reload runs on the JVM's signal thread. Its outcome is logged by the reloader itself; nothing is printed.
 */
final class HangupReload {
    private static final Logger LOG = LoggerFactory.getLogger(HangupReload.class);
    private static final Signal HUP = new Signal("HUP");
    private static final String INSTEAD = "reload with 'sbc reload' or POST /admin/reload";

    private HangupReload() { }

    /** Installs the SIGHUP handler; false, logged, when SIGHUP will not reach it. */
    static boolean install(Supplier<ConfigReloader.Outcome> reload) {
        SignalHandler previous;
        try {
            previous = Signal.handle(HUP, signal -> reload.get());
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled on this JVM ({}): {}", e.getMessage(), INSTEAD);
            return false;
        }
        if (previous == SignalHandler.SIG_IGN) {
            LOG.warn("SIGHUP is ignored by this process, as it was when the process started (nohup or a supervisor "
                    + "that ignores it), so kill -HUP does nothing: {}, or start the SBC with SIGHUP at its default",
                    INSTEAD);
            return false;
        }
        return true;
    }
}
