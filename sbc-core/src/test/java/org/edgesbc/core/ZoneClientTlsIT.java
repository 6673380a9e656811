package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.SSLServerSocket;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.fixtures.tls.TestTls;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.tls.PemFiles;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trunk zone with a client certificate of its own: the carrier admits only that certificate (mutual TLS), and the
 * SBC presents it instead of its own when it connects to the carrier.
 */
class ZoneClientTlsIT {
    private static final int WAIT = 5_000;
    /** Attempts at getting the call through a freshly started daemon on a loaded machine. */
    private static final int CALL_ATTEMPTS = 3;

    @TempDir
    Path dataDir;

    @Test
    void aTrunkZonePresentsItsOwnClientCertificateToACarrierThatRequiresIt() throws Exception {
        Path zoneCert = dataDir.resolve("zone-cert.pem");
        Path zoneKey = dataDir.resolve("zone-key.pem");
        SelfSignedCertificateGenerator.generate(zoneCert, zoneKey, List.of("sbc.carrier-interconnect.test"));
        Path carrierCert = dataDir.resolve("carrier-cert.pem");
        Path carrierKey = dataDir.resolve("carrier-key.pem");
        SelfSignedCertificateGenerator.generate(carrierCert, carrierKey, List.of("127.0.0.2"));
        SSLServerSocket carrier = (SSLServerSocket) TestTls.withKey(PemFiles.privateKey(carrierKey),
                PemFiles.certificates(carrierCert), zoneCert).getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getByName("127.0.0.2"));
        carrier.setNeedClientAuth(true);
        try (carrier; UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig base = TestConfigs.loopback(dataDir, 0, 0, 0,
                    new ZoneConfig.PeerConfig("127.0.0.2", carrier.getLocalPort(), SipTransport.TLS),
                    new ZoneConfig.PeerConfig("127.0.0.3", pbx.localAddress().getPort(), SipTransport.UDP));
            SbcConfig config = TestConfigs.withClientTls(base, "trunk", new ZoneConfig.ClientTls(zoneCert, zoneKey));
            try (SbcDaemon sbc = SbcDaemon.start(config);
                    StreamSipPeer peer = acceptCall(carrier, pbx, sbc.sipAddress(SipTransport.UDP))) {
                Certificate[] presented = peer.peerCertificates();
                String invite = peer.receiveStartingWith("INVITE ", WAIT);
                assertThat(invite).as("the INVITE over the mutually authenticated connection").isNotNull()
                        .startsWith("INVITE sip:0301234567@127.0.0.2:" + carrier.getLocalPort() + ";transport=tls");
                assertThat(presented[0]).as("the zone's certificate, not the SBC's own")
                        .isEqualTo(PemFiles.certificates(zoneCert)[0]);
                peer.send(SipMessages.answer(invite, 486, "Busy Here", "busy", null));
                assertThat(pbx.receiveStartingWith("SIP/2.0 486 ", WAIT)).isNotNull();
            }
        }
    }

    /**
     * Sends the PBX's INVITE until the SBC connects to {@code carrier} (a freshly started daemon may shed the first
     * one when the machine is loaded), each time as a new call.
     */
    private static StreamSipPeer acceptCall(SSLServerSocket carrier, UdpSipPeer pbx, InetSocketAddress sbcUdp)
            throws Exception {
        pbx.towards(sbcUdp);
        SocketTimeoutException last = null;
        for (int attempt = 0; attempt < CALL_ATTEMPTS; attempt++) {
            pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "0301234567", "mtls-" + attempt + "@pbx",
                    "z9hG4bK-mtls-" + attempt, "pbx-tag"));
            try {
                return StreamSipPeer.accept(carrier, WAIT);
            } catch (SocketTimeoutException e) {
                last = e;
            }
        }
        throw last;
    }
}
