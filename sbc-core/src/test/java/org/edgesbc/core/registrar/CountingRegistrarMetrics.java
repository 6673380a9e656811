package org.edgesbc.core.registrar;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts what the registrar reports, by "phone.OUTCOME", "pbx.REQUEST", "pbx.failure" and "dropped.REASON"; read
 * from the test thread while the registrar's thread writes.
 */
final class CountingRegistrarMetrics implements RegistrarMetrics {
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    int count(String name) {
        return counts.getOrDefault(name, 0);
    }

    @Override
    public void phoneRegister(PhoneOutcome outcome) {
        counts.merge("phone." + outcome, 1, Integer::sum);
    }

    @Override
    public void pbxRequest(PbxRequest request) {
        counts.merge("pbx." + request, 1, Integer::sum);
    }

    @Override
    public void pbxFailure() {
        counts.merge("pbx.failure", 1, Integer::sum);
    }

    @Override
    public void bindingsDropped(DropReason reason, int count) {
        counts.merge("dropped." + reason, count, Integer::sum);
    }
}
