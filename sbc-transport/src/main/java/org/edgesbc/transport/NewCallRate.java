package org.edgesbc.transport;

import java.util.Arrays;

/**
 * How many new calls per second one UDP socket lets in once new calls had to be shed. Unlimited until new calls are
 * shed (for the socket's backlog or a relay thread's queue) in several windows in a row; then limited to a little
 * less than the rate it let in over them (at least half the rate offered and the rate it carried without congestion
 * in the seconds before, at most all of it), lowered by a tenth
 * while the socket keeps falling behind and new
 * calls come at half the limit or more, raised by a fiftieth in each window that refused calls without falling
 * behind, and lifted when it has refused nothing for 2 s: the limit settles just under the rate the SBC carries,
 * probing upward as long as calls are offered beyond it, and is gone soon after the overload. Engaged by lasting
 * shedding only: a limit set at the first sign of a queue, or at one collector pause or scheduler hiccup, would go
 * on refusing calls, for seconds, at rates the SBC carries.
 *
 * <p>Why the limit is not lowered by a window in which few new calls came: the socket is then behind for other
 * messages (the retransmissions and BYEs an overload leaves behind, say), which refusing new calls does not cure;
 * lowered to the few calls offered, the limit would refuse the load that follows for seconds (it did: 900 calls/s
 * against 4,600 offered, docs/performance.md). The backlog's own shedding protects the socket meanwhile.
 *
 * <p>Why a rate and not only the backlog signals: a socket left undrained answers every caller late, and once the
 * answer to an INVITE is later than the caller's retransmission timer (T1, 500 ms) each call arrives several times;
 * a backlog signal that sheds only after the queue formed keeps the SBC at that edge, where the 503s themselves
 * come late. Held at the rate it can carry, the SBC answers the excess at once (one datagram in, a 503 out, the
 * caller's ACK) and the calls it takes keep their short set-up time (RFC 7339 §3: shed before the work is spent).
 *
 * <p>Touched only on its channel's I/O thread.
 */
final class NewCallRate {
    /** What the socket and the relay said as a new call arrived. */
    enum Congestion {
        NONE,
        /** Falling behind: a limit in force comes down. */
        LATE,
        /** So far behind that new calls are shed whatever the rate: a limit is set if there is none. */
        SHEDDING
    }

    /** How often the limit is reconsidered, and the span over which the offered rate is measured. */
    static final long WINDOW_NANOS = 100_000_000L;
    /**
     * Undrained this long, the socket says new calls come faster than the SBC carries them: half the backlog that
     * sheds every new call, a tenth of the callers' retransmission timer, and longer than the I/O thread loses its
     * core for a scheduler slice or a young collection.
     */
    static final long CONGESTED_NANOS = UdpBacklog.WAIT_LIMIT_NANOS / 2;
    /** A congested window lowers the limit to this share of itself, or of the rate offered in the window. */
    static final double DECREASE = 0.9;
    /**
     * The first limit is at least this share of the rate offered: a socket behind for most of the windows that set
     * it let in few calls, fewer than the SBC carries a moment later. Half is where an overload of twice the
     * carried rate is met at once; a deeper one is lowered by the windows that follow.
     */
    static final double FIRST_LIMIT_FLOOR = 0.5;
    /** An uncongested window that refused calls raises the limit by this share. */
    static final double INCREASE = 0.02;
    /**
     * A congested window offered fewer new calls than this was not congested by new calls (a window offers this
     * many at 100 calls/s): the backlog's own shedding handles it, the limit stays as it was.
     */
    static final int MIN_CALLS_PER_WINDOW = 10;
    /**
     * How fast the memory of the highest rate carried without congestion fades: by half in 5 s, idle time included. A
     * collector pause on a busy machine sheds new calls at a rate the socket carried a second before, for several
     * windows while the queue it left drains; a first limit at the few calls let in meanwhile refused 16,300 of the
     * 120,000 calls of a 20 s run at 6,000 calls/s over the 6 s the limit took to climb back (docs/performance.md). Carried
     * uncongested in the last seconds, the rate is what the SBC can take; a capacity that really fell lowers the
     * limit by the late windows' decreases.
     */
    static final long CARRIED_RATE_HALF_LIFE_NANOS = 5_000_000_000L;
    /** Windows in a row without congestion or refusals over which a rate counts as carried: 1 s, not a burst. */
    static final int CARRIED_WINDOWS = 10;
    /** Windows in a row that shed new calls before a limit is set: 300 ms, longer than any pause of the JVM here. */
    static final int SHEDDING_WINDOWS_TO_LIMIT = 3;
    /**
     * New calls a socket hands over before a limit may be set: while the JIT still compiles the call path, a fresh
     * SBC falls behind at rates it carries a few seconds later, and a limit set then would be far too low and climb
     * back at 2 % a window. 2,000 was too few: a fresh SBC offered 3,000 calls/s was limited within its first second
     * and refused about a third of 60,000 calls (docs/performance.md). Several seconds of calls at the rates this
     * SBC carries, so that the whole call path (timers and teardown included) is compiled first; the backlog's own
     * shedding protects it meanwhile.
     */
    static final int WARM_UP_CALLS = 20_000;
    /**
     * A limit that refused nothing for this long is lifted: the load that needed it has gone. Twenty windows: a
     * lasting overload refuses calls in every window, and one that comes back sets a new limit within 300 ms.
     */
    static final long RELEASE_NANOS = 2_000_000_000L;
    /** Calls the limit lets through at once after a pause: this long at the limit's rate, at least one. */
    private static final double BURST_SECONDS = 0.25;
    private static final double NANOS_PER_SECOND = 1e9;

