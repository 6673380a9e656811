package org.edgesbc.core.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.edgesbc.transport.TransportConfig;

/** Maps the validated signalling settings onto the transport module's {@link TransportConfig}. */
public final class TransportConfigMapping {
    private TransportConfigMapping() { }

    /**
     * The transport's configuration for {@code config}: every listener (address literals as validated; port 0 binds
     * an ephemeral port), the gate and connection limits, receive buffer and I/O threads as configured.
     *
     * @param certificate the PEM certificate chain TLS uses: the configured one, or the one generated in the data
     *     directory when {@code sip.tls} names none; null together with {@code key} when no TLS is wanted
     * @param key the PEM private key belonging to {@code certificate}
     * @throws IllegalArgumentException when exactly one of {@code certificate} and {@code key} is null
     */
    public static TransportConfig toTransportConfig(SbcConfig config, Path certificate, Path key) {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("certificate and key go together: both or neither");
        }
        SipConfig sip = config.sip();
        List<TransportConfig.Listener> listeners = sip.listeners().stream()
                .map(l -> new TransportConfig.Listener(l.name(), l.transport(),
                        new InetSocketAddress(l.address(), l.port())))
                .toList();
        SipConfig.TlsConfig policy = sip.tls();
        TransportConfig.TlsSettings tls = certificate == null ? null
                : new TransportConfig.TlsSettings(certificate, key,
                        policy == null ? null : policy.trustedCertificates(),
                        policy != null && policy.requireClientCertificate(),
                        policy == null || policy.verifyPeers());
        return new TransportConfig(listeners, sip.gate(), sip.connections(), tls, sip.udpReceiveBufferBytes(),
                sip.ioThreads());
    }
}
