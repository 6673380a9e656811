package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The caller-side To-tags of the far side's early and confirmed dialogs (RFC 3261 §12.1, §13.2.2.4). */
class DialogTagsTest {
    private final AtomicInteger generated = new AtomicInteger();
    private final Supplier<String> newTag = () -> "sbc" + generated.incrementAndGet();
    private final Leg leg = new Leg("pbx", "b@sbc", "<sip:a@sbc>", "<sip:b@sbc>", null, null);
    private final Leg otherBranch = new Leg("phones", "c@sbc", "<sip:a@sbc>", "<sip:c@sbc>", null, null);

    @Test
    void eachFarEarlyDialogGetsATagOfItsOwnAndKeepsIt() {
        DialogTags tags = new DialogTags();
        String first = tags.towardCaller(leg, "p1", newTag);
        String second = tags.towardCaller(leg, "p2", newTag);
        assertThat(first).isNotEqualTo(second).doesNotContain("p1", "p2");
        assertThat(tags.towardCaller(leg, "p1", newTag)).isEqualTo(first);
        assertThat(tags.towardCaller(otherBranch, "p1", newTag)).as("same far tag, other leg").isNotIn(first, second);
        assertThat(tags.legOf(second)).isSameAs(leg);
        assertThat(tags.farTagOf(second)).isEqualTo("p2");
        assertThat(tags.legOf("p2")).as("a far tag names nothing on the caller's side").isNull();
        tags.targetOf(leg, "p1", "sip:phone1@pbx");
        tags.targetOf(leg, "p2", "sip:phone2@pbx");
        assertThat(tags.remoteTargetOf(first)).isEqualTo("sip:phone1@pbx");
        assertThat(tags.remoteTargetOf(second)).isEqualTo("sip:phone2@pbx");
    }

    @Test
    void theConfirmedDialogKeepsItsTagAndEndsTheOthers() {
        DialogTags tags = new DialogTags();
        String first = tags.towardCaller(leg, "p1", newTag);
        String second = tags.towardCaller(leg, "p2", newTag);
        assertThat(tags.confirmed(leg, "p2", newTag)).isEqualTo(second);
        assertThat(tags.legOf(first)).isNull();
        assertThat(tags.farTagOf(second)).isEqualTo("p2");
        assertThat(new DialogTags().confirmed(leg, "p3", newTag)).as("answered without a 1xx").isNotNull();
    }

    @Test
    void keepsAtMostItsBoundOfEarlyDialogsAndForgetsThoseOfAnEndedLeg() {
        DialogTags tags = new DialogTags();
        for (int i = 0; i < DialogTags.MAX_EARLY_DIALOGS; i++) {
            assertThat(tags.towardCaller(leg, "p" + i, newTag)).isNotNull();
        }
        assertThat(tags.towardCaller(leg, "one-more", newTag)).isNull();
        assertThat(tags.confirmed(leg, "one-more", newTag)).as("an answer always gets its tag").isNotNull();
        String branchTag = tags.towardCaller(otherBranch, "q", newTag);
        tags.legEnded(otherBranch);
        assertThat(tags.legOf(branchTag)).isNull();
    }
}
