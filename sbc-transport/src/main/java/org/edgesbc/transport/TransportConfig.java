package org.edgesbc.transport;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the transport needs, validated by core before it gets here (this module never sees YAML).
 *
 * @param listeners one per bound socket
 * @param gate limits of the strict message gate
 * @param connections caps and idle expiry for TCP/TLS
 * @param tls key material and policy for TLS listeners and outbound TLS; null when no TLS is used
 * @param udpReceiveBufferBytes SO_RCVBUF for UDP listeners: a flood must overflow our queue, not the kernel's
 * @param ioThreads event-loop threads for SIP I/O
 * @param inviteTimeout how long a caller retransmits an INVITE with no answer (Timer B, 64×T1): how long a UDP
 *     socket remembers the new INVITEs it let in or refused
 */
public record TransportConfig(
        List<Listener> listeners,
        GateLimits gate,
        ConnectionLimits connections,
        TlsSettings tls,
        int udpReceiveBufferBytes,
        int ioThreads,
        Duration inviteTimeout) {

    /** A socket the SBC binds. */
    public record Listener(String name, SipTransport transport, InetSocketAddress address) { }

    /**
     * Limits of the strict gate; every one is checked before the corresponding bytes are buffered.
     *
     * @param maxMessageBytes whole message including body (UDP datagrams are capped by this too)
     * @param maxStartLineBytes request or status line without CRLF
     * @param maxHeaderLineBytes one header line without CRLF
     * @param maxHeaders number of header lines
     * @param maxVias Via header values, counting comma-joined ones
     */
    public record GateLimits(
            int maxMessageBytes, int maxStartLineBytes, int maxHeaderLineBytes, int maxHeaders, int maxVias) {
        public static final GateLimits DEFAULTS = new GateLimits(16_384, 1_024, 2_048, 64, 70);
    }

    /**
     * @param maxTotal open TCP+TLS connections, inbound and outbound together
     * @param maxPerSource inbound connections from one IP address
     * @param idleTimeout a connection with no traffic for this long is closed
     * @param connectTimeout outbound connect and TLS handshake
     */
    public record ConnectionLimits(int maxTotal, int maxPerSource, Duration idleTimeout, Duration connectTimeout) {
        public static final ConnectionLimits DEFAULTS =
                new ConnectionLimits(4_096, 32, Duration.ofMinutes(5), Duration.ofSeconds(5));
    }

    /**
     * @param certificateChain PEM file with the certificate chain
     * @param privateKey PEM file with the private key (PKCS#8 or traditional)
     * @param trustedCertificates PEM bundle used to verify peers; null trusts the JDK's default store
     * @param requireClientCertificate mutual TLS on inbound connections
     * @param verifyPeers verify outbound peers' certificates (off only for lab setups with self-signed peers)
     * @param clientIdentities certificates presented instead of {@code certificateChain} on connections opened
     *         toward particular peers, by a name the caller of {@link SipTransportService#flowTo} gives
     */
    public record TlsSettings(
            Path certificateChain,
            Path privateKey,
            Path trustedCertificates,
            boolean requireClientCertificate,
            boolean verifyPeers,
            Map<String, ClientIdentity> clientIdentities) {

        public TlsSettings {
            clientIdentities = Map.copyOf(clientIdentities);
        }

        /** Settings presenting the SBC's one certificate to every peer. */
        public TlsSettings(Path certificateChain, Path privateKey, Path trustedCertificates,
                boolean requireClientCertificate, boolean verifyPeers) {
            this(certificateChain, privateKey, trustedCertificates, requireClientCertificate, verifyPeers, Map.of());
        }
    }

    /** A client certificate chain and its private key, both PEM files. */
    public record ClientIdentity(Path certificateChain, Path privateKey) { }
}
