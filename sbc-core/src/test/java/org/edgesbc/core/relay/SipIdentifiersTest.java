package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SipIdentifiersTest {
    private final SipIdentifiers identifiers = new SipIdentifiers("s0a1b2c3d.", 1, new SecureRandom());

    @Test
    void identifiersHaveTheirShapesAndNoneRepeatsAcrossManyPoolRefills() {
        Set<String> randomParts = new HashSet<>();
        for (int i = 0; i < 3_000; i++) {
            String tag = identifiers.newTag();
            String branch = identifiers.newBranch();
            String callId = identifiers.newCallId();
            assertThat(tag).matches("[0-9a-f]{16}");
            assertThat(branch).matches("z9hG4bK[0-9a-f]{32}");
            assertThat(callId).matches("s0a1b2c3d\\.[0-9a-f]{32}-1");
            assertThat(randomParts.add(tag)).as("tag %s new", tag).isTrue();
            assertThat(randomParts.add(branch.substring(7))).as("branch %s new", branch).isTrue();
            assertThat(randomParts.add(callId.substring(10, 42))).as("Call-ID %s new", callId).isTrue();
        }
    }

    @Test
    void ownCallIdsAreRoutedToTheirShard() {
        String callId = identifiers.newCallId();
        assertThat(SipIdentifiers.isOwnCallId(callId, "s0a1b2c3d.")).isTrue();
        assertThat(SipIdentifiers.shardOf(callId, "s0a1b2c3d.", 2)).isEqualTo(1);
        assertThat(SipIdentifiers.shardOf("abc@192.0.2.1", "s0a1b2c3d.", 2))
                .isEqualTo(Math.floorMod("abc@192.0.2.1".hashCode(), 2));
    }
}
