package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.edgesbc.core.config.DnsConfig;
import org.edgesbc.core.config.LogsConfig;
import org.edgesbc.core.config.RoutingConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SipConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.dns.Dnsmasq;
import org.edgesbc.fixtures.sip.OptionsAnsweringPeer;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.transport.tls.PemFiles;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.routing.RouteTable;
import org.edgesbc.transport.SipTransport;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.StandardConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two carriers and two PBXs on loopback: carrier A with two peers (127.0.0.10 and .11), carrier B with one
 * (127.0.0.12), the main PBX (127.0.0.3) and a branch PBX for a DID block (127.0.0.5). Calls choose their carrier by
 * the longest prefix of the dialled number and their PBX by DID, move on within the call from a silent peer and a
 * 503, and skip a peer whose OPTIONS probes fail.
 */
class CarrierInterconnectIT {
    private static final long WAIT = 5_000;

    @TempDir
    Path dataDir;

    private OptionsAnsweringPeer a1;
    private OptionsAnsweringPeer a2;
    private OptionsAnsweringPeer b1;
    private OptionsAnsweringPeer pbx;
    private OptionsAnsweringPeer branchPbx;

    @BeforeEach
    void bindPeers() throws IOException {
        a1 = new OptionsAnsweringPeer(new InetSocketAddress("127.0.0.10", 0));
        a2 = new OptionsAnsweringPeer(new InetSocketAddress("127.0.0.11", 0));
        b1 = new OptionsAnsweringPeer(new InetSocketAddress("127.0.0.12", 0));
        pbx = new OptionsAnsweringPeer(new InetSocketAddress("127.0.0.3", 0));
        branchPbx = new OptionsAnsweringPeer(new InetSocketAddress("127.0.0.5", 0));
    }

    @AfterEach
    void closePeers() {
        for (OptionsAnsweringPeer peer : List.of(a1, a2, b1, pbx, branchPbx)) {
            peer.close();
        }
    }

    @Test
    void aCallMovesOnFromASilentPeerAndA503ToTheNextCarrierAndTheCallerSeesOneCall() throws Exception {
        try (SbcDaemon sbc = SbcDaemon.start(interconnect(null, Duration.ofMillis(500)))) {
            InetSocketAddress sbcUdp = towards(sbc);
            pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "0301234567", "failover@pbx",
                    "z9hG4bK-failover", "pbx-tag"));
            assertThat(a1.receiveStartingWith("INVITE ", WAIT)).as("first peer of carrier A tried first").isNotNull();
            String toA2 = a2.receiveStartingWith("INVITE ", WAIT);
            assertThat(toA2).as("second peer tried once the first stayed silent").isNotNull();
            a2.send(SipMessages.answer(toA2, 503, "Service Unavailable", "a2-tag", null));
            assertThat(a2.receiveStartingWith("ACK ", WAIT)).as("the 503 is ACKed").isNotNull();
            String toB1 = b1.receiveStartingWith("INVITE ", WAIT);
            assertThat(toB1).as("carrier B, next on the route, gets the same call").isNotNull();
            assertThat(header(toB1, "Call-ID")).isNotEqualTo(header(toA2, "Call-ID"));
            assertThat(toB1).startsWith("INVITE sip:0301234567@127.0.0.12:").contains("c=IN IP4 127.0.0.1");
            String b1Contact = "<sip:carrier@127.0.0.12:" + b1.localAddress().getPort() + ">";
            b1.send(SipMessages.answer(toB1, 180, "Ringing", "b1-tag", b1Contact));
            b1.send(SipMessages.answer(toB1, 200, "OK", "b1-tag", b1Contact, SipMessages.sdp("127.0.0.12", 42_000)));

