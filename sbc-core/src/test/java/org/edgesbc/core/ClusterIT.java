package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.edgesbc.core.config.ClusterConfig;
import org.edgesbc.core.config.FraudConfig;
import org.edgesbc.core.config.MediaSettings;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SipConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.redis.RedisServer;
import org.edgesbc.fixtures.sip.SipDigest;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.policy.fraud.FraudRules;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two SBC nodes (127.0.0.1 and 127.0.0.4) sharing state through a real {@code redis-server} on loopback: bans,
 * concurrent-call and spend caps across nodes, and what happens while Redis is away and when it returns. Each node
 * has its own trunk and PBX peer (127.0.0.2 and 127.0.0.3, a port each), so every answer goes back to the node that
 * sent the request.
 */
class ClusterIT {
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final String PREFIX = "sbc-it:";

    @TempDir
    Path dir;

    private RedisServer redis;
    /** Sentinels the nodes find Redis through; empty: they connect to {@link #redis} directly. */
    private List<InetSocketAddress> sentinels = List.of();
    /** The CA bundle nodes started from now on trust for TLS to Redis; null: they connect without TLS. */
    private Path redisCa;
    private UdpSipPeer trunk1;
    private UdpSipPeer trunk2;
    private UdpSipPeer pbx1;
    private UdpSipPeer pbx2;
    private SbcDaemon node1;
    private SbcDaemon node2;

