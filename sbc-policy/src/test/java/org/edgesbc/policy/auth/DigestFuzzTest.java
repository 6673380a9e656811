package org.edgesbc.policy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.edgesbc.policy.ManualClock;

/**
 * Coverage-guided fuzz target of digest credentials (RFC 7616, RFC 3261 §22) as a hostile phone sends them: the
 * strict parameter parser and the authenticator behind it. Any exception or a hang is a finding; an attacker's
 * credentials must never authenticate. Regression mode in {@code mvn verify} over
 * {@code src/test/resources/.../DigestFuzzTestInputs/}; fuzzing with {@code bench/fuzz.sh}.
 */
class DigestFuzzTest {
    private static final String REALM = "sbc.example";
    private static final ManualClock CLOCK = new ManualClock();
    private static final DigestAuthenticator AUTHENTICATOR = new DigestAuthenticator(REALM,
            List.of(DigestAlgorithm.values()), List.of(new DigestUser("1001", Map.of(DigestAlgorithm.MD5,
                    DigestAuthenticator.ha1(DigestAlgorithm.MD5, "1001", REALM, "secret")), true, List.of())),
            Duration.ofMinutes(5), 1_000, CLOCK::nanos, new SecureRandom());

    @FuzzTest(maxDuration = "1h")
    void credentials(FuzzedDataProvider data) throws Exception {
        String method = data.pickValue(new String[] {"REGISTER", "INVITE", ""});
        String first = data.consumeString(3_000);
        String second = data.consumeRemainingAsString();
        Map<String, String> parameters = DigestParameters.parse(first);
        if (parameters != null) {
            assertThat(parameters.size()).isLessThanOrEqualTo(DigestParameters.MAX_PARAMETERS);
            assertThat(first.length()).isLessThanOrEqualTo(DigestParameters.MAX_LENGTH);
        }
        DigestAuthenticator.Result result = AUTHENTICATOR.verify(List.of(first, second), method, "sip:" + REALM,
                InetAddress.getLoopbackAddress());
        assertThat(result.outcome()).as("no forged nonce authenticates").isNotEqualTo(AuthOutcome.OK);
    }
}
