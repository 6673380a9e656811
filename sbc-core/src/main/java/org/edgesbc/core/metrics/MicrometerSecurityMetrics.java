package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.core.security.SecurityMetrics;
import org.edgesbc.core.security.SecurityRule;

/** {@link SecurityMetrics} on Micrometer: decisions by rule and action (both bounded sets). */
public final class MicrometerSecurityMetrics implements SecurityMetrics {
    private static final String[] ACTIONS =
            {"drop", "reject", "ban", "alert", "throttle", "block", "hold", "mark", "pass"};

    private final Map<SecurityRule, Map<String, Counter>> decisions = new EnumMap<>(SecurityRule.class);
    private final Counter authFailures;

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
    }

    @Override
    public void decision(SecurityRule rule, String action) {
        decisions.get(rule).get(action).increment();
    }

    @Override
    public void authFailure() {
        authFailures.increment();
    }
}