            List<String> early = new ArrayList<>();
            String ok = pbx.receiveStartingWith("SIP/2.0 200 ", WAIT, early);
            assertThat(ok).as("the caller gets the last attempt's answer").isNotNull().contains("CSeq: 1 INVITE")
                    .doesNotContain("b1-tag", SipTestPeer.tag(header(toB1, "From")));
            assertThat(early).extracting(message -> message.substring(0, 12))
                    .containsExactly("SIP/2.0 100 ", "SIP/2.0 180 ");
            pbx.send(SipMessages.inDialog("ACK", RelayedCall.uriOf(header(ok, "Contact")), "UDP", pbx.localAddress(),
                    "failover@pbx", header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-failover-ack"));
            assertThat(b1.receiveStartingWith("ACK ", WAIT)).isNotNull();
            b1.send(SipMessages.inDialog("BYE", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP", b1.localAddress(),
                    header(toB1, "Call-ID"), header(toB1, "To") + ";tag=b1-tag", header(toB1, "From"), 2,
                    "z9hG4bK-b1-bye"));
            String bye = pbx.receiveStartingWith("BYE ", WAIT);
            assertThat(bye).isNotNull();
            pbx.send(SipMessages.answer(bye, 200, "OK", null, null));
            assertThat(b1.receiveStartingWith("SIP/2.0 200 ", WAIT)).isNotNull();
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.metrics(sbc))
                    .contains("sbc_call_failover_total{reason=\"timeout\",zone=\"carrier-a\"} 1.0")
                    .contains("sbc_call_failover_total{reason=\"unavailable\",zone=\"carrier-a\"} 1.0");
        }
    }

    @Test
    void callsChooseTheirCarrierByLongestPrefixAndTheirPbxByDid() throws Exception {
        try (SbcDaemon sbc = SbcDaemon.start(interconnect(null, Duration.ofSeconds(20)))) {
            InetSocketAddress sbcUdp = towards(sbc);
            refusedAt(pbx, "0891234567", "munich@pbx", b1, sbcUdp);
            refusedAt(pbx, "112", "emergency@pbx", b1, sbcUdp);
            refusedAt(pbx, "+49301234567", "berlin@pbx", a1, sbcUdp);
            refusedAt(b1, "+4930123456", "did@b1", branchPbx, sbcUdp);
            refusedAt(a1, "+4940555123", "other@a1", pbx, sbcUdp);
            refusedAt(a2, "030123499", "national-did@a2", branchPbx, sbcUdp);
            SbcDaemonIT.awaitDialogs(sbc, 0);
        }
    }

    @Test
    void aPeerThatStopsAnsweringOptionsIsSkippedWithoutAnyCallWaitingAndComesBack() throws Exception {
        ZoneConfig.ProbeConfig probe = new ZoneConfig.ProbeConfig(Duration.ofMillis(200), Duration.ofMillis(150), 2,
                2);
        try (SbcDaemon sbc = SbcDaemon.start(interconnect(probe, Duration.ofSeconds(20)))) {
            InetSocketAddress sbcUdp = towards(sbc);
            String a1Peer = "127.0.0.10:" + a1.localAddress().getPort();
            await(() -> a1.probes() >= 2, "carrier A's first peer is probed");
            String a2Peer = "127.0.0.11:" + a2.localAddress().getPort();
            // Probes sent before the peers knew where to answer may have failed: both must be up again first.
            await(() -> peers(sbc).contains(peerJson(a1Peer, true)) && peers(sbc).contains(peerJson(a2Peer, true)),
                    "the probed peers are up");

            a1.answerOptions(false);
            await(() -> peers(sbc).contains(peerJson(a1Peer, false)), "the silent peer is marked down");
            assertThat(SbcDaemonIT.metrics(sbc)).contains("sbc_peer_up{peer=\"" + a1Peer + "\",zone=\"carrier-a\"} 0.0")
                    .containsPattern("sbc_peer_probe_total\\{peer=\"" + a1Peer.replace(".", "\\.")
                            + "\",result=\"timeout\",zone=\"carrier-a\"} [2-9]");
            // The attempt timeout is 20 s: the call reaches the second peer at once only because the first is skipped.
            refusedAt(pbx, "0301234567", "skips-down@pbx", a2, sbcUdp);
            assertThat(a1.receive(300)).as("no INVITE toward the peer that is down").isNull();

            a1.answerOptions(true);
            await(() -> peers(sbc).contains(peerJson(a1Peer, true)), "the peer is up again once it answers");
            refusedAt(pbx, "0301234568", "back-up@pbx", a1, sbcUdp);
            SbcDaemonIT.awaitDialogs(sbc, 0);
        }
    }

    @Test
    void aCallToATrunkNameReachesTheSrvTargetOfHighestPriorityAndTheNextWhenItIsSilent() throws Exception {
        // carrier.test: NAPTR to _sip._udp.carrier.test, whose SRV targets are a1 (priority 10) and a2 (priority 20).
        try (Dnsmasq dns = Dnsmasq.start(List.of(
                "--naptr-record=carrier.test,10,50,S,SIP+D2U,,_sip._udp.carrier.test",
                "--srv-host=_sip._udp.carrier.test,a1.carrier.test," + a1.localAddress().getPort() + ",10,50",
                "--srv-host=_sip._udp.carrier.test,a2.carrier.test," + a2.localAddress().getPort() + ",20,50",
                "--host-record=a1.carrier.test,127.0.0.10", "--host-record=a2.carrier.test,127.0.0.11"));
                SbcDaemon sbc = SbcDaemon.start(interconnect(null, Duration.ofMillis(500),
                        List.of(new ZoneConfig.PeerConfig("carrier.test", 0, null)),
                        new DnsConfig(List.of(dns.address()), 100, Duration.ofSeconds(5), Duration.ofHours(1),
                                Duration.ofSeconds(30), Duration.ofSeconds(1))))) {
            InetSocketAddress sbcUdp = towards(sbc);
            refusedAt(pbx, "0301234567", "named@pbx", a1, sbcUdp);
            assertThat(a2.receive(200)).as("the lower-priority target is not tried for a call the first one took")
                    .isNull();

            pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "0301234568", "named-silent@pbx",
                    "z9hG4bK-named-silent", "pbx-tag"));
            assertThat(a1.receiveStartingWith("INVITE ", WAIT)).as("the first SRV target again").isNotNull();
            String toA2 = a2.receiveStartingWith("INVITE ", WAIT);
            assertThat(toA2).as("the next SRV target once the first stays silent").isNotNull();
            a2.send(SipMessages.answer(toA2, 200, "OK", "a2-tag", "<sip:carrier@127.0.0.11:"
                    + a2.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.11", 42_002)));
            List<String> early = new ArrayList<>();
            String ok = pbx.receiveStartingWith("SIP/2.0 200 ", WAIT, early);
            assertThat(ok).as("the same call completes on the next target").isNotNull().contains("CSeq: 1 INVITE")
                    .doesNotContain("a2-tag", SipTestPeer.tag(header(toA2, "From")));
            // The first call's 486 may still be retransmitted: this fixture's caller never ACKs it.
            assertThat(early).filteredOn(message -> message.contains("named-silent@pbx"))
                    .extracting(message -> message.substring(0, 12)).containsExactly("SIP/2.0 100 ");
            String metrics = SbcDaemonIT.metrics(sbc);
            assertThat(metrics).containsPattern("sbc_dns_lookup_total\\{result=\"found\",type=\"naptr\"} [1-9]")
                    .containsPattern("sbc_dns_lookup_total\\{result=\"found\",type=\"srv\"} [1-9]")
                    .containsPattern("sbc_dns_cache_entries [1-9]")
                    .contains("sbc_call_failover_total{reason=\"timeout\",zone=\"carrier-a\"} 1.0");
            assertThat(metrics).as("the second call was routed from the cache: one NAPTR query in all")
                    .contains("sbc_dns_lookup_total{result=\"found\",type=\"naptr\"} 1.0");
        }
    }

    @Test
    void tlsTowardANamedPeerSendsTheNameAsSniAndVerifiesTheCertificateAgainstIt() throws Exception {
        Path carrierCert = dataDir.resolve("carrier-cert.pem");
        Path carrierKey = dataDir.resolve("carrier-key.pem");
        SelfSignedCertificateGenerator.generate(carrierCert, carrierKey, List.of("carrier.test"));
        SSLServerSocket carrier = tlsServer(carrierCert, carrierKey);
        List<String> sni = new java.util.concurrent.CopyOnWriteArrayList<>();
        SSLParameters parameters = carrier.getSSLParameters();
        parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
            @Override
            public boolean matches(SNIServerName name) {
                sni.add(((SNIHostName) name).getAsciiName());
                return true;
            }
        }));
        carrier.setSSLParameters(parameters);
        try (carrier;
                Dnsmasq dns = Dnsmasq.start(List.of(
                        "--naptr-record=carrier.test,10,50,S,SIPS+D2T,,_sips._tcp.carrier.test",
                        "--srv-host=_sips._tcp.carrier.test,tls1.carrier.test," + carrier.getLocalPort() + ",10,50",
                        "--host-record=tls1.carrier.test,127.0.0.10"))) {
            SbcConfig config = verifyingTls(carrierCert, dns, null);
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = towards(sbc);
                pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "0301234567", "tls-named@pbx",
                        "z9hG4bK-tls-named", "pbx-tag"));
                try (StreamSipPeer peer = StreamSipPeer.accept(carrier, (int) WAIT)) {
                    String invite = peer.receiveStartingWith("INVITE ", WAIT);
                    assertThat(invite).as("the INVITE over TLS to the SRV target of the name").isNotNull()
                            .startsWith("INVITE sip:0301234567@127.0.0.10:" + carrier.getLocalPort() + ";transport=tls");
                    assertThat(sni).as("the configured name as SNI").containsExactly("carrier.test");
                    peer.send(SipMessages.answer(invite, 486, "Busy Here", "busy", null));
                    assertThat(pbx.receiveStartingWith("SIP/2.0 486 ", WAIT)).isNotNull();
                }
            }
        }
    }

    @Test
    void aNamedTlsPeerWhoseCertificateNamesAnotherHostGetsNoRequest() throws Exception {
        Path otherCert = dataDir.resolve("other-cert.pem");
        Path otherKey = dataDir.resolve("other-key.pem");
        SelfSignedCertificateGenerator.generate(otherCert, otherKey, List.of("other.test"));
        SSLServerSocket impostor = tlsServer(otherCert, otherKey);
        try (impostor;
                Dnsmasq dns = Dnsmasq.start(List.of(
                        "--srv-host=_sips._tcp.carrier.test,tls1.carrier.test," + impostor.getLocalPort() + ",10,50",
                        "--host-record=tls1.carrier.test,127.0.0.10"));
                SbcDaemon sbc = SbcDaemon.start(verifyingTls(otherCert, dns, SipTransport.TLS))) {
            InetSocketAddress sbcUdp = towards(sbc);
            pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "0301234567", "tls-impostor@pbx",
                    "z9hG4bK-tls-impostor", "pbx-tag"));
            // The certificate is trusted (it is in the SBC's bundle) but names other.test, not carrier.test.
            try (StreamSipPeer peer = StreamSipPeer.accept(impostor, (int) WAIT)) {
                assertThat(peer.receiveStartingWith("INVITE ", 2_000)).as("no request over a connection whose "
                        + "certificate does not name the peer").isNull();
            } catch (IOException handshakeRefused) {
                // The SBC refuses the certificate with an alert and closes the connection; the impostor's next
                // handshake write can meet the closed socket before it reads that alert.
                assertThat(handshakeRefused).isInstanceOfAny(javax.net.ssl.SSLException.class,
                        SocketException.class);
            }
        }
    }

    /**
     * Carrier A as the single name carrier.test ({@code transport} null: as NAPTR says), the SBC verifying peers against
     * {@code trusted}, DNS at {@code dns}.
     */
    private SbcConfig verifyingTls(Path trusted, Dnsmasq dns, SipTransport transport) {
        SbcConfig plain = interconnect(null, Duration.ofSeconds(4),
                List.of(new ZoneConfig.PeerConfig("carrier.test", 0, transport)),
                new DnsConfig(List.of(dns.address()), 100, Duration.ofSeconds(5), Duration.ofHours(1),
                        Duration.ofSeconds(30), Duration.ofSeconds(1)));
        SipConfig sip = plain.sip();
        SipConfig verifying = new SipConfig(sip.advertisedHost(), sip.listeners(),
                new SipConfig.TlsConfig(null, null, trusted, false, true), sip.udpReceiveBufferBytes(),
                sip.ioThreads(), sip.workerThreads(), sip.gate(), sip.connections(), sip.timers(),
                sip.maxTransactions(), sip.maxDialogs(), sip.maxCallDuration(), sip.warmUpCalls());
        return new SbcConfig(plain.source(), plain.dataDir(), verifying, plain.media(), plain.security(),
                plain.fraud(), plain.zones(), plain.management(), plain.registration(), plain.stirShaken(),
                plain.logs(), plain.routing(), plain.dns());
    }

    /** A TLS listener on 127.0.0.10 presenting {@code certificate}. */
    private static SSLServerSocket tlsServer(Path certificate, Path key) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry("carrier", PemFiles.privateKey(key), new char[0], PemFiles.certificates(certificate));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 5,
                java.net.InetAddress.getByName("127.0.0.10"));
    }

    /** A call from {@code caller} to {@code number} arrives at {@code expected}, which refuses it with 486. */
    private static void refusedAt(SipTestPeer caller, String number, String callId, SipTestPeer expected,
            InetSocketAddress sbcUdp) throws IOException {
        caller.send(SipMessages.invite("UDP", caller.localAddress(), sbcUdp, number, callId, "z9hG4bK-" + callId
                .hashCode(), "caller-tag"));
        String invite = expected.receiveStartingWith("INVITE ", WAIT);
        assertThat(invite).as("the call to %s reaches %s (the caller heard: %s)", number, expected.localAddress(),
                invite == null ? caller.receive(100) : "").isNotNull()
                .startsWith("INVITE sip:" + number + "@" + expected.localAddress().getAddress().getHostAddress());
        expected.send(SipMessages.answer(invite, 486, "Busy Here", "busy", null));
        assertThat(expected.receiveStartingWith("ACK ", WAIT)).isNotNull();
        assertThat(caller.receiveStartingWith("SIP/2.0 486 ", WAIT)).as("the caller hears the refusal").isNotNull();
    }

    private InetSocketAddress towards(SbcDaemon sbc) {
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        for (OptionsAnsweringPeer peer : List.of(a1, a2, b1, pbx, branchPbx)) {
            peer.towards(sbcUdp);
        }
        return sbcUdp;
    }

    /**
     * Carrier A (two peers, probed with {@code probe} when given), carrier B, the main PBX and the branch PBX; Munich
     * numbers (4989) over carrier B then A, everything else over A then B, emergency calls over B; the DID block
     * 4930123400-4930123499 to the branch PBX.
     */
    private SbcConfig interconnect(ZoneConfig.ProbeConfig probe, Duration attemptTimeout) {
        return interconnect(probe, attemptTimeout, List.of(udp(a1), udp(a2)), DnsConfig.DEFAULTS);
    }

    /** {@link #interconnect(ZoneConfig.ProbeConfig, Duration)} with carrier A's peers and the DNS settings given. */
    private SbcConfig interconnect(ZoneConfig.ProbeConfig probe, Duration attemptTimeout,
            List<ZoneConfig.PeerConfig> carrierAPeers, DnsConfig dns) {
        SbcConfig base = TestConfigs.loopbackUdp(dataDir, b1.localAddress(), pbx.localAddress());
        List<ZoneConfig> zones = List.of(
                new ZoneConfig("carrier-a", ZoneConfig.ZoneRole.TRUNK, List.of(Cidr.parse("127.0.0.10/32"),
                        Cidr.parse("127.0.0.11/32")), carrierAPeers, SrtpPolicy.OFF, false, probe),
                new ZoneConfig("carrier-b", ZoneConfig.ZoneRole.TRUNK, List.of(Cidr.parse("127.0.0.12/32")),
                        List.of(udp(b1)), SrtpPolicy.OFF, false, null),
                new ZoneConfig("pbx", ZoneConfig.ZoneRole.PBX, List.of(Cidr.parse("127.0.0.3/32")), List.of(udp(pbx)),
                        SrtpPolicy.OFF, false, null),
                new ZoneConfig("branch-pbx", ZoneConfig.ZoneRole.PBX, List.of(Cidr.parse("127.0.0.5/32")),
                        List.of(udp(branchPbx)), SrtpPolicy.OFF, false, null));
        RoutingConfig routing = new RoutingConfig(List.of(
                new RouteTable.OutboundRoute("4989", Set.of(), Set.of(), List.of("carrier-b", "carrier-a")),
                new RouteTable.OutboundRoute("", Set.of(), Set.of(), List.of("carrier-a", "carrier-b"))),
                List.of("carrier-b"), List.of(new RouteTable.DidRange("4930123400", "4930123499", "branch-pbx")),
                "pbx", Set.of(502), attemptTimeout);
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(), base.fraud(),
                zones, base.management(), base.registration(), base.stirShaken(), LogsConfig.DEFAULTS, routing, dns);
    }

    private static ZoneConfig.PeerConfig udp(SipTestPeer peer) {
        return new ZoneConfig.PeerConfig(peer.localAddress().getAddress().getHostAddress(),
                peer.localAddress().getPort(), SipTransport.UDP);
    }

    private static String peerJson(String hostPort, boolean up) {
        String[] parts = hostPort.split(":");
        return "\"host\":\"" + parts[0] + "\",\"port\":" + parts[1] + ",\"transport\":\"udp\",\"probed\":true,"
                + "\"up\":" + up;
    }

    private static String peers(SbcDaemon sbc) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sbc.managementPort() + "/admin/peers"))
                    .header("Authorization", "Bearer test-token").build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