    @BeforeEach
    void startRedisAndPeers() throws Exception {
        redis = RedisServer.start(dir);
        trunk1 = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
        trunk2 = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
        pbx1 = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
        pbx2 = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {node1, node2, trunk1, trunk2, pbx1, pbx2, redis}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    /** Both nodes with {@code rules} for every account, each seeing the other within a heartbeat. */
    private void startNodes(FraudRules rules, Map<String, Long> rates) throws Exception {
        startNodes(rules, rates, pbx1.localAddress(), pbx2.localAddress());
        pbx1.towards(node1.sipAddress(SipTransport.UDP));
        trunk1.towards(node1.sipAddress(SipTransport.UDP));
        pbx2.towards(node2.sipAddress(SipTransport.UDP));
        trunk2.towards(node2.sipAddress(SipTransport.UDP));
    }

    private void startNodes(FraudRules rules, Map<String, Long> rates, InetSocketAddress pbxOf1,
            InetSocketAddress pbxOf2) throws Exception {
        node1 = SbcDaemon.start(node("node-1", "127.0.0.1", trunk1.localAddress(), pbxOf1, rules, rates));
        node2 = SbcDaemon.start(node("node-2", "127.0.0.4", trunk2.localAddress(), pbxOf2, rules, rates));
        for (SbcDaemon node : List.of(node1, node2)) {
            await(node, "/admin/cluster", body -> body.contains("\"redis\":\"up\"")
                    && body.contains("\"node\":\"node-1\",\"address\":\"127.0.0.1\"")
                    && body.contains("\"node\":\"node-2\",\"address\":\"127.0.0.4\""), 20_000);
        }
    }

    private SbcConfig node(String nodeId, String address, InetSocketAddress trunk, InetSocketAddress pbx,
            FraudRules rules, Map<String, Long> rates) throws IOException {
        Path data = Files.createDirectories(dir.resolve(nodeId));
        SbcConfig base = TestConfigs.withPhones(TestConfigs.loopbackUdp(data, trunk, pbx), RegistrationConfig.DEFAULTS, List.of("127.0.0.0/25"),
                List.of(TestConfigs.user("1001", "secret-1001")));
        SipConfig s = base.sip();
        SipConfig sip = new SipConfig(address, List.of(new SipConfig.ListenerConfig("udp", SipTransport.UDP, address,
                0)), s.tls(), s.udpReceiveBufferBytes(), s.ioThreads(), s.workerThreads(), s.gate(), s.connections(),
                s.timers(), s.maxTransactions(), s.maxDialogs(), s.maxCallDuration(), s.warmUpCalls());
        MediaSettings m = base.media();
        MediaSettings media = new MediaSettings(true, address, address, m.portMin(), m.portMax(), m.quarantine(),
                m.timeout(), m.holdTimeout(), m.threads());
        FraudConfig f = base.fraud();
        FraudConfig fraud = new FraudConfig(f.dialPlan(), f.prefixes(), rules, Map.of(), rates, 0);
        return new SbcConfig(base.source(), data, sip, media, base.security(), fraud, base.zones(),
                base.management(), base.registration(), base.stirShaken(), base.logs(), base.routing(), base.dns(),
                new ClusterConfig(nodeId, sentinels.isEmpty() ? InetSocketAddress.createUnresolved("127.0.0.1",
                        redis.port()) : null, sentinels, sentinels.isEmpty() ? null : "sbc-it", redisCa != null,
                        redisCa, null, PREFIX,
                        Duration.ofSeconds(2), Duration.ofSeconds(2), HEARTBEAT, HEARTBEAT.multipliedBy(5),
                        Duration.ofSeconds(1), 10_000,
                        List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.4"))));
    }

    private static FraudRules caps(int concurrentCalls, long dailySpendMicros) {
        return new FraudRules(FraudRules.DEFAULT.allowedClasses(), concurrentCalls, 100, dailySpendMicros, 0);
    }

    @Test
    void aScannerBannedOnOneNodeIsDroppedByTheOtherWithinASecondAndALiftReachesBoth() throws Exception {
        startNodes(caps(10, 0), Map.of());
        try (UdpSipPeer scanner = new UdpSipPeer(new InetSocketAddress("127.0.0.13", 0))) {
            scanner.towards(node2.sipAddress(SipTransport.UDP));
            scanner.send(register(scanner, 1, "before@scanner", null));
            assertThat(scanner.receive(2_000)).as("node 2 serves the source before the ban").startsWith("SIP/2.0 401 ");

            scanner.towards(node1.sipAddress(SipTransport.UDP));
            scanner.send("OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.13:5060;branch=z9hG4bK-s\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:100@1.1.1.1>;tag=s1\r\nTo: <sip:100@1.1.1.1>\r\n"
                    + "Call-ID: scan-1\r\nCSeq: 1 OPTIONS\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n");
            await(node1, "/admin/bans", body -> body.contains("\"address\":\"127.0.0.13\""), 2_000);
            long bannedOnNode1 = System.nanoTime();
            await(node2, "/admin/bans", body -> body.contains("\"address\":\"127.0.0.13\"")
                    && body.contains("\"reason\":\"scanner\""), 2_000);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bannedOnNode1);
            assertThat(millis).as("node 2 enforces node 1's ban within a second (ms)").isLessThan(1_000);

            scanner.towards(node2.sipAddress(SipTransport.UDP));
            scanner.send(register(scanner, 2, "after@scanner", null));
            assertThat(scanner.receive(1_000)).as("node 2 drops the banned scanner").isNull();
            assertThat(SbcDaemonIT.metrics(node2)).contains("sbc_cluster_redis_up 1.0")
                    .containsPattern("sbc_cluster_bans_received_total [1-9]");

            assertThat(admin(node2, "DELETE", "/admin/bans?address=127.0.0.13")).contains("\"removed\":true");
            await(node1, "/admin/bans", body -> !body.contains("127.0.0.13"), 2_000);
            scanner.towards(node1.sipAddress(SipTransport.UDP));
            scanner.send(register(scanner, 3, "lifted@scanner", null));
            assertThat(scanner.receive(2_000)).as("lifted on node 2, served again by node 1")
                    .startsWith("SIP/2.0 401 ");
        }
    }

    @Test
    void passwordGuessingSpreadOverBothNodesIsBannedAtTheThresholdOfOne() throws Exception {
        startNodes(caps(10, 0), Map.of());
        try (UdpSipPeer guesser = new UdpSipPeer(new InetSocketAddress("127.0.0.14", 0))) {
            // The threshold is 10 failures in 10 minutes; each node sees only 5 of them.
            int guess = 0;
            for (SbcDaemon node : List.of(node1, node2)) {
                guesser.towards(node.sipAddress(SipTransport.UDP));
                for (int i = 0; i < 5; i++) {
                    guess++;
                    guesser.send(register(guesser, guess, "guess-" + guess, null));
                    String challenge = guesser.receiveStartingWith("SIP/2.0 401 ", 2_000);
                    assertThat(challenge).as("guess %d is challenged", guess).isNotNull();
                    guesser.send(register(guesser, guess, "guess-" + guess, SipDigest.credentials(
                            SipDigest.md5Challenge(challenge), TestConfigs.REALM, "1001", "wrong-" + guess, "REGISTER",
                            "sip:" + TestConfigs.REALM, 1)));
                    assertThat(guesser.receiveStartingWith("SIP/2.0 401 ", 2_000)).as("guess %d fails", guess)
                            .isNotNull();
                }
            }
            for (SbcDaemon node : List.of(node1, node2)) {
                await(node, "/admin/bans", body -> body.contains("\"address\":\"127.0.0.14\"")
                        && body.contains("\"reason\":\"auth_failures\""), 2_000);
            }
            guesser.send(register(guesser, 99, "after-ban", null));
            assertThat(guesser.receive(1_000)).as("banned on both nodes").isNull();
        }
    }

    @Test
    void anAccountCappedAtTwoCallsCannotHoldThreeSpreadOverBothNodes() throws Exception {
        startNodes(caps(2, 0), Map.of());
        Call first = call(node1, pbx1, trunk1, "cap-1", "0891234561");
        await(node2, "/admin/fraud?account=caller", body -> body.contains("\"live_calls_all_nodes\":1,"), 2_000);
        call(node2, pbx2, trunk2, "cap-2", "0891234562");
        await(node1, "/admin/fraud?account=caller", body -> body.contains("\"live_calls_all_nodes\":2,"), 2_000);

        for (Object[] node : new Object[][] {{node1, pbx1, "cap-3a"}, {node2, pbx2, "cap-3b"}}) {
            SbcDaemon sbc = (SbcDaemon) node[0];
            UdpSipPeer pbx = (UdpSipPeer) node[1];
            pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbc.sipAddress(SipTransport.UDP), "0891234563",
                    (String) node[2], "z9hG4bK-" + node[2], "t3"));
            assertThat(pbx.receiveStartingWith("SIP/2.0 403 ", 2_000)).as("a third call through %s", node[2])
                    .isNotNull();
        }
        assertThat(trunk1.receiveStartingWith("INVITE sip:0891234563@", 300))
                .as("no third call reaches the trunk from node 1").isNull();
        assertThat(trunk2.receiveStartingWith("INVITE sip:0891234563@", 300))
                .as("no third call reaches the trunk from node 2").isNull();

        first.hangUpFromPbx();
        await(node2, "/admin/fraud?account=caller", body -> body.contains("\"live_calls_all_nodes\":1,"), 2_000);
        call(node2, pbx2, trunk2, "cap-4", "0891234564");
    }