    private double limitPerSecond = Double.POSITIVE_INFINITY;
    /**
     * The limit and when it was last needed as of the last window rolled, for other threads ({@link #limitInForce}):
     * written at most once a window, so the I/O thread's per-call path stays free of volatile writes.
     */
    private volatile double publishedLimit;
    private volatile long publishedNeeded;
    private double tokens;
    private long refilled;
    private long windowStart;
    private int offered;
    private int refused;
    private boolean congested;
    private boolean shedding;
    /** New calls of the current window that went on: neither shed for a backlog nor refused by the limit. */
    private int letIn;
    /** Windows in a row, up to the last one rolled, that shed new calls; the calls they let in, and their span. */
    private int sheddingWindows;
    private long streakLetIn;
    private long streakNanos;
    private long lastDecrease;
    /** When the limit last refused a call or was set. */
    private long lastNeeded;
    private int warmUpCalls = WARM_UP_CALLS;
    /**
     * The highest rate of new calls let in over {@link #CARRIED_WINDOWS} windows in a row without congestion or
     * refusals, fading ({@link #CARRIED_RATE_HALF_LIFE_NANOS}); the calls and spans of the last such windows in a row (at most
     * that many, in a ring whose next slot is {@code calmNext}).
     */
    private double carriedUncongested;
    private final int[] calmLetIn = new int[CARRIED_WINDOWS];
    private final long[] calmNanos = new long[CARRIED_WINDOWS];
    private int calmWindows;
    private int calmNext;

    NewCallRate(long nowNanos) {
        windowStart = nowNanos;
        refilled = nowNanos;
        lastDecrease = nowNanos - 2 * WINDOW_NANOS;
    }

    /**
     * Whether a new call arriving at {@code nowNanos} is within the rate; counted either way.
     *
     * @param congestion what the socket and the relay said as it arrived
     */
    boolean admit(long nowNanos, Congestion congestion) {
        roll(nowNanos);
        offered++;
        if (congestion != Congestion.NONE) {
            congested = true;
            shedding |= congestion == Congestion.SHEDDING;
        }
        if (warmUpCalls > 0) {
            warmUpCalls--;
        }
        if (limited()) {
            double burst = Math.max(1, limitPerSecond * BURST_SECONDS);
            tokens = Math.min(burst, tokens + (nowNanos - refilled) * limitPerSecond / NANOS_PER_SECOND);
            refilled = nowNanos;
            if (tokens < 1) {
                refused++;
                lastNeeded = nowNanos;
                return false;
            }
            tokens--;
        }
        if (congestion != Congestion.SHEDDING) {
            letIn++;
        }
        return true;
    }

