package org.edgesbc.transport.dns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The order in which SRV targets are tried (RFC 2782): lowest priority first; within one priority, a weighted
 * random order in which a target's chance to come next is its weight over the sum of the weights left (weight 0
 * only after the others, as the RFC's selection gives them a very small chance).
 */
final class SrvOrder {
    /** One SRV record's data. */
    record Srv(int priority, int weight, int port, String target) { }

    private SrvOrder() { }

    static List<Srv> order(List<Srv> records, RandomGenerator random) {
        List<Srv> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(Srv::priority));
        List<Srv> ordered = new ArrayList<>(sorted.size());
        int start = 0;
        while (start < sorted.size()) {
            int end = start;
            while (end < sorted.size() && sorted.get(end).priority() == sorted.get(start).priority()) {
                end++;
            }
            List<Srv> group = new ArrayList<>(sorted.subList(start, end));
            while (!group.isEmpty()) {
                int total = 0;
                for (Srv srv : group) {
                    total += srv.weight();
                }
                int chosen = 0;
                if (total > 0) {
                    int pick = random.nextInt(total);
                    int sum = 0;
                    for (int i = 0; i < group.size(); i++) {
                        sum += group.get(i).weight();
                        if (pick < sum) {
                            chosen = i;
                            break;
                        }
                    }
                }
                ordered.add(group.remove(chosen));
            }
            start = end;
        }
        return ordered;
    }
}