    @Test
    void aSpendCapReachedAcrossBothNodesEndsTheCallsOnBoth() throws Exception {
        // 60.00 a minute to Munich: each call spends 1.00 a second; the day's cap of 4.00 is taken from Redis by both
        // nodes in chunks, and each cuts once it has spent what it got.
        long cap = 4_000_000;
        startNodes(caps(10, cap), Map.of("4989", 60_000_000L));
        call(node1, pbx1, trunk1, "spend-1", "0891234561");
        call(node2, pbx2, trunk2, "spend-2", "0891234562");
        for (UdpSipPeer side : List.of(trunk1, pbx1, trunk2, pbx2)) {
            assertThat(side.receiveStartingWith("BYE ", 8_000)).as("each leg on each node is hung up").isNotNull();
        }
        List<Long> spent = new ArrayList<>();
        for (SbcDaemon node : List.of(node1, node2)) {
            String account = admin(node, "GET", "/admin/fraud?account=caller");
            assertThat(account).contains("\"reason\":\"spend cap reached\"");
            spent.add(Long.parseLong(account.replaceAll(".*\"spent_today_micros\":(\\d+).*", "$1").trim()));
        }
        assertThat(Collections.min(spent)).as("one node was cut below the cap: by the budget both nodes share")
                .isLessThan(cap);
        assertThat(redis.command("GET " + PREFIX + "spend:day:" + LocalDate.now() + ":caller"))
                .as("the nodes took the whole cap in chunks, and not a micro-unit more").isEqualTo(Long.toString(cap));
        // Each node spends at most about two seconds of its calls (2.00 here) past its grant before it cuts.
        assertThat(spent.get(0) + spent.get(1)).as("spend of both nodes together")
                .isLessThanOrEqualTo(cap + 2 * 2_000_000 + 500_000);
        assertThat(Files.readString(dir.resolve("node-2").resolve("security-events.jsonl")))
                .contains("\"reason\":\"spend_cap\"", "\"action\":\"cut_and_hold\"");
    }

