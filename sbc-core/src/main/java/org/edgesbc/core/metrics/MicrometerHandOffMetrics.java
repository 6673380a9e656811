package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.HandOffMetrics;

/** {@link HandOffMetrics} on Micrometer: failures by hand-off and kind (both enums). */
public final class MicrometerHandOffMetrics implements HandOffMetrics {
    private final Map<HandOff, Map<Failure, Counter>> failures = new EnumMap<>(HandOff.class);

    MicrometerHandOffMetrics(PrometheusMeterRegistry registry) {
        for (HandOff handOff : HandOff.values()) {
            Map<Failure, Counter> byFailure = new EnumMap<>(Failure.class);
            for (Failure failure : Failure.values()) {
                byFailure.put(failure, SbcMetrics.counter(registry, SbcMetrics.HANDOFF_FAILURES,
                        "Work handed from one thread to another that was refused (queue full) or failed there",
                        "handoff", handOff.name().toLowerCase(Locale.ROOT),
                        "failure", failure.name().toLowerCase(Locale.ROOT)));
            }
            failures.put(handOff, byFailure);
        }
    }

    @Override
    public void failed(HandOff handOff, Failure failure) {
        failures.get(handOff).get(failure).increment();
    }
}
