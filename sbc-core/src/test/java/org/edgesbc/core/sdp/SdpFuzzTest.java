package org.edgesbc.core.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.media.srtp.SrtpSuite;

/**
 * Coverage-guided fuzz target of SDP parsing and rewriting (RFC 4566, RFC 4568 SDES, RFC 3264 offer/answer) as the
 * relay does them on every INVITE and answer: any exception, a hang, or a rewritten body beyond the parser's own
 * bound is a finding; a failed {@link SdpStatus} is the expected answer to a bad body. Regression mode in
 * {@code mvn verify} over {@code src/test/resources/.../SdpFuzzTestInputs/}; fuzzing with {@code bench/fuzz.sh}.
 */
class SdpFuzzTest {
    private static final SdesCrypto SBC_KEYS = new SdesCrypto(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80,
            SrtpKeys.random(new SecureRandom(new byte[] {1})));

    @FuzzTest(maxDuration = "1h")
    void parseAndRewrite(FuzzedDataProvider data) {
        SrtpPolicy sender = data.pickValue(SrtpPolicy.values());
        SrtpPolicy receiver = data.pickValue(SrtpPolicy.values());
        boolean keys = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        SessionDescription.Parsed parsed = SessionDescription.parse(text);
        if (parsed.status() != SdpStatus.OK) {
            assertThat(parsed.description()).isNull();
            return;
        }
        List<StreamPlan> plans = new ArrayList<>();
        for (int i = 0; i < parsed.description().media().size(); i++) {
            plans.add(new StreamPlan(10_000 + 2 * i, keys ? SBC_KEYS : null, keys ? Boolean.TRUE : null));
        }
        SdpRewrite rewrite = SdpRewriter.rewrite(parsed.description(), new SdpRewriteParams("203.0.113.5", plans,
                sender, receiver, null));
        if (rewrite.status() == SdpStatus.OK) {
            assertThat(rewrite.sdp().length()).isLessThanOrEqualTo(SessionDescription.MAX_BYTES
                    + 512 * parsed.description().media().size() + 512);
            assertThat(SessionDescription.parse(rewrite.sdp()).status()).as("what the SBC sends, it can read")
                    .isEqualTo(SdpStatus.OK);
        }
    }
}
