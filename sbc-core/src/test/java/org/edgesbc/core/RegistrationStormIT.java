package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.core.SbcDaemonIT.metric;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registration storm through the real daemon: two thousand remote phones, each behind its own NAT (its own
 * loopback source address, so that per-source budgets see what they would see of home-office phones), register
 * all at once, as after an outage, and then all refresh at once. The SBC absorbs it: every phone gets 200, nobody
 * is banned, the PBX sees exactly one REGISTER per address-of-record and none of the refreshes, and the expiries
 * granted are spread so that the next refreshes do not come back in the same second.
 */
class RegistrationStormIT {
    private static final String PASSWORD = "storm-secret-7";
    /**
     * Phones in the storm. Headroom: each phone's REGISTER holds a server transaction for Timer J (32 s) on its
     * shard, against max-transactions / shards (10,000 / 2 in {@link TestConfigs}); the registrar's own REGISTERs
     * to the PBX do not count against that share, so 4,000 pass as well (tried), and about 10,000 would not.
     */
    private static final int PHONES = 2_000;
    private static final int FIRST_USER = 2_000;
    /** Phones registering at the same moment; each thread drives its phones one after another. */
    private static final int THREADS = 16;
    /** The longest a round may take before it counts as failed (a round takes a few seconds). */
    private static final long ROUND_SECONDS = 60;

    @TempDir
    Path dataDir;

    /** The source of phone {@code i}: 127.1.x.y, one address per phone, never .0 or .255. */
    private static String source(int i) {
        return "127.1." + (i / 200) + "." + (i % 200 + 1);
    }

    /** The private address phone {@code i} believes it has, behind its NAT. */
    private static String contact(int i) {
        return "sip:" + (FIRST_USER + i) + "@192.168." + (i / 200) + "." + (i % 200 + 1) + ":5060";
    }

