package org.edgesbc.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts every transport event by name, transport and (for rejections) reason; thread-safe, for tests. */
final class CountingTransportMetrics implements TransportMetrics {
    private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    int count(String event, SipTransport transport) {
        AtomicInteger count = counts.get(event + "/" + transport);
        return count == null ? 0 : count.get();
    }

    int rejected(SipTransport transport, GateRejection reason) {
        return count("gateRejected:" + reason, transport);
    }

    private void add(String event, SipTransport transport) {
        counts.computeIfAbsent(event + "/" + transport, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void messageReceived(SipTransport transport, String method) {
        add("messageReceived", transport);
    }

    @Override
    public void messageSent(SipTransport transport) {
        add("messageSent", transport);
    }

    @Override
    public void gateRejected(SipTransport transport, GateRejection reason) {
        add("gateRejected:" + reason, transport);
    }

    @Override
    public void admissionDropped(SipTransport transport) {
        add("admissionDropped", transport);
    }

    @Override
    public void connectionOpened(SipTransport transport) {
        add("connectionOpened", transport);
    }

    @Override
    public void connectionClosed(SipTransport transport) {
        add("connectionClosed", transport);
    }

    @Override
    public void connectionRefused(SipTransport transport) {
        add("connectionRefused", transport);
    }

    @Override
    public void sendFailed(SipTransport transport) {
        add("sendFailed", transport);
    }

    @Override
    public void shed(SipTransport transport, ShedCause cause) {
        add("shed", transport);
        add("shed:" + cause.name().toLowerCase(java.util.Locale.ROOT), transport);
    }

    @Override
    public void udpQueueWait(long nanos) {
        add("udpQueueWait", SipTransport.UDP);
    }
}
