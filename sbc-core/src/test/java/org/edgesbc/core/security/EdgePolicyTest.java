package org.edgesbc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.config.FraudConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.FraudRules;
import org.edgesbc.transport.SipMessageParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgePolicyTest {
    @TempDir
    Path dir;

    private SecurityEventLog events;

    @AfterEach
    void close() {
        if (events != null) {
            events.close();
        }
    }

    private EdgePolicy policy(boolean office) throws Exception {
        SecurityConfig config = new SecurityConfig("sbc.test", List.of(), Duration.ofMinutes(5), 3,
                Duration.ofMinutes(10), Duration.ofHours(1), 4, Duration.ofDays(7), 100, dir.resolve("bans.tsv"),
                SecurityConfig.DEFAULT_SCANNERS, 50, 200, 20_000, 100_000,
                Map.of("register", 2, "invite", 5, "options", 5, "other", 20), 1_000, 5_000,
                SecurityConfig.DEFAULT_DIGEST_ALGORITHMS);
        events = new SecurityEventLog(dir.resolve("events.jsonl"));
        ZoneConfig phones = new ZoneConfig("phones", ZoneConfig.ZoneRole.ACCESS, List.of(Cidr.parse("10.0.0.0/8")),
                null, SrtpPolicy.OFF, office);
        FraudConfig fraud = new FraudConfig(new DialPlan("49", "0", "00", java.util.Set.of("112")), Map.of(),
                FraudRules.DEFAULT, Map.of(), Map.of(), 0);
        return new EdgePolicy((transport, source) -> "phones", List.of(phones), config, fraud, events,
                SecurityMetrics.NONE, Clock.systemUTC());
    }

    private static SIPRequest register(String user, String authorization) throws Exception {
        String text = "REGISTER sip:sbc.test SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-1\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:" + user + "@sbc.test>;tag=1\r\nTo: <sip:" + user + "@sbc.test>\r\n"
                + "Call-ID: c1\r\nCSeq: 1 REGISTER\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Length: 0\r\n\r\n";
        return (SIPRequest) SipMessageParser.parse(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void registersOverTheSourceBudgetAreDropped() throws Exception {
        EdgePolicy policy = policy(false);
        InetAddress phone = InetAddress.getByName("10.0.0.5");
        int challenged = 0;
        for (int i = 0; i < 20; i++) {
            if (policy.check("phones", phone, register("1001", null), false, true).kind()
                    == Verdict.Kind.CHALLENGE) {
                challenged++;
            }
        }
        assertThat(challenged).as("a burst of four seconds' worth (2/s), then drops").isEqualTo(8);
    }

    @Test
    void officesGetLargerBudgetsAndAreNeverBannedForFailures() throws Exception {
        EdgePolicy policy = policy(true);
        InetAddress office = InetAddress.getByName("10.0.0.6");
        String wrong = "Digest username=\"1001\", realm=\"sbc.test\", nonce=\"forged\", uri=\"sip:sbc.test\", "
                + "response=\"00000000000000000000000000000000\", qop=auth, nc=00000001, cnonce=\"x\"";
        for (int i = 0; i < 20; i++) {
            assertThat(policy.check("phones", office, register("1001", wrong), false, true).kind())
                    .isEqualTo(Verdict.Kind.CHALLENGE);
        }
        assertThat(policy.activeBans()).isZero();

        EdgePolicy strict = policy(false);
        for (int i = 0; i < 3; i++) {
            strict.check("phones", office, register("1001", wrong), false, true);
        }
        assertThat(strict.activeBans()).as("the same failures from an ordinary access zone ban the source").isOne();
    }
}
