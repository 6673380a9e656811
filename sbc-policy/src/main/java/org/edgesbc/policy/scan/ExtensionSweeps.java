package org.edgesbc.policy.scan;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Extension sweeps: a source naming many distinct numeric users in a short time ({@code To: 100}, {@code 101},
 * {@code 102}... the way SIPVicious svwar and its kin find which extensions exist), whatever its User-Agent says.
 * Each source has a window on the monotonic clock, opened by its first numeric user; the distinct users named in it
 * are counted, up to a bound, and the count starts over when the window closes or the source authenticates (a phone
 * dialling many numbers authenticates each call, a sweep never does).
 *
 * <p>Bounded: at most {@code maxSources} sources are tracked; when the table is full, closed windows are dropped,
 * and if none is closed a new source is not tracked (and {@link #untracked} counts it): being unknown must not get a
 * source banned. Users are kept as hashes, at most {@code maxUsers} per source. Shared by relay threads: a
 * concurrent table with atomic per-source updates.
 *
 * @param <K> the source type
 */
public final class ExtensionSweeps<K> {
    /** Numeric users as phones and extensions are named: 1-15 digits (E.164's longest), an optional leading +. */
    private static final int MAX_DIGITS = 15;

    /** @param opened monotonic nanoseconds; {@code users} holds {@code count} hashes */
    private record Sweep(long opened, int[] users, int count) {
        Sweep with(int user, int maxUsers) {
            for (int i = 0; i < count; i++) {
                if (users[i] == user) {
                    return this;
                }
            }
            if (count == maxUsers) {
                return this;
            }
            int[] more = Arrays.copyOf(users, count + 1);
            more[count] = user;
            return new Sweep(opened, more, count + 1);
        }
    }

    private final ConcurrentHashMap<K, Sweep> sweeps = new ConcurrentHashMap<>();
    private final int maxSources;
    private final int maxUsers;
    private final LongSupplier monotonic;
    private final AtomicLong untracked = new AtomicLong();

    /**
     * @param maxUsers distinct users remembered per source: the highest threshold that can be configured
     * @param monotonic nanoseconds ({@link System#nanoTime} in the daemon), compared by difference
     */
    public ExtensionSweeps(int maxSources, int maxUsers, LongSupplier monotonic) {
        this.maxSources = maxSources;
        this.maxUsers = maxUsers;
        this.monotonic = monotonic;
    }

    /** Whether {@code user} is a numeric user part, the kind a sweep walks through. */
    public static boolean numeric(String user) {
        if (user == null) {
            return false;
        }
        int start = user.startsWith("+") ? 1 : 0;
        int digits = user.length() - start;
        if (digits < 1 || digits > MAX_DIGITS) {
            return false;
        }
        for (int i = start; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Records that {@code source} named {@code user}; returns the distinct numeric users it named in its current
     * window of {@code windowNanos}, this one included (0 for a user that is not numeric, or a source not tracked).
     */
    public int record(K source, String user, long windowNanos) {
        if (!numeric(user)) {
            return 0;
        }
        long now = monotonic.getAsLong();
        if (!sweeps.containsKey(source) && sweeps.size() >= maxSources) {
            sweeps.values().removeIf(s -> now - s.opened() >= windowNanos);
            if (sweeps.size() >= maxSources) {
                untracked.incrementAndGet();
                return 0;
            }
        }
        int hash = user.hashCode();
        return sweeps.compute(source, (k, s) -> s == null || now - s.opened() >= windowNanos
                ? new Sweep(now, new int[] {hash}, 1) : s.with(hash, maxUsers)).count();
    }

    /** The source authenticated, or was banned: its count starts over. */
    public void reset(K source) {
        sweeps.remove(source);
    }

    public int size() {
        return sweeps.size();
    }

    /** Numeric users of sources the full table could not track, since the start. */
    public long untracked() {
        return untracked.get();
    }
}
