package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.edgesbc.transport.GateRejection;
import org.edgesbc.transport.ShedCause;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportMetrics;

/**
 * {@link TransportMetrics} on Micrometer. Every counter is created up front, so the I/O threads only increment:
 * no registry lookups, and no series a peer could create by inventing method names.
 */
public final class MicrometerTransportMetrics implements TransportMetrics {
    /** The methods counted by name; anything else is "other". */
    static final String[] METHODS = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "UPDATE", "PRACK",
        "INFO", "REFER", "MESSAGE", "NOTIFY", "SUBSCRIBE", "PUBLISH", "response", "other"};

    private final Map<SipTransport, Map<String, Counter>> received = new EnumMap<>(SipTransport.class);
    private final Map<SipTransport, Counter> sent = new EnumMap<>(SipTransport.class);
    private final Map<SipTransport, Map<GateRejection, Counter>> rejected = new EnumMap<>(SipTransport.class);
    private final Map<SipTransport, Counter> admissionDropped = new EnumMap<>(SipTransport.class);
    private final Map<SipTransport, Counter> refused = new EnumMap<>(SipTransport.class);
    private final Map<SipTransport, Counter> sendFailed = new EnumMap<>(SipTransport.class);
    private final Map<SipTransport, Map<ShedCause, Counter>> shed = new EnumMap<>(SipTransport.class);
    private final Timer udpQueueWait;

    MicrometerTransportMetrics(PrometheusMeterRegistry registry) {
        for (SipTransport transport : SipTransport.values()) {
            String t = transport.name().toLowerCase(Locale.ROOT);
            Map<String, Counter> byMethod = new HashMap<>();
            for (String method : METHODS) {
                byMethod.put(method, SbcMetrics.counter(registry, SbcMetrics.TRANSPORT_RECEIVED,
                        "SIP messages that passed admission and the gate", "transport", t, "method", method));
            }
            received.put(transport, byMethod);
            sent.put(transport, SbcMetrics.counter(registry, SbcMetrics.TRANSPORT_SENT, "SIP messages sent",
                    "transport", t));
            Map<GateRejection, Counter> byReason = new EnumMap<>(GateRejection.class);
            for (GateRejection reason : GateRejection.values()) {
                byReason.put(reason, SbcMetrics.counter(registry, SbcMetrics.TRANSPORT_GATE_REJECTED,
                        "Messages refused by the strict gate", "transport", t, "reason",
                        reason.name().toLowerCase(Locale.ROOT)));
            }
            rejected.put(transport, byReason);
            admissionDropped.put(transport, SbcMetrics.counter(registry, SbcMetrics.TRANSPORT_ADMISSION_DROPPED,
                    "Datagrams and connections from sources outside every zone", "transport", t));
            refused.put(transport, SbcMetrics.counter(registry, SbcMetrics.TRANSPORT_CONNECTIONS_REFUSED,
                    "Connections refused because a connection cap was reached", "transport", t));
            sendFailed.put(transport, SbcMetrics.counter(registry, SbcMetrics.TRANSPORT_SEND_FAILED,
                    "Sends that failed (connect failure, closed or stuck connection)", "transport", t));
            Map<ShedCause, Counter> byCause = new EnumMap<>(ShedCause.class);
            for (ShedCause cause : ShedCause.values()) {
                byCause.put(cause, SbcMetrics.counter(registry, SbcMetrics.TRANSPORT_SHED,
                        "New INVITEs answered 503 on the I/O thread: the relay or the I/O thread falling behind,"
                                + " beyond the rate of new calls carried, or retransmissions of INVITEs refused before",
                        "transport", t, "cause", cause.name().toLowerCase(Locale.ROOT)));
            }
            shed.put(transport, byCause);
        }
        udpQueueWait = Timer.builder(SbcMetrics.TRANSPORT_UDP_QUEUE_WAIT)
                .description("How long a probe datagram waited in a UDP listener's receive queue while its network"
                        + " thread read full bursts; past T1/5 new INVITEs are shed (cause io_backlog)")
                .serviceLevelObjectives(MicrometerRelayMetrics.RELAY_LATENCY_BUCKETS).register(registry);
    }

    @Override
    public void messageReceived(SipTransport transport, String method) {
        Map<String, Counter> byMethod = received.get(transport);
        Counter counter = byMethod.get(method);
        (counter != null ? counter : byMethod.get("other")).increment();
    }

    @Override
    public void messageSent(SipTransport transport) {
        sent.get(transport).increment();
    }

    @Override
    public void gateRejected(SipTransport transport, GateRejection reason) {
        rejected.get(transport).get(reason).increment();
    }

    @Override
    public void admissionDropped(SipTransport transport) {
        admissionDropped.get(transport).increment();
    }

    @Override
    public void connectionOpened(SipTransport transport) {
        // The open-connections gauge reads the connection table itself.
    }

    @Override
    public void connectionClosed(SipTransport transport) {
        // See connectionOpened.
    }

    @Override
    public void connectionRefused(SipTransport transport) {
        refused.get(transport).increment();
    }

    @Override
    public void sendFailed(SipTransport transport) {
        sendFailed.get(transport).increment();
    }

    @Override
    public void shed(SipTransport transport, ShedCause cause) {
        shed.get(transport).get(cause).increment();
    }

    @Override
    public void udpQueueWait(long nanos) {
        udpQueueWait.record(nanos, TimeUnit.NANOSECONDS);
    }
}
