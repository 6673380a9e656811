package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.transport.dns.DnsMetrics;

/** {@link DnsMetrics} on Micrometer: lookups of named peers by record type and result (both enums). */
public final class MicrometerDnsMetrics implements DnsMetrics {
    private final Map<RecordType, Map<Result, Counter>> lookups = new EnumMap<>(RecordType.class);

    MicrometerDnsMetrics(PrometheusMeterRegistry registry) {
        for (RecordType type : RecordType.values()) {
            Map<Result, Counter> byResult = new EnumMap<>(Result.class);
            for (Result result : Result.values()) {
                byResult.put(result, SbcMetrics.counter(registry, SbcMetrics.DNS_LOOKUPS,
                        "DNS queries for peers named by host name (RFC 3263)", "type",
                        type.name().toLowerCase(Locale.ROOT), "result", result.name().toLowerCase(Locale.ROOT)));
            }
            lookups.put(type, byResult);
        }
    }

    @Override
    public void lookup(RecordType type, Result result) {
        lookups.get(type).get(result).increment();
    }
}
