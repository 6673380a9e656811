package org.edgesbc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportConfig;
import org.junit.jupiter.api.Test;

class TransportConfigMappingTest {
    private final SbcConfig shipped = load();

    private static SbcConfig load() {
        try {
            return ConfigLoader.load(Path.of("..", "config", "sbc.yaml"));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void listenersLimitsAndThreadsAreCarriedOver() {
        TransportConfig transport = TransportConfigMapping.toTransportConfig(shipped, null, null);
        assertThat(transport.listeners()).extracting(TransportConfig.Listener::transport)
                .containsExactly(SipTransport.UDP, SipTransport.TCP, SipTransport.TLS);
        SipConfig.ListenerConfig first = shipped.sip().listeners().get(0);
        assertThat(transport.listeners().get(0).address())
                .isEqualTo(new InetSocketAddress(first.address(), first.port()));
        assertThat(transport.gate()).isEqualTo(shipped.sip().gate());
        assertThat(transport.connections()).isEqualTo(shipped.sip().connections());
        assertThat(transport.udpReceiveBufferBytes()).isEqualTo(shipped.sip().udpReceiveBufferBytes());
        assertThat(transport.ioThreads()).isEqualTo(shipped.sip().ioThreads());
        assertThat(transport.tls()).isNull();
    }

    @Test
    void tlsTakesTheGivenKeyMaterialAndTheConfiguredPolicy() {
        Path certificate = Path.of("/var/lib/sbc/tls/sbc-cert.pem");
        Path key = Path.of("/var/lib/sbc/tls/sbc-key.pem");
        TransportConfig.TlsSettings tls = TransportConfigMapping.toTransportConfig(shipped, certificate, key).tls();
        assertThat(tls.certificateChain()).isEqualTo(certificate);
        assertThat(tls.privateKey()).isEqualTo(key);
        assertThat(tls.requireClientCertificate()).isEqualTo(shipped.sip().tls().requireClientCertificate());
        assertThat(tls.verifyPeers()).isEqualTo(shipped.sip().tls().verifyPeers());
    }

    @Test
    void aCertificateWithoutAKeyIsRefused() {
        assertThatThrownBy(() -> TransportConfigMapping.toTransportConfig(shipped, Path.of("cert.pem"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
