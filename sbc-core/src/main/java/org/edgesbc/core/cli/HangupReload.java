package org.edgesbc.core.cli;

import java.util.function.Supplier;
import org.edgesbc.core.management.ConfigReloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP reloads the configuration, as {@code systemctl reload} and {@code kill -HUP} expect of a daemon. The JDK's
 * only hook for it is {@code sun.misc.Signal} (module jdk.unsupported); where the JVM keeps SIGHUP to itself (for
 * example when started with {@code -Xrs}), the SBC runs on without the handler and says so once: the admin API and
 * {@code sbc reload} reload all the same.
 *
 * <p>The reload runs on the JVM's signal thread. Its outcome is logged by the reloader itself; nothing is printed.
 */
final class HangupReload {
    private static final Logger LOG = LoggerFactory.getLogger(HangupReload.class);
    static final Signal HUP = new Signal("HUP");

    private HangupReload() { }

    /**
     * Installs the SIGHUP handler.
     *
     * @return the handler it replaced (tests put it back), or null when SIGHUP could not be taken
     */
    static SignalHandler install(Supplier<ConfigReloader.Outcome> reload) {
        try {
            return Signal.handle(HUP, signal -> reload.get());
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled on this JVM ({}): reload with 'sbc reload' or POST /admin/reload",
                    e.getMessage());
            return null;
        }
    }
}
