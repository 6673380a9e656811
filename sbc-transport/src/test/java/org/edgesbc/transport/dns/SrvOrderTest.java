package org.edgesbc.transport.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SrvOrderTest {
    @Test
    void lowerPriorityComesFirstWhateverTheWeight() {
        List<SrvOrder.Srv> ordered = SrvOrder.order(List.of(new SrvOrder.Srv(20, 100, 5060, "b."),
                new SrvOrder.Srv(10, 0, 5060, "a."), new SrvOrder.Srv(30, 50, 5060, "c.")), new SplittableRandom(1));
        assertThat(ordered).extracting(SrvOrder.Srv::target).containsExactly("a.", "b.", "c.");
    }

    @Test
    void withinAPriorityTargetsComeFirstInProportionToTheirWeight() {
        List<SrvOrder.Srv> records = List.of(new SrvOrder.Srv(10, 75, 5060, "heavy."),
                new SrvOrder.Srv(10, 25, 5060, "light."), new SrvOrder.Srv(10, 0, 5060, "zero."));
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 4_000; i++) {
            List<SrvOrder.Srv> ordered = SrvOrder.order(records, random);
            first.merge(ordered.get(0).target(), 1, Integer::sum);
            assertThat(ordered.get(2).target()).as("weight 0 comes after the weighted ones").isEqualTo("zero.");
        }
        assertThat(first.get("heavy.")).isBetween(2_800, 3_200);
        assertThat(first.get("light.")).isBetween(800, 1_200);
    }
}
