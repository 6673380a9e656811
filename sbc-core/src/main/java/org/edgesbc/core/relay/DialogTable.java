package org.edgesbc.core.relay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dialogs of one relay shard, each found by any of its legs (zone and Call-ID). Bounded by the shard's share of
 * {@code sip.max-dialogs}: {@link #full} tells the relay to refuse new dialogs with 503. Dialogs leave when they
 * end ({@link #remove}); a dialog's lifetime is bounded by its transactions' timers, the maximum call duration and
 * the media timeout.
 */
final class DialogTable {
    private final int maxDialogs;
    /** Each dialog is in here once per leg: A, B and, while a forked INVITE races, every branch. */
    private final Map<String, RelayDialog> byLeg = new HashMap<>();
    private int count;

    DialogTable(int maxDialogs) {
        this.maxDialogs = maxDialogs;
    }

    boolean full() {
        return count >= maxDialogs;
    }

    int size() {
        return count;
    }

    /** A new dialog with its A leg and every B leg (one per branch of a forked INVITE). */
    void add(RelayDialog dialog, Iterable<Leg> bLegs) {
        byLeg.put(dialog.a.key(), dialog);
        for (Leg leg : bLegs) {
            byLeg.put(leg.key(), dialog);
        }
        count++;
    }

    /** Every dialog once (found through its A leg), for an operator's listing or the drain's teardown. */
    List<RelayDialog> dialogs() {
        List<RelayDialog> all = new ArrayList<>(count);
        byLeg.forEach((key, dialog) -> {
            if (key.equals(dialog.a.key())) {
                all.add(dialog);
            }
        });
        return all;
    }

    RelayDialog find(String zone, String callId) {
        return byLeg.get(RelayDialog.key(zone, callId));
    }

    /** A new B leg: the call moved on to another target (serial forking). */
    void addLeg(RelayDialog dialog, Leg leg) {
        byLeg.put(leg.key(), dialog);
    }

    /** A branch of a forked INVITE left the race: requests on its Call-ID no longer belong to the dialog. */
    void removeLeg(RelayDialog dialog, Leg leg) {
        byLeg.remove(leg.key(), dialog);
    }

    void remove(RelayDialog dialog) {
        byLeg.remove(dialog.a.key(), dialog);
        byLeg.remove(dialog.b.key(), dialog);
        if (dialog.branches != null) {
            for (Leg leg : dialog.branches) {
                byLeg.remove(leg.key(), dialog);
            }
        }
        count--;
    }
}