    /** The new calls per second let in; infinite while unlimited. */
    double limitPerSecond() {
        return limitPerSecond;
    }

    /**
     * The limit in force at {@code nowNanos} as any thread sees it, per second; 0 when there is none. As of the last
     * window that a new call rolled, except that a limit that has refused nothing for {@link #RELEASE_NANOS} reads as
     * lifted although no new call came since to lift it: the next one will.
     */
    double limitInForce(long nowNanos) {
        long needed = publishedNeeded;
        double limit = publishedLimit;
        return nowNanos - needed < RELEASE_NANOS ? limit : 0;
    }

    /** Whether a limit is in force. */
    boolean limited() {
        return limitPerSecond != Double.POSITIVE_INFINITY;
    }

    private void roll(long nowNanos) {
        long elapsed = nowNanos - windowStart;
        if (elapsed < WINDOW_NANOS) {
            return;
        }
        // A window that ran long had a pause without new calls in it: its rate says nothing about the load.
        boolean measured = elapsed < 2 * WINDOW_NANOS;
        if (shedding && measured) {
            sheddingWindows++;
            streakLetIn += letIn;
            streakNanos += elapsed;
        } else {
            sheddingWindows = 0;
            streakLetIn = 0;
            streakNanos = 0;
        }
        double offeredPerSecond = offered * NANOS_PER_SECOND / elapsed;
        // By the time elapsed, not per window: a window that rolls after an idle minute has a minute's fading.
        carriedUncongested *= Math.pow(0.5, (double) elapsed / CARRIED_RATE_HALF_LIFE_NANOS);
        if (measured && !congested && refused == 0) {
            calmLetIn[calmNext] = letIn;
            calmNanos[calmNext] = elapsed;
            calmNext = (calmNext + 1) % CARRIED_WINDOWS;
            calmWindows = Math.min(calmWindows + 1, CARRIED_WINDOWS);
            if (calmWindows == CARRIED_WINDOWS) {
                carriedUncongested = Math.max(carriedUncongested,
                        Arrays.stream(calmLetIn).sum() * NANOS_PER_SECOND / Arrays.stream(calmNanos).sum());
            }
        } else {
            calmWindows = 0;
        }
        boolean lower = limited() ? congested && offeredPerSecond >= limitPerSecond / 2
                : sheddingWindows >= SHEDDING_WINDOWS_TO_LIMIT;
        if (lower && measured && offered >= MIN_CALLS_PER_WINDOW && warmUpCalls == 0
                && nowNanos - lastDecrease >= 2 * WINDOW_NANOS) {
            // At most every other window: the queue that the last decrease left needs a window to drain.
            double basis;
            if (limited()) {
                basis = Math.min(limitPerSecond, offeredPerSecond);
            } else {
                double carried = streakLetIn * NANOS_PER_SECOND / streakNanos;
                basis = Math.min(offeredPerSecond,
                        Math.max(Math.max(carried, carriedUncongested), offeredPerSecond * FIRST_LIMIT_FLOOR));
                tokens = 0;
                refilled = nowNanos;
            }
            limitPerSecond = basis * DECREASE;
            lastDecrease = nowNanos;
            lastNeeded = nowNanos;
        } else if (limited() && nowNanos - lastNeeded >= RELEASE_NANOS) {
            // Before the increase: a window that ran on through a pause may have refused calls at its start only.
            limitPerSecond = Double.POSITIVE_INFINITY;
        } else if (!congested && refused > 0) {
            limitPerSecond *= 1 + INCREASE;
        }
        publishedNeeded = lastNeeded;
        publishedLimit = limited() ? limitPerSecond : 0;
        windowStart = nowNanos;
        offered = 0;
        refused = 0;
        letIn = 0;
        congested = false;
        shedding = false;
    }
}
