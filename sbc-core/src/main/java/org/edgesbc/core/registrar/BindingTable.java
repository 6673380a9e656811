package org.edgesbc.core.registrar;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.edgesbc.transport.SipFlow;

/**
 * The bindings of every address-of-record, bounded in total ({@code maxBindings}) and per AOR
 * ({@code maxContactsPerAor}), each with an expiry. Applies a REGISTER as RFC 3261 §10.3 steps 6 to 8 say: all of
 * its contacts or none, refused when a binding of the same Call-ID already has an equal or higher CSeq.
 *
 * <p>One writer: the registrar's thread calls every mutating method. {@link #lookup} may be called from any
 * thread: each AOR's list is immutable and replaced whole, and the map is concurrent, because INVITEs toward
 * phones are routed on every relay thread.
 */
final class BindingTable {
    /** What applying a REGISTER gave. */
    enum Status { OK, OUT_OF_ORDER, TOO_MANY_CONTACTS, TABLE_FULL }

    /**
     * @param bindings the AOR's bindings afterwards (before, when refused)
     * @param added contacts the AOR did not have
     * @param refreshed contacts it had, renewed
     * @param removed contacts it lost
     */
    record Change(Status status, List<Binding> bindings, int added, int refreshed, int removed) { }

    /** Written out rather than chained from key extractors: every refresh takes and puts a binding by it. */
    private static final Comparator<Binding> BY_EXPIRY = (a, b) -> {
        int order = a.expires().compareTo(b.expires());
        if (order == 0) {
            order = a.aor().compareTo(b.aor());
        }
        return order != 0 ? order : a.key().compareTo(b.key());
    };

    private final int maxBindings;
    private final int maxContactsPerAor;
    private final ConcurrentHashMap<String, List<Binding>> byAor = new ConcurrentHashMap<>();
    private final TreeSet<Binding> byExpiry = new TreeSet<>(BY_EXPIRY);
    /** Bindings over each TCP/TLS connection, so that a closed connection takes its bindings along. */
    private final Map<SipFlow, Set<Binding>> byFlow = new IdentityHashMap<>();
    private volatile int size;

    BindingTable(int maxBindings, int maxContactsPerAor) {
        this.maxBindings = maxBindings;
        this.maxContactsPerAor = maxContactsPerAor;
    }

    /**
     * Applies a REGISTER's contacts, whose {@code expires} are the seconds granted (0 removes).
     *
     * @param wildcard remove every binding of the AOR ({@code contacts} is then empty)
     */
    Change apply(String aor, String callId, long cseq, boolean wildcard, List<RequestedContact> contacts,
            SipFlow flow, String zone, Instant now) {
        List<Binding> old = lookup(aor);
        Map<String, Binding> next = new LinkedHashMap<>();
        for (Binding binding : old) {
            next.put(binding.key(), binding);
        }
        int added = 0;
        int refreshed = 0;
        Set<Binding> made = Collections.newSetFromMap(new IdentityHashMap<>());
        if (wildcard) {
            for (Binding binding : old) {
                if (outOfOrder(binding, callId, cseq)) {
                    return new Change(Status.OUT_OF_ORDER, old, 0, 0, 0);
                }
            }
            next.clear();
        }
        for (RequestedContact contact : contacts) {
            Binding existing = next.get(contact.key());
            if (existing != null && !made.contains(existing) && outOfOrder(existing, callId, cseq)) {
                return new Change(Status.OUT_OF_ORDER, old, 0, 0, 0);
            }
            if (contact.expires() == 0) {
                next.remove(contact.key());
                continue;
            }
            if (existing == null) {
                added++;
            } else {
                refreshed++;
            }
            Binding binding = new Binding(aor, contact.key(), contact.uri(), flow, zone, callId, cseq,
                    existing == null ? now : existing.registered(), now.plusSeconds(contact.expires()));
            next.put(contact.key(), binding);
            made.add(binding);
        }
        int growth = next.size() - old.size();
        if (growth > 0 && next.size() > maxContactsPerAor) {
            return new Change(Status.TOO_MANY_CONTACTS, old, 0, 0, 0);
        }
        if (growth > 0 && size + growth > maxBindings) {
            return new Change(Status.TABLE_FULL, old, 0, 0, 0);
        }
        int removed = 0;
        for (Binding binding : old) {
            Binding replacement = next.get(binding.key());
            if (replacement == null) {
                removed++;
            }
            if (replacement != binding) {
                unindex(binding);
            }
        }
        List<Binding> current = List.copyOf(next.values());
        for (Binding binding : current) {
            if (made.contains(binding)) {
                index(binding);
            }
        }
        store(aor, current);
        return new Change(Status.OK, current, added, refreshed, removed);
    }

