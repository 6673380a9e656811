package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.core.relay.RelayDropReason;
import org.edgesbc.core.relay.RelayMetrics;

/** {@link RelayMetrics} on Micrometer; statuses are counted by class (1xx..6xx), methods from a fixed set. */
public final class MicrometerRelayMetrics implements RelayMetrics {
    private final Map<String, Counter> requests = new HashMap<>();
    private final Counter[] responses = new Counter[7];
    private final Counter[] localResponses = new Counter[7];
    private final Map<RelayDropReason, Counter> dropped = new EnumMap<>(RelayDropReason.class);
    private final Counter absorbed;
    private final Counter timeouts;
    private final Counter transactionOverflow;
    private final Counter dialogOverflow;

    MicrometerRelayMetrics(PrometheusMeterRegistry registry) {
        for (String method : MicrometerTransportMetrics.METHODS) {
            if (!method.equals("response")) {
                requests.put(method, SbcMetrics.counter(registry, SbcMetrics.RELAY_REQUESTS,
                        "Requests relayed to the other side", "method", method));
            }
        }
        for (int statusClass = 1; statusClass <= 6; statusClass++) {
            responses[statusClass] = SbcMetrics.counter(registry, SbcMetrics.RELAY_RESPONSES,
                    "Responses relayed to the requester", "class", statusClass + "xx");
            localResponses[statusClass] = SbcMetrics.counter(registry, SbcMetrics.RELAY_LOCAL_RESPONSES,
                    "Responses the SBC generated itself", "class", statusClass + "xx");
        }
        for (RelayDropReason reason : RelayDropReason.values()) {
            dropped.put(reason, SbcMetrics.counter(registry, SbcMetrics.RELAY_DROPPED,
                    "Messages the relay dropped without an answer", "reason", reason.name().toLowerCase(Locale.ROOT)));
        }
        absorbed = SbcMetrics.counter(registry, SbcMetrics.RELAY_RETRANSMISSIONS_ABSORBED,
                "Retransmissions answered from transaction state instead of relayed");
        timeouts = SbcMetrics.counter(registry, SbcMetrics.RELAY_TIMEOUTS,
                "Client transactions the far side did not answer in time");
        transactionOverflow = SbcMetrics.counter(registry, SbcMetrics.RELAY_TRANSACTIONS_OVERFLOW,
                "Requests refused with 503 because the transaction table was full");
        dialogOverflow = SbcMetrics.counter(registry, SbcMetrics.RELAY_DIALOGS_OVERFLOW,
                "Dialog-creating requests refused with 503 because the dialog table was full");
    }

    @Override
    public void requestRelayed(String method) {
        Counter counter = requests.get(method);
        (counter != null ? counter : requests.get("other")).increment();
    }

    @Override
    public void responseRelayed(int status) {
        responses[statusClass(status)].increment();
    }

    @Override
    public void localResponse(int status) {
        localResponses[statusClass(status)].increment();
    }

    private static int statusClass(int status) {
        return Math.max(1, Math.min(6, status / 100));
    }

    @Override
    public void retransmissionAbsorbed() {
        absorbed.increment();
    }

    @Override
    public void transactionTimeout() {
        timeouts.increment();
    }

    @Override
    public void dropped(RelayDropReason reason) {
        dropped.get(reason).increment();
    }

    @Override
    public void transactionOverflow() {
        transactionOverflow.increment();
    }

    @Override
    public void dialogOverflow() {
        dialogOverflow.increment();
    }
}
