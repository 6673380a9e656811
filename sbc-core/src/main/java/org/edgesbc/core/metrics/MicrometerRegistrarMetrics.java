package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.core.registrar.RegistrarMetrics;

/** {@link RegistrarMetrics} on Micrometer; every tag comes from an enum. */
public final class MicrometerRegistrarMetrics implements RegistrarMetrics {
    private final Map<PhoneOutcome, Counter> phoneRegisters = new EnumMap<>(PhoneOutcome.class);
    private final Map<PbxRequest, Counter> pbxRequests = new EnumMap<>(PbxRequest.class);
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Counter pbxFailures;

    MicrometerRegistrarMetrics(PrometheusMeterRegistry registry) {
        for (PhoneOutcome outcome : PhoneOutcome.values()) {
            phoneRegisters.put(outcome, SbcMetrics.counter(registry, SbcMetrics.REGISTRAR_PHONE_REGISTERS,
                    "REGISTERs from phones by how they were answered: by the SBC alone (absorbed), after registering"
                            + " at the PBX (relayed), or refused", "outcome", tag(outcome)));
        }
        for (PbxRequest request : PbxRequest.values()) {
            pbxRequests.put(request, SbcMetrics.counter(registry, SbcMetrics.REGISTRAR_PBX_REGISTERS,
                    "REGISTERs the SBC sent to the PBX for its addresses-of-record", "kind", tag(request)));
        }
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, SbcMetrics.counter(registry, SbcMetrics.REGISTRAR_BINDINGS_DROPPED,
                    "Bindings that left the table", "reason", tag(reason)));
        }
        pbxFailures = SbcMetrics.counter(registry, SbcMetrics.REGISTRAR_PBX_FAILURES,
                "REGISTERs to the PBX that it refused or did not answer");
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void phoneRegister(PhoneOutcome outcome) {
        phoneRegisters.get(outcome).increment();
    }

    @Override
    public void pbxRequest(PbxRequest request) {
        pbxRequests.get(request).increment();
    }

    @Override
    public void pbxFailure() {
        pbxFailures.increment();
    }

    @Override
    public void bindingsDropped(DropReason reason, int count) {
        dropped.get(reason).increment(count);
    }
}