    @Test
    void withRedisGoneNoCallDropsAndBansStayLocalAndItsReturnReconciles() throws Exception {
        startNodes(caps(10, 0), Map.of());
        Call up = call(node1, pbx1, trunk1, "outage-1", "0891234561");
        assertThat(admin(node1, "POST", "/admin/bans?address=127.0.0.21&duration=600")).contains("127.0.0.21");
        await(node2, "/admin/bans", body -> body.contains("127.0.0.21"), 2_000);

        redis.stop();
        for (SbcDaemon node : List.of(node1, node2)) {
            await(node, "/admin/cluster", body -> body.contains("\"redis\":\"down\""), 10_000);
            assertThat(SbcDaemonIT.metrics(node)).contains("sbc_cluster_redis_up 0.0");
            HttpResponse<String> ready = get(node, "/ready");
            assertThat(ready.statusCode()).as("Redis down does not take the node out").isEqualTo(200);
            assertThat(ready.body()).contains("cluster: redis down");
        }
        // While Redis is away: a ban made on node 2 holds there, the ban from before holds on both, the call lives.
        assertThat(admin(node2, "POST", "/admin/bans?address=127.0.0.22&duration=600")).contains("127.0.0.22");
        for (String banned : List.of("127.0.0.21", "127.0.0.22")) {
            try (UdpSipPeer source = new UdpSipPeer(new InetSocketAddress(banned, 0))) {
                source.towards(node2.sipAddress(SipTransport.UDP));
                source.send(register(source, 1, "down@" + banned, null));
                assertThat(source.receive(1_000)).as("node 2 keeps dropping %s", banned).isNull();
            }
        }
        assertThat(node1.activeDialogs()).as("the call survives the outage").isEqualTo(1);

        redis.start();
        for (SbcDaemon node : List.of(node1, node2)) {
            await(node, "/admin/cluster", body -> body.contains("\"redis\":\"up\""), 10_000);
        }
        await(node1, "/admin/bans", body -> body.contains("127.0.0.22"), 5_000);
        assertThat(admin(node1, "GET", "/admin/bans")).as("bans merged both ways").contains("127.0.0.21");
        assertThat(awaitRedis("HEXISTS " + PREFIX + "bans 127.0.0.21", "1"))
                .as("node 1's ban from before the outage is back in the restarted Redis").isTrue();
        assertThat(awaitRedis("HEXISTS " + PREFIX + "fraud:node-1 caller", "1"))
                .as("node 1's counters are written again").isTrue();
        await(node2, "/admin/fraud?account=caller", body -> body.contains("\"live_calls_all_nodes\":1,"), 5_000);
        assertThat(SbcDaemonIT.metrics(node1)).containsPattern("sbc_cluster_reconciles_total [2-9]");

        up.hangUpFromPbx();
    }

    @Test
    void nodesFindRedisThroughARealSentinelAndShareBansThere() throws Exception {
        try (RedisServer sentinel = RedisServer.sentinel(dir, redis, "sbc-it")) {
            sentinels = List.of(InetSocketAddress.createUnresolved("127.0.0.1", sentinel.port()));
            startNodes(caps(10, 0), Map.of());
            assertThat(admin(node1, "POST", "/admin/bans?address=127.0.0.15&duration=600"))
                    .contains("127.0.0.15");
            await(node2, "/admin/bans", body -> body.contains("\"address\":\"127.0.0.15\""), 2_000);
            assertThat(redis.command("HEXISTS " + PREFIX + "bans 127.0.0.15")).as("the ban is in the master Sentinel "
                    + "names").isEqualTo(":1");
        }
    }

    @Test
    void overTlsCheckedAgainstTheConfiguredCaFileABanMadeOnNode1ReachesNode2() throws Exception {
        Path certificate = dir.resolve("redis-cert.pem");
        useTlsRedis(certificate);
        redisCa = certificate;
        startNodes(caps(10, 0), Map.of());
        assertThat(admin(node1, "POST", "/admin/bans?address=127.0.0.16&duration=600")).contains("127.0.0.16");
        await(node2, "/admin/bans", body -> body.contains("\"address\":\"127.0.0.16\""), 2_000);
        try (UdpSipPeer banned = new UdpSipPeer(new InetSocketAddress("127.0.0.16", 0))) {
            banned.towards(node2.sipAddress(SipTransport.UDP));
            banned.send(register(banned, 1, "tls@banned", null));
            assertThat(banned.receive(1_000)).as("node 2 drops a source banned on node 1").isNull();
        }
        assertThat(redis.command("HEXISTS " + PREFIX + "bans 127.0.0.16")).as("the ban is in the TLS Redis")
                .isEqualTo(":1");
        assertThat(SbcDaemonIT.metrics(node2)).contains("sbc_cluster_redis_up 1.0");
    }

