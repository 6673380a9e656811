package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.relay.RelayDropReason;
import org.edgesbc.core.relay.RelayMetrics;

/**
 * {@link RelayMetrics} on Micrometer; statuses are counted by class (1xx..6xx), methods from a fixed set. The two
 * histograms have fixed buckets, so that dashboards and alerts can aggregate them across nodes.
 */
public final class MicrometerRelayMetrics implements RelayMetrics {
    /**
     * Call set-up runs from the INVITE to its first final response, ringing included: a refusal takes milliseconds,
     * an answer seconds, and a call nobody picks up ends with the caller's or the far side's timer after minutes.
     */
    static final Duration[] CALL_SET_UP_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120)};
    /**
     * Relay latency is queueing plus processing on a relay thread: tens of microseconds when idle; past T1/5 (100 ms
     * on the default T1) new calls are shed, past T1 the message is dropped as stale.
     */
    static final Duration[] RELAY_LATENCY_BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500)};

    private final Map<String, Counter> requests = new HashMap<>();
    private final Counter[] responses = new Counter[7];
    private final Counter[] localResponses = new Counter[7];
    private final Map<RelayDropReason, Counter> dropped = new EnumMap<>(RelayDropReason.class);
    private final Counter absorbed;
    private final Counter timeouts;
    private final Counter transactionOverflow;
    private final Counter windowsCut;
    private final Counter dialogOverflow;
    private final Timer callsAnswered;
    private final Timer callsFailed;
    private final Map<RelayedMessage, Timer> relayLatency = new EnumMap<>(RelayedMessage.class);
    private final PrometheusMeterRegistry registry;
    /** By zone and action; zones are the configured ones, so the map stays small. */
    private final Map<String, Counter> redirects = new ConcurrentHashMap<>();
    private final Map<String, Counter> sessionTimerExpired = new ConcurrentHashMap<>();
    private final Map<String, Counter> keepaliveFailed = new ConcurrentHashMap<>();
    /**
     * By disposition, then by who ended the call: a handful of dispositions and the SBC's own reasons, all constants,
     * so the maps stay small.
     */
    private final Map<String, Map<String, Counter>> callsEnded = new ConcurrentHashMap<>();

    MicrometerRelayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        // Exported from the start, so that the alert on unacknowledged answers has both of its series.
        for (String endedBy : List.of("caller", "callee", "sbc:no-ack")) {
            callEndedCounter("answered", endedBy);
        }
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
        windowsCut = SbcMetrics.counter(registry, SbcMetrics.RELAY_RETRANSMISSION_WINDOWS_CUT,
                "Completed transactions let go before their retransmission window ended (the shard's store was full)");
        dialogOverflow = SbcMetrics.counter(registry, SbcMetrics.RELAY_DIALOGS_OVERFLOW,
                "Dialog-creating requests refused with 503 because the dialog table was full");
        callsAnswered = callSetUpTimer(registry, "answered");
        callsFailed = callSetUpTimer(registry, "failed");
        for (RelayedMessage kind : RelayedMessage.values()) {
            relayLatency.put(kind, Timer.builder(SbcMetrics.RELAY_LATENCY)
                    .description("From a message's arrival at the SBC to its relay by the thread that read it")
                    .tag("message", kind.name().toLowerCase(Locale.ROOT))
                    .serviceLevelObjectives(RELAY_LATENCY_BUCKETS).register(registry));
        }
    }

    private static Timer callSetUpTimer(PrometheusMeterRegistry registry, String outcome) {
        return Timer.builder(SbcMetrics.RELAY_CALL_SET_UP)
                .description("From an initial INVITE's arrival to the first final response relayed to the caller")
                .tag("outcome", outcome).serviceLevelObjectives(CALL_SET_UP_BUCKETS).register(registry);
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
    public void retransmissionWindowCut() {
        windowsCut.increment();
    }

    @Override
    public void dialogOverflow() {
        dialogOverflow.increment();
    }

    @Override
    public void redirect(String zone, RedirectAction action) {
        String actionTag = action.name().toLowerCase(Locale.ROOT);
        redirects.computeIfAbsent(zone + '\n' + actionTag, key -> SbcMetrics.counter(registry, SbcMetrics.REDIRECTS,
                "3xx answers to INVITEs by what the SBC did with them", "zone", zone, "action", actionTag))
                .increment();
    }

    @Override
    public void callSetUp(boolean answered, long nanos) {
        (answered ? callsAnswered : callsFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void relayed(RelayedMessage kind, long nanos) {
        relayLatency.get(kind).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Zone names come from the configuration, a fixed set; a zone added by a reload gets its counter then. */
    @Override
    public void sessionTimerExpired(String zone) {
        sessionTimerExpired.computeIfAbsent(zone, name -> SbcMetrics.counter(registry, SbcMetrics.SESSION_TIMER_EXPIRED,
                "Calls ended because a leg's session refresh never came (RFC 4028)", "zone", name)).increment();
    }

    @Override
    public void keepaliveFailed(String zone) {
        keepaliveFailed.computeIfAbsent(zone, name -> SbcMetrics.counter(registry, SbcMetrics.KEEPALIVE_FAILED,
                "Calls ended because their leg toward the zone no longer had the dialog (in-dialog OPTIONS answered "
                        + "481 or 408, or not at all)", "zone", name)).increment();
    }

    @Override
    public void callEnded(String disposition, String endedBy) {
        callEndedCounter(disposition, endedBy).increment();
    }

    private Counter callEndedCounter(String disposition, String endedBy) {
        return callsEnded.computeIfAbsent(disposition, name -> new ConcurrentHashMap<>())
                .computeIfAbsent(endedBy, name -> SbcMetrics.counter(registry, SbcMetrics.CALLS_ENDED,
                        "Calls recorded, by their CDR's disposition and who ended them", "disposition", disposition,
                        "ended_by", name));
    }
}