    private static boolean outOfOrder(Binding binding, String callId, long cseq) {
        return binding.callId().equals(callId) && cseq <= binding.cseq();
    }

    /** The AOR's bindings now; an immutable list, empty when it has none. Thread-safe. */
    List<Binding> lookup(String aor) {
        List<Binding> bindings = byAor.get(aor);
        return bindings == null ? List.of() : bindings;
    }

    /** Removes and returns every binding expired at {@code now}. */
    List<Binding> expire(Instant now) {
        List<Binding> expired = new ArrayList<>();
        while (!byExpiry.isEmpty() && !byExpiry.first().expires().isAfter(now)) {
            Binding binding = byExpiry.first();
            remove(binding);
            expired.add(binding);
        }
        return expired;
    }

    /** Removes and returns the bindings that were reached over {@code flow}, a connection that closed. */
    List<Binding> removeFlow(SipFlow flow) {
        Set<Binding> over = byFlow.get(flow);
        if (over == null) {
            return List.of();
        }
        List<Binding> removed = new ArrayList<>(over);
        removed.forEach(this::remove);
        byFlow.remove(flow);
        return removed;
    }

    /** Removes one binding of an AOR by key, or all of them when {@code key} is null; returns what went. */
    List<Binding> remove(String aor, String key) {
        List<Binding> removed = new ArrayList<>();
        for (Binding binding : lookup(aor)) {
            if (key == null || binding.key().equals(key)) {
                removed.add(binding);
            }
        }
        removed.forEach(this::remove);
        return removed;
    }

    /** Every binding, AOR by AOR; a snapshot safe to read on any thread. */
    List<Binding> all() {
        List<Binding> all = new ArrayList<>();
        byAor.values().forEach(all::addAll);
        return all;
    }

    /** Bindings in the table; thread-safe. */
    int size() {
        return size;
    }

    /** Addresses-of-record with at least one binding; thread-safe. */
    int aors() {
        return byAor.size();
    }

    private void remove(Binding binding) {
        List<Binding> current = lookup(binding.aor());
        List<Binding> rest = new ArrayList<>(current.size());
        for (Binding other : current) {
            if (other != binding) {
                rest.add(other);
            }
        }
        if (rest.size() == current.size()) {
            return;
        }
        unindex(binding);
        store(binding.aor(), List.copyOf(rest));
    }

    private void store(String aor, List<Binding> bindings) {
        List<Binding> previous = bindings.isEmpty() ? byAor.remove(aor) : byAor.put(aor, bindings);
        size += bindings.size() - (previous == null ? 0 : previous.size());
    }

    private void index(Binding binding) {
        byExpiry.add(binding);
        if (binding.flow().transport().reliable()) {
            byFlow.computeIfAbsent(binding.flow(), f -> new HashSet<>()).add(binding);
        }
    }

    private void unindex(Binding binding) {
        byExpiry.remove(binding);
        Set<Binding> over = byFlow.get(binding.flow());
        if (over != null) {
            over.remove(binding);
            if (over.isEmpty()) {
                byFlow.remove(binding.flow());
            }
        }
    }
}