    @Test
    void aNodeWhoseCaFileDoesNotMatchRedisReportsRedisDownAndKeepsWorkingOnItsOwn() throws Exception {
        Path certificate = dir.resolve("redis-cert.pem");
        useTlsRedis(certificate);
        Path otherCa = dir.resolve("other-ca.pem");
        SelfSignedCertificateGenerator.generate(otherCa, dir.resolve("other-ca-key.pem"), List.of("127.0.0.1"));
        redisCa = certificate;
        node2 = SbcDaemon.start(node("node-2", "127.0.0.4", trunk2.localAddress(), pbx2.localAddress(),
                caps(10, 0), Map.of()));
        redisCa = otherCa;
        node1 = SbcDaemon.start(node("node-1", "127.0.0.1", trunk1.localAddress(), pbx1.localAddress(),
                caps(10, 0), Map.of()));
        await(node2, "/admin/cluster", body -> body.contains("\"redis\":\"up\""), 20_000);
        // Redis's own log shows node 1's handshakes arriving and failing, so node 1 did try.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!redis.output().contains("Error accepting a client connection")) {
            assertThat(System.nanoTime()).as("Redis refuses node 1's handshake; its log: %s", redis.output())
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
        String cluster = admin(node1, "GET", "/admin/cluster");
        assertThat(cluster).contains("\"redis\":\"down\"").doesNotContain("\"node\":\"node-2\"");
        assertThat(SbcDaemonIT.metrics(node1)).contains("sbc_cluster_redis_up 0.0");
        assertThat(redis.command("HEXISTS " + PREFIX + "nodes node-1")).as("node 1 never reached Redis")
                .isEqualTo(":0");
        assertThat(get(node1, "/ready").body()).contains("cluster: redis down");

        assertThat(admin(node1, "POST", "/admin/bans?address=127.0.0.17&duration=600")).contains("127.0.0.17");
        try (UdpSipPeer phone = new UdpSipPeer(new InetSocketAddress("127.0.0.18", 0));
                UdpSipPeer banned = new UdpSipPeer(new InetSocketAddress("127.0.0.17", 0))) {
            phone.towards(node1.sipAddress(SipTransport.UDP));
            phone.send(register(phone, 1, "local@phone", null));
            assertThat(phone.receive(2_000)).as("node 1 serves on its own").startsWith("SIP/2.0 401 ");
            banned.towards(node1.sipAddress(SipTransport.UDP));
            banned.send(register(banned, 1, "local@banned", null));
            assertThat(banned.receive(1_000)).as("node 1 enforces its own ban").isNull();
        }
    }

    /** Replaces the plain Redis with one that speaks TLS only, its self-signed certificate for 127.0.0.1 there. */
    private void useTlsRedis(Path certificate) throws Exception {
        Path key = dir.resolve("redis-key.pem");
        SelfSignedCertificateGenerator.generate(certificate, key, List.of("127.0.0.1"));
        redis.close();
        redis = RedisServer.startTls(dir, certificate, key);
    }

    @Test
    void anOperatorsHoldOnOneNodeRefusesTheAccountOnBothAndAReleaseOnTheOtherFreesBoth() throws Exception {
        startNodes(caps(10, 0), Map.of());
        assertThat(admin(node1, "POST", "/admin/fraud/hold?account=caller"))
                .contains("\"reason\":\"held by operator\"");
        await(node2, "/admin/fraud?account=caller", body -> body.contains("held by operator on another node"),
                2_000);
        pbx2.send(SipMessages.invite("UDP", pbx2.localAddress(), node2.sipAddress(SipTransport.UDP), "0891234570",
                "held-2", "z9hG4bK-held-2", "th2"));
        assertThat(pbx2.receiveStartingWith("SIP/2.0 403 ", 2_000)).as("held on node 1, refused by node 2")
                .isNotNull();
        assertThat(trunk2.receiveStartingWith("INVITE ", 300)).as("no held call reaches the trunk").isNull();

        assertThat(admin(node2, "POST", "/admin/fraud/release?account=caller")).contains("\"hold\":null");
        await(node1, "/admin/fraud?account=caller", body -> body.contains("\"hold\":null"), 2_000);
        call(node1, pbx1, trunk1, "released-1", "0891234571").hangUpFromPbx();
    }