    /** The expires parameter the SBC granted to {@code contact} in a 200 to a REGISTER. */
    private static int grantedExpires(String answer, String contact) {
        Matcher m = Pattern.compile("<" + Pattern.quote(contact) + ">;expires=(\\d+)").matcher(answer);
        assertThat(m.find()).as("the 200 lists %s with its expiry:\n%s", contact, answer).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /**
     * {@code config} with the per-source request budgets config/sbc.yaml documents (REGISTER 2/s with a burst of
     * four seconds' worth) instead of the generous ones of {@link TestConfigs#security}, so that each phone is held
     * to what a real home-office phone is held to. The packet budgets (50/s per source, burst 200; 100,000/s over
     * all access sources) and the registration settings are the documented defaults already.
     */
    private static SbcConfig documentedRequestBudgets(SbcConfig config) {
        SecurityConfig d = config.security();
        SecurityConfig security = new SecurityConfig(d.realm(), d.users(), d.nonceLifetime(), d.authFailureThreshold(),
                d.authFailureWindow(), d.banDuration(), d.banEscalation(), d.maxBanDuration(), d.maxBans(),
                d.banStateFile(), d.scannerFingerprints(), d.packetsPerSecond(), d.packetBurst(),
                d.peerPacketsPerSecond(), d.globalPacketsPerSecond(),
                Map.of("register", 2, "invite", 5, "options", 5, "other", 20), d.floodBanAfter(),
                d.newInvitesPerSecond(), d.digestAlgorithms());
        return new SbcConfig(config.source(), config.dataDir(), config.sip(), config.media(), security,
                config.fraud(), config.zones(), config.management(), config.registration(), config.stirShaken());
    }

    /** The metric lines that say something was refused, dropped, shed or banned, for failure messages. */
    private static String refusals(String metrics) {
        StringBuilder lines = new StringBuilder();
        for (String line : metrics.split("\n")) {
            if (!line.startsWith("#") && !line.endsWith(" 0.0") && (line.contains("drop") || line.contains("refused")
                    || line.contains("overflow") || line.contains("ban") || line.contains("fail")
                    || line.contains("shed") || line.contains("rejected"))) {
                lines.append(line).append('\n');
            }
        }
        return lines.toString();
    }

    /**
     * Every phone registers (or refreshes) once, {@link #THREADS} at a time; returns each phone's final answer
     * (null for silence). Bounded: each receive waits at most 5 s and the round at most {@link #ROUND_SECONDS}.
     */
    private static String[] round(ExecutorService pool, List<TestPhone> phones) throws Exception {
        List<Callable<String>> tasks = new ArrayList<>(phones.size());
        for (TestPhone phone : phones) {
            tasks.add(() -> phone.register(3600));
        }
        List<Future<String>> futures = pool.invokeAll(tasks, ROUND_SECONDS, TimeUnit.SECONDS);
        String[] answers = new String[phones.size()];
        for (int i = 0; i < answers.length; i++) {
            Future<String> future = futures.get(i);
            assertThat(future.isCancelled()).as("phone %s finished within the round", phones.get(i).user).isFalse();
            answers[i] = future.get();
        }
        return answers;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void twoThousandPhonesRegisterAndRefreshAtOnceWithoutBansAndThePbxSeesOneRegisterPerAccount() throws Exception {
        List<DigestUser> accounts = new ArrayList<>(PHONES);
        for (int i = 0; i < PHONES; i++) {
            accounts.add(TestConfigs.user(String.valueOf(FIRST_USER + i), PASSWORD));
        }
        List<TestPhone> phones = new ArrayList<>(PHONES);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread thread = new Thread(r, "storm-phone");
            thread.setDaemon(true);
            return thread;
        });
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0))) {
            SbcConfig config = documentedRequestBudgets(TestConfigs.withPhones(TestConfigs.loopbackUdp(dataDir,
                    trunk.localAddress(), pbx.address()), RegistrationConfig.DEFAULTS,
                    List.of("127.0.0.0/25", "127.1.0.0/16"), accounts));
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                for (int i = 0; i < PHONES; i++) {
                    phones.add(new TestPhone(new UdpSipPeer(new InetSocketAddress(source(i), 0), sbcUdp), "UDP",
                            TestConfigs.REALM, String.valueOf(FIRST_USER + i), PASSWORD, contact(i)));
                }

                // Round 1: every phone registers at once (401, then the authenticated REGISTER).
                long started = System.nanoTime();
                String[] first = round(pool, phones);
                long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                List<String> failed = new ArrayList<>();
                for (int i = 0; i < PHONES; i++) {
                    if (first[i] == null || !first[i].startsWith("SIP/2.0 200 ")) {
                        failed.add(phones.get(i).user + ": " + (first[i] == null ? "no answer"
                                : first[i].lines().findFirst().orElse("")));
                    }
                }
                assertThat(failed).as("phones not registered in round 1 (%d ms); SBC refusals:\n%s", firstMillis,
                        refusals(SbcDaemonIT.metrics(sbc))).isEmpty();
                for (int i = 0; i < PHONES; i++) {
                    assertThat(grantedExpires(first[i], phones.get(i).contact)).isBetween(48, 60);
                }
                assertThat(pbx.awaitRegisters(PHONES, 5_000)).as("one REGISTER per address-of-record")
                        .hasSize(PHONES);
                Set<String> aors = new HashSet<>();
                for (String register : pbx.registers) {
                    assertThat(header(register, "Expires")).isEqualTo("3600");
                    assertThat(register).as("the PBX sees only the SBC").doesNotContain("192.168.", "127.1.",
                            "Authorization", "FixturePhone");
                    aors.add(header(register, "To"));
                }
                assertThat(aors).as("every account registered at the PBX once").hasSize(PHONES);

                // Round 2: every phone refreshes at once; the SBC answers all of them itself.
                started = System.nanoTime();
                String[] second = round(pool, phones);
                long secondMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                failed.clear();
                Set<Integer> granted = new TreeSet<>();
                for (int i = 0; i < PHONES; i++) {
                    if (second[i] == null || !second[i].startsWith("SIP/2.0 200 ")) {
                        failed.add(phones.get(i).user + ": " + (second[i] == null ? "no answer"
                                : second[i].lines().findFirst().orElse("")));
                    } else {
                        granted.add(grantedExpires(second[i], phones.get(i).contact));
                    }
                }
                String metrics = SbcDaemonIT.metrics(sbc);
                assertThat(failed).as("phones not refreshed in round 2 (%d ms); SBC refusals:\n%s", secondMillis,
                        refusals(metrics)).isEmpty();
                assertThat(pbx.awaitRegisters(PHONES + 1, 500)).as("refreshes never reach the PBX").hasSize(PHONES);
                System.out.printf("registration storm: round 1 %d ms, round 2 %d ms, granted expiries %s%n",
                        firstMillis, secondMillis, granted);

                assertThat(granted).as("granted expiries are spread over the jitter band")
                        .hasSizeGreaterThanOrEqualTo(5)
                        .allSatisfy(e -> assertThat(e).isBetween(48, 60));
                assertThat(metric(metrics, "sbc_registrar_phone_registers_total{outcome=\"relayed\"}"))
                        .isEqualTo(PHONES);
                assertThat(metric(metrics, "sbc_registrar_phone_registers_total{outcome=\"absorbed\"}"))
                        .isEqualTo(PHONES);
                assertThat(metric(metrics, "sbc_registrar_phone_registers_total{outcome=\"refused\"}")).isZero();
                assertThat(metric(metrics, "sbc_registrar_pbx_registers_total{kind=\"register\"}")).isEqualTo(PHONES);
                assertThat(metric(metrics, "sbc_registrar_bindings_active")).isEqualTo(PHONES);
                assertThat(metric(metrics, "sbc_relay_transactions_overflow_total")).isZero();
                assertThat(metrics).as("nobody is banned").contains("\nsbc_security_bans_active 0.0\n");
            }
        } finally {
            pool.shutdownNow();
            boolean ended = pool.awaitTermination(10, TimeUnit.SECONDS);
            for (TestPhone phone : phones) {
                phone.close();
            }
            assertThat(ended).as("the phone threads end").isTrue();
        }
    }
}
