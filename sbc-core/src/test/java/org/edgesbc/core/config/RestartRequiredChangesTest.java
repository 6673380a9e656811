package org.edgesbc.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartRequiredChangesTest {
    private static final String MINIMAL = ConfigFiles.MINIMAL;

    @TempDir
    Path dir;

    private ConfigFiles files;
    private SbcConfig live;

    @BeforeEach
    void loadTheRunningConfiguration() throws Exception {
        files = new ConfigFiles(dir);
        live = files.load(MINIMAL);
    }

    @Test
    void theSameFileNeedsNoRestart() throws Exception {
        assertThat(RestartRequiredChanges.between(live, files.load(MINIMAL))).isEmpty();
    }

    @Test
    void everythingTheIssueNamesAsLiveReloadsWithoutARestart() throws Exception {
        SbcConfig next = files.load(MINIMAL.replace("networks: [192.0.2.0/24]", "networks: [192.0.2.0/24, "
                + "203.0.113.0/24]").replace("port: 5080", "port: 5090")
                .replace("role: pbx", "role: pbx\n    redirects: relay").replace("role: trunk", "role: trunk\n"
                + "    session-timers: {session-expires: 10m, min-se: 2m}") + """
                security:
                  users:
                    - {user: "1001", ha1-md5: 58f415c45c5f9e24de3e27a91cf1bdbc}
                  auth-failures: {threshold: 3}
                  bans: {duration: 2h, escalation: 2, max-duration: 1d}
                  rate-limits:
                    packets-per-second: 10
                    requests-per-second: {register: 1}
                registration: {udp-expires: 45s, pbx-expires: 2h}
                media: {timeout: 30s, hold-timeout: 1h}
                fraud:
                  default-rules: {max-concurrent-calls: 2}
                  rates: {"49": 1000}
                """);
        assertThat(RestartRequiredChanges.between(live, next)).isEmpty();
    }

    @Test
    void aZonesClientCertificateReloadsWithoutARestart() throws Exception {
        SelfSignedCertificateGenerator.generate(dir.resolve("cert.pem"), dir.resolve("key.pem"), List.of("sbc.test"));
        SbcConfig next = files.load(MINIMAL.replace("peer: {host: 192.0.2.10}\n",
                "peer: {host: 192.0.2.10}\n    tls: {certificate: cert.pem, private-key: key.pem}\n"));
        assertThat(next.zones().get(0).tls()).isNotNull();
        assertThat(RestartRequiredChanges.between(live, next)).isEmpty();
        assertThat(RestartRequiredChanges.between(next, live)).isEmpty();
    }

    @Test
    void aListenerPortNamesTheListenerAndTheKey() throws Exception {
        SbcConfig next = files.load(MINIMAL.replace("port: 5060", "port: 5070"));
        assertThat(RestartRequiredChanges.between(live, next))
                .containsExactly("sip.listeners[udp].port: '5060' -> '5070' needs a restart");
    }

    @Test
    void addedAndRemovedListenersAndZonesAreNamed() throws Exception {
        SbcConfig next = files.load(MINIMAL.replace("- {name: udp, transport: udp",
                "- {name: tcp, transport: tcp, address: 127.0.0.1, port: 5060}\n    - {name: udp, transport: udp")
                .replace("name: office-pbx", "name: main-pbx"));
        assertThat(RestartRequiredChanges.between(live, next)).containsExactly(
                "sip.listeners: 'tcp' added; needs a restart",
                "zones: 'office-pbx' removed; needs a restart",
                "zones: 'main-pbx' added; needs a restart",
                "routing.default-pbx: 'office-pbx' -> 'main-pbx' needs a restart");
    }

    @Test
    void joiningOrChangingAClusterNeedsARestart() throws Exception {
        SbcConfig node = files.load(MINIMAL + "cluster:\n  node-id: sbc-a\n  redis: {address: 127.0.0.1:6379}\n");
        assertThat(RestartRequiredChanges.between(live, node)).containsExactly(
                "cluster.node-id: 'null' -> 'sbc-a' needs a restart",
                "cluster.redis.address: 'null' -> '127.0.0.1:6379' needs a restart");
        SbcConfig moved = files.load(MINIMAL + "cluster:\n  node-id: sbc-a\n  redis: {address: 127.0.0.1:6380}\n"
                + "  heartbeat-interval: 2s\n  node-timeout: 10s\n");
        assertThat(RestartRequiredChanges.between(node, moved)).containsExactly(
                "cluster.redis.address: '127.0.0.1:6379' -> '127.0.0.1:6380' needs a restart",
                "cluster.heartbeat-interval: 'PT1S' -> 'PT2S' needs a restart",
                "cluster.node-timeout: 'PT5S' -> 'PT10S' needs a restart");
    }

    @Test
    void turningOnTlsToRedisWithACaFileNeedsARestart() throws Exception {
        SelfSignedCertificateGenerator.generate(dir.resolve("redis-ca.pem"), dir.resolve("redis-ca-key.pem"),
                List.of("127.0.0.1"));
        String plain = MINIMAL + "cluster:\n  node-id: sbc-a\n  redis: {address: 127.0.0.1:6379}\n";
        SbcConfig secured = files.load(plain.replace("6379}", "6379, tls: true, ca-file: redis-ca.pem}"));
        assertThat(RestartRequiredChanges.between(files.load(plain), secured)).containsExactly(
                "cluster.redis.tls: 'false' -> 'true' needs a restart",
                "cluster.redis.ca-file: 'null' -> '" + dir.resolve("redis-ca.pem") + "' needs a restart");
    }

    @Test
    void threadsRtpRangeDataDirAndManagementListenerNeedARestart() throws Exception {
        SbcConfig next = files.load("data-dir: elsewhere\n" + MINIMAL.replace("sip:\n", "sip:\n  worker-threads: 3\n")
                + """
                media: {port-min: 12000, nice: -10}
                management: {port: 9191, token: a-new-secret-of-24-chars}
                """);
        assertThat(RestartRequiredChanges.between(live, next)).containsExactly(
                "data-dir: '" + dir.resolve("data") + "' -> '" + dir.resolve("elsewhere") + "' needs a restart",
                "sip.worker-threads: '2' -> '3' needs a restart",
                "media.port-min: '10000' -> '12000' needs a restart",
                "media.nice: 'the process's' -> '-10' needs a restart",
                "security.bans.state-file: '" + dir.resolve("data/bans.tsv") + "' -> '"
                        + dir.resolve("elsewhere/bans.tsv") + "' needs a restart",
                "management.port: '9090' -> '9191' needs a restart",
                "management.token: changed; needs a restart");
    }

    @Test
    void aZoneRoleOrSrtpPolicyAndTheDigestRealmNeedARestart() throws Exception {
        SbcConfig next = files.load(MINIMAL.replace("role: trunk", "role: trunk\n    srtp: offered") + """
                security: {realm: other.example}
                """);
        assertThat(RestartRequiredChanges.between(live, next)).containsExactly(
                "security.realm: 'sbc.local' -> 'other.example' needs a restart",
                "zones[carrier].srtp: 'OFF' -> 'OFFERED' needs a restart");
    }

    @Test
    void anAccountAtAPeerAndNumberRulesNeedARestartWithoutShowingTheSecret() throws Exception {
        SbcConfig next = files.load(MINIMAL.replace("peer: {host: 192.0.2.10}\n", "peer: {host: 192.0.2.10}\n"
                + "    account: {user: sbc, password: never-shown-secret}\n"
                + "    outbound: {called-number: e164}\n"));
        List<String> changes = RestartRequiredChanges.between(live, next);
        assertThat(changes).hasSize(2).anyMatch(c -> c.startsWith("zones[carrier].account: 'null' -> "))
                .anyMatch(c -> c.startsWith("zones[carrier].number-plan/inbound/outbound: "));
        assertThat(String.join("\n", changes)).doesNotContain("never-shown-secret");
    }
}