    @Test
    void aPbxCallForAPhoneRegisteredOnNode2SentToNode1RingsThePhoneAndByeWorksBothWays() throws Exception {
        try (RegistrarPbx pbxOf1 = new RegistrarPbx("127.0.0.3"); RegistrarPbx pbxOf2 = new RegistrarPbx("127.0.0.3")) {
            startNodes(caps(10, 0), Map.of(), pbxOf1.address(), pbxOf2.address());
            InetSocketAddress sbc1 = node1.sipAddress(SipTransport.UDP);
            InetSocketAddress sbc2 = node2.sipAddress(SipTransport.UDP);
            String phoneContact = "sip:1001@192.168.1.10:5062";
            try (TestPhone phone = new TestPhone(new UdpSipPeer(new InetSocketAddress("127.0.0.20", 0), sbc2), "UDP",
                    TestConfigs.REALM, "1001", "secret-1001", phoneContact)) {
                assertThat(phone.register(300)).startsWith("SIP/2.0 200 ");
                await(node1, "/admin/cluster?account=1001", body -> body.contains(
                        "\"registered_on_other_nodes\":[\"127.0.0.4:" + sbc2.getPort() + "\"]"), 2_000);
                assertThat(pbxOf2.registers).as("node 2, which holds the phone, registers it at the PBX").hasSize(1);
                assertThat(pbxOf1.registers).as("node 1 holds no phone and registers nothing").isEmpty();
                assertThat(admin(node2, "GET", "/admin/cluster?account=1001"))
                        .as("node 2 holds the phone itself").contains("\"registered_on_other_nodes\":[]");

                // The PBX's call reaches node 1, which holds no device of 1001: node 2 rings the phone.
                Answered first = answeredThroughNode2(pbxOf1, sbc1, phone, "x1");
                String ok = first.ok();
                String pbxFrom = header(ok, "From");
                String pbxTo = header(ok, "To");
                String node1Contact = header(ok, "Contact").replaceAll("[<>]", "");
                pbxOf1.send(sbc1, SipMessages.inDialog("ACK", node1Contact, "UDP", pbxOf1.address(),
                        first.callId(), pbxFrom, pbxTo, 1, "z9hG4bK-x1-ack"));
                assertThat(phone.peer.receiveStartingWith("ACK sip:1001@192.168.1.10:5062 ", 5_000))
                        .as("the PBX's ACK reaches the phone through both nodes").isNotNull();
                pbxOf1.send(sbc1, SipMessages.inDialog("BYE", node1Contact, "UDP", pbxOf1.address(),
                        first.callId(), pbxFrom, pbxTo, 2, "z9hG4bK-x1-bye"));
                String bye = phone.peer.receiveStartingWith("BYE ", 5_000);
                assertThat(bye).as("the PBX's BYE reaches the phone").isNotNull();
                phone.peer.send(SipMessages.answer(bye, 200, "OK", null, null));
                assertThat(pbxOf1.next("SIP/2.0 200 ", 5_000)).as("the PBX's BYE is answered").isNotNull();

                // Another call, hung up by the phone this time.
                Answered second = answeredThroughNode2(pbxOf1, sbc1, phone, "x2");
                String ok2 = second.ok();
                pbxOf1.send(sbc1, SipMessages.inDialog("ACK", header(ok2, "Contact").replaceAll("[<>]", ""), "UDP",
                        pbxOf1.address(), second.callId(), header(ok2, "From"), header(ok2, "To"), 1,
                        "z9hG4bK-x2-ack"));
                String invite = second.invite();
                assertThat(phone.peer.receiveStartingWith("ACK ", 5_000)).isNotNull();
                phone.peer.send(SipMessages.inDialog("BYE", header(invite, "Contact").replaceAll("[<>]", ""), "UDP",
                        phone.peer.localAddress(), header(invite, "Call-ID"), header(invite, "To") + ";tag=ph-" + second.callId().split("@")[0],
                        header(invite, "From"), 1, "z9hG4bK-ph-bye"));
                String pbxBye = pbxOf1.next("BYE ", 5_000);
                assertThat(pbxBye).as("the phone's BYE reaches the PBX through both nodes").isNotNull()
                        .contains("Call-ID: " + second.callId()).doesNotContain("192.168.", "127.0.0.20", "127.0.0.4");
                pbxOf1.send(sbc1, SipMessages.answer(pbxBye, 200, "OK", null, null));
                assertThat(phone.peer.receiveStartingWith("SIP/2.0 200 ", 5_000)).as("the phone's BYE is answered")
                        .isNotNull();
                assertThat(SbcDaemonIT.metrics(node1)).contains(
                        "sbc_cluster_phone_calls_total{route=\"other_node\"} 2.0");

                // Without Redis, node 1 no longer knows where the phone is: it reaches only its own phones.
                redis.stop();
                await(node1, "/admin/cluster", body -> body.contains("\"redis\":\"down\""), 10_000);
                pbxOf1.send(sbc1, SipMessages.invite("UDP", pbxOf1.address(), sbc1, "1001", "x3@pbx.example",
                        "z9hG4bK-x3", "pbx-x3"));
                assertThat(pbxOf1.next("SIP/2.0 480 ", 5_000)).as("Redis down: not relayed").isNotNull();
                assertThat(SbcDaemonIT.metrics(node1)).contains(
                        "sbc_cluster_phone_calls_total{route=\"local_only\"} 1.0");
            }
        }
    }

