package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.core.security.SecurityMetrics;
import org.edgesbc.core.security.SecurityRule;
import org.edgesbc.core.security.StateFile;

/** {@link SecurityMetrics} on Micrometer: decisions by rule and action (both bounded sets). */
public final class MicrometerSecurityMetrics implements SecurityMetrics {
    private static final String[] ACTIONS =
            {"drop", "reject", "ban", "alert", "throttle", "block", "hold", "mark", "pass"};

    private final Map<SecurityRule, Map<String, Counter>> decisions = new EnumMap<>(SecurityRule.class);
    private final Counter authFailures;
    private final Map<StateFile, Counter> stateWriteFailures = new EnumMap<>(StateFile.class);

    MicrometerSecurityMetrics(PrometheusMeterRegistry registry) {
        for (SecurityRule rule : SecurityRule.values()) {
            Map<String, Counter> byAction = new HashMap<>();
            for (String action : ACTIONS) {
                byAction.put(action, SbcMetrics.counter(registry, SbcMetrics.SECURITY_DECISIONS,
                        "Blocking decisions of the edge policy", "rule", rule.name().toLowerCase(Locale.ROOT),
                        "action", action));
            }
            decisions.put(rule, byAction);
        }
        authFailures = SbcMetrics.counter(registry, SbcMetrics.SECURITY_AUTH_FAILURES,
                "Failed digest authentications (wrong password, unknown or disabled user, replay)");
        for (StateFile file : StateFile.values()) {
            stateWriteFailures.put(file, SbcMetrics.counter(registry, SbcMetrics.STATE_WRITE_FAILURES,
                    "State file writes that failed (full or read-only data folder); retried until one succeeds",
                    "file", file.name().toLowerCase(Locale.ROOT)));
        }
    }

    @Override
    public void decision(SecurityRule rule, String action) {
        decisions.get(rule).get(action).increment();
    }

    @Override
    public void authFailure() {
        authFailures.increment();
    }

    @Override
    public void stateWriteFailed(StateFile file) {
        stateWriteFailures.get(file).increment();
    }
}
