package org.edgesbc.core.config;

import java.time.Duration;
import java.util.List;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportConfig;

/**
 * Signalling settings.
 *
 * @param advertisedHost host put in the SBC's own Via and Contact headers; defaults to the first listener's address
 * @param listeners sockets to bind (name, transport, address, port)
 * @param tls TLS key material; when certificate and key are both absent a self-signed pair is generated in the
 *     data directory at first start
 * @param udpReceiveBufferBytes SO_RCVBUF of UDP listeners
 * @param ioThreads transport event-loop threads
 * @param workerThreads relay threads; each dialog belongs to one; 0 runs the relay on the I/O threads
 * @param gate strict gate limits
 * @param connections TCP/TLS caps and idle expiry
 * @param timers RFC 3261 timer base values
 * @param maxTransactions bound of the transaction table; beyond it new requests get 503
 * @param maxDialogs bound of the dialog table; beyond it new INVITEs get 503
 * @param maxCallDuration a dialog older than this is ended on both sides with BYE
 * @param warmUpCalls calls relayed on loopback by a private SBC before {@code sbc run} opens the listeners, so that
 *     the JIT has compiled the message path before the first caller; 0 opens them cold
 */
public record SipConfig(
        String advertisedHost,
        List<ListenerConfig> listeners,
        TlsConfig tls,
        int udpReceiveBufferBytes,
        int ioThreads,
        int workerThreads,
        TransportConfig.GateLimits gate,
        TransportConfig.ConnectionLimits connections,
        TimerConfig timers,
        int maxTransactions,
        int maxDialogs,
        Duration maxCallDuration,
        int warmUpCalls) {

    public record ListenerConfig(String name, SipTransport transport, String address, int port) { }

    /**
     * @param certificate PEM chain, or null to use/generate {@code <data-dir>/tls/sbc-cert.pem}
     * @param privateKey PEM key, or null (together with certificate)
     * @param trustedCertificates PEM bundle to verify peers; null for the JDK default
     * @param requireClientCertificate mutual TLS on inbound
     * @param verifyPeers verify outbound peers
     */
    public record TlsConfig(
            java.nio.file.Path certificate,
            java.nio.file.Path privateKey,
            java.nio.file.Path trustedCertificates,
            boolean requireClientCertificate,
            boolean verifyPeers) { }

    /**
     * RFC 3261 §17 timer bases: T1 (RTT estimate), T2 (max non-INVITE retransmit interval), T4 (max network
     * lifetime).
     */
    public record TimerConfig(Duration t1, Duration t2, Duration t4) {
        public static final TimerConfig RFC3261 =
                new TimerConfig(Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(5));

        /** 64×T1: Timers B, F, H and J, how long a transaction lasts and a caller retransmits. */
        public Duration transactionTimeout() {
            return t1.multipliedBy(64);
        }
    }
}