    /** The INVITE the phone got, the 200 the PBX got, and the PBX's Call-ID of one call. */
    private record Answered(String invite, String ok, String callId) { }

    /**
     * A PBX call for 1001 sent to node 1, rung on the phone registered with node 2 and answered there, after
     * checking that no address or tag of the phone's leg or of node 2 reaches the PBX, nor the PBX's to the phone.
     */
    private Answered answeredThroughNode2(RegistrarPbx pbx, InetSocketAddress sbc1, TestPhone phone, String name)
            throws Exception {
        String invite = null;
        String callId = name;
        List<String> heard = new java.util.ArrayList<>();
        // A 503 (a loaded machine can make a shard shed new calls for a moment) is answered as a PBX would: the
        // call is tried again, at most three times, with a new Call-ID.
        for (int attempt = 1; invite == null && attempt <= 3; attempt++) {
            callId = attempt + "-" + name;
            pbx.send(sbc1, SipMessages.invite("UDP", pbx.address(), sbc1, "1001", callId + "@pbx.example",
                    "z9hG4bK-" + callId, "pbx-" + callId));
            invite = phone.peer.receiveStartingWith("INVITE ", 5_000);
            for (String answer = pbx.next(100); invite == null && answer != null; answer = pbx.next(100)) {
                heard.add(answer.lines().findFirst().orElse(""));
            }
        }
        assertThat(invite).as("the phone rings; the PBX heard %s", heard).isNotNull()
                .startsWith("INVITE sip:1001@192.168.1.10:5062 SIP/2.0")
                .doesNotContain("127.0.0.3", "pbx.example", "pbx-" + callId);
        assertThat(header(invite, "Via")).as("sent by node 2").startsWith("SIP/2.0/UDP 127.0.0.4:");
        String tag = "ph-" + callId;
        phone.peer.send(SipMessages.answer(invite, 180, "Ringing", tag, null));
        phone.peer.send(SipMessages.answer(invite, 200, "OK", tag, "<sip:1001@192.168.1.10:5062>",
                SipMessages.sdp("192.168.1.10", 4000)));
        assertThat(pbx.next("SIP/2.0 180 ", 5_000)).isNotNull();
        String ok = pbx.next("SIP/2.0 200 ", 5_000);
        assertThat(ok).as("the PBX hears the answer from node 1 only").isNotNull()
                .doesNotContain("192.168.", "127.0.0.20", "127.0.0.4", tag);
        assertThat(header(ok, "Contact")).contains("127.0.0.1:" + sbc1.getPort());
        return new Answered(invite, ok, callId + "@pbx.example");
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** An answered call from a PBX through {@code sbc} to its trunk. */
    private final class Call {
        final SbcDaemon sbc;
        final UdpSipPeer pbx;
        final UdpSipPeer trunk;
        final String callId;
        final String ok;

        Call(SbcDaemon sbc, UdpSipPeer pbx, UdpSipPeer trunk, String callId, String ok) {
            this.sbc = sbc;
            this.pbx = pbx;
            this.trunk = trunk;
            this.callId = callId;
            this.ok = ok;
        }

        void hangUpFromPbx() throws Exception {
            InetSocketAddress address = sbc.sipAddress(SipTransport.UDP);
            pbx.send(SipMessages.inDialog("BYE", "sip:sbc@" + address.getAddress().getHostAddress() + ":"
                    + address.getPort(), "UDP", pbx.localAddress(), callId, header(ok, "From"), header(ok, "To"), 2,
                    "z9hG4bK-bye-" + callId));
            String bye = trunk.receiveStartingWith("BYE ", 2_000);
            assertThat(bye).as("the BYE of %s reaches the trunk", callId).isNotNull();
            trunk.send(SipMessages.answer(bye, 200, "OK", null, null));
            assertThat(pbx.receiveStartingWith("SIP/2.0 200 ", 2_000)).isNotNull();
        }
    }

    /**
     * An answered call. A 503 (a loaded test machine can make a shard shed new calls for a moment) is answered as a
     * PBX would: the call is tried again, at most three times, with a new Call-ID.
     */
    private Call call(SbcDaemon sbc, UdpSipPeer pbx, UdpSipPeer trunk, String firstCallId, String number)
            throws Exception {
        InetSocketAddress address = sbc.sipAddress(SipTransport.UDP);
        String callId = firstCallId;
        String invite = null;
        List<String> heard = new java.util.ArrayList<>();
        for (int attempt = 1; invite == null && attempt <= 3; attempt++) {
            callId = attempt == 1 ? firstCallId : firstCallId + "-" + attempt;
            pbx.send(SipMessages.invite("UDP", pbx.localAddress(), address, number, callId, "z9hG4bK-" + callId,
                    "t-" + callId));
            invite = trunk.receiveStartingWith("INVITE ", 5_000);
            for (String answer = pbx.receive(100); invite == null && answer != null; answer = pbx.receive(100)) {
                heard.add(answer.lines().findFirst().orElse(""));
            }
        }
        assertThat(invite).as("call %s reaches the trunk; the PBX heard %s", firstCallId, heard).isNotNull();
        trunk.send(SipMessages.answer(invite, 200, "OK", "tr-" + callId, "<sip:callee@127.0.0.2:"
                + trunk.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.2", 42_000)));
        String ok = pbx.receiveStartingWith("SIP/2.0 200 ", 5_000);
        assertThat(ok).as("call %s is answered", callId).isNotNull();
        pbx.send(SipMessages.inDialog("ACK", "sip:sbc@" + address.getAddress().getHostAddress() + ":"
                + address.getPort(), "UDP", pbx.localAddress(), callId, header(ok, "From"), header(ok, "To"), 1,
                "z9hG4bK-ack-" + callId));
        return new Call(sbc, pbx, trunk, callId, ok);
    }

    private static String register(UdpSipPeer phone, int cseq, String callId, String authorization) {
        String host = phone.localAddress().getAddress().getHostAddress();
        int port = phone.localAddress().getPort();
        return "REGISTER sip:" + TestConfigs.REALM + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ":" + port + ";branch=z9hG4bK-r" + cseq + callId.hashCode() + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:1001@" + TestConfigs.REALM + ">;tag=t" + callId.hashCode() + "\r\n"
                + "To: <sip:1001@" + TestConfigs.REALM + ">\r\nCall-ID: " + callId + "\r\nCSeq: " + cseq
                + " REGISTER\r\nContact: <sip:1001@" + host + ":" + port + ">\r\nExpires: 300\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Length: 0\r\n\r\n";
    }

    /** Polls {@code path} until {@code until} holds; fails with the last answer after {@code millis}. */
    private static void await(SbcDaemon node, String path, Predicate<String> until, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        String body = admin(node, "GET", path);
        while (!until.test(body)) {
            assertThat(System.nanoTime()).as("waited %d ms for %s; last answer: %s", millis, path, body)
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20);
            body = admin(node, "GET", path);
        }
    }

    private boolean awaitRedis(String command, String expected) throws InterruptedException {
        for (int i = 0; i < 250; i++) {
            String answer = redis.command(command);
            if (answer != null && expected.equals(answer.replace(":", ""))) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return false;
    }

    private static String admin(SbcDaemon sbc, String method, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sbc.managementPort() + path))
                .header("Authorization", "Bearer test-token")
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static HttpResponse<String> get(SbcDaemon sbc, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sbc.managementPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
