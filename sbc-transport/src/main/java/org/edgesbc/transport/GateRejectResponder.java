package org.edgesbc.transport;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.LongSupplier;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.ReplyLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a gate rejection is counted, logged and, where it is possible and safe, answered.
 *
 * <ul>
 *   <li>Every rejection is counted ({@link TransportMetrics#gateRejected}).</li>
 *   <li>Log lines are limited to one per reason per {@link #LOG_INTERVAL_NANOS ten seconds}, each telling how many
 *       similar lines were suppressed since the previous one.</li>
 *   <li>An answer (400, or the status RFC 3261 names for the reason: 413, 416, 420, 505) is built only for a
 *       request whose Via, From, To, Call-ID and CSeq were intact and whose topmost Via is well-formed, never for
 *       a response (RFC 3261 §8.2.6, §18.2.1), and at most {@link #ANSWERS_PER_SECOND} per second per transport (a
 *       token bucket with a burst of the same size), so that a flood of garbage cannot turn the SBC into a
 *       reflector. Over the budget a rejection is dropped silently.</li>
 * </ul>
 *
 * <p>Thread-safe: I/O threads of every listener share one instance.
 */
final class GateRejectResponder {
    private static final Logger LOG = LoggerFactory.getLogger(GateRejectResponder.class);
    /** Answers per second (and burst) per transport. */
    static final int ANSWERS_PER_SECOND = 100;
    /** Seconds a shed caller is asked to wait (the relay's own 503s ask the same). */
    static final int RETRY_AFTER_SECONDS = 5;
    static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final long NANOS_PER_TOKEN = 1_000_000_000L / ANSWERS_PER_SECOND;
    /** Bytes of a To tag this responder writes (hex-encoded in the tag). */
    private static final int TAG_BYTES = 8;
    private static final byte[] SERVICE_UNAVAILABLE = ascii("SIP/2.0 503 Service Unavailable\r\n");
    private static final byte[] RETRY_AFTER = ascii("Retry-After: " + RETRY_AFTER_SECONDS + "\r\n");
    private static final byte[] END = ascii("Content-Length: 0\r\n\r\n");

    private final TransportMetrics metrics;
    private final LongSupplier nanoClock;
    private final Map<SipTransport, AnswerBudget> budgets = new EnumMap<>(SipTransport.class);
    private final LogLimiter logLimiter;
    /**
     * The first half of every To tag this responder writes, drawn once: the ACK of one of its answers carries it
     * back, and is recognised by it. These are the 32 random bits RFC 3261 §19.3 asks of a tag.
     */
    private final String ownTagPrefix;
    private final byte[] ownTagPrefixOctets;
    /**
     * The seed of the second half, a keyed hash of the request's identifying lines: a retransmitted request gets the
     * very answer the first one got (RFC 3261 §17.2.1: the transaction's final response is sent again), and requests
     * of different transactions get different tags. The seed keeps the halves of two SBCs apart; the tag protects
     * nothing, so an attacker who could predict it gains nothing.
     */
    private final long tagSeed;

    GateRejectResponder(TransportMetrics metrics) {
        this(metrics, System::nanoTime);
    }

    /** @param nanoClock a monotonic nanosecond clock (tests pass a manual one) */
    GateRejectResponder(TransportMetrics metrics, LongSupplier nanoClock) {
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        long now = nanoClock.getAsLong();
        for (SipTransport transport : SipTransport.values()) {
            budgets.put(transport, new AnswerBudget(now));
        }
        this.logLimiter = new LogLimiter(GateRejection.values().length, LOG_INTERVAL_NANOS, nanoClock);
        SecureRandom random = new SecureRandom();
        this.ownTagPrefix = HexFormat.of().toHexDigits(random.nextInt());
        this.ownTagPrefixOctets = ownTagPrefix.getBytes(StandardCharsets.US_ASCII);
        this.tagSeed = random.nextLong();
    }

    /**
     * Whether {@code toTag} is one this responder wrote: the ACK carrying it acknowledges a final response the I/O
     * thread sent itself (a 503 of shedding, a refusal of the gate), which no transaction at the relay knows.
     */
    boolean answeredWith(String toTag) {
        return toTag != null && toTag.length() == 2 * TAG_BYTES && toTag.startsWith(ownTagPrefix);
    }

    /**
     * Counts and logs a rejection and returns the answer to send, or null to stay silent.
     *
     * @param source the peer's address, for the log line only
     */
    byte[] reject(SipTransport transport, GateResult result, String source) {
        GateRejection reason = result.rejection();
        metrics.gateRejected(transport, reason);
        long skipped = logLimiter.admit(reason.ordinal());
        if (skipped >= 0) {
            LOG.warn("[gate] rejected a {} message from {}: {} ({} similar suppressed)", transport, source, reason,
                    skipped);
        }
        if (!result.request() || result.replyLines() == null
                || !budgets.get(transport).take(nanoClock.getAsLong())) {
            return null;
        }
        return answer(ascii(statusLine(reason)), result.replyLines(), result.unsupported() == null ? null
                // RFC 3261 §16.3 step 5: a 420 lists the option tags not understood.
                : ascii("Unsupported: " + result.unsupported() + "\r\n"));
    }

    /**
     * The 503 for a new INVITE the SBC sheds on the I/O thread (RFC 7339 §3, RFC 3261 §21.5.4: Retry-After), counted.
     * Not limited by the reject budget: the source was admitted, its budgets already bound what it may send.
     */
    byte[] shed(SipTransport transport, ShedCause cause, GateResult newInvite) {
        metrics.shed(transport, cause);
        return answer(SERVICE_UNAVAILABLE, newInvite.replyLines(), RETRY_AFTER);
    }

    /** One array of the answer's exact length, the echoed lines copied from the request's octets. */
    private byte[] answer(byte[] statusLine, ReplyLines lines, byte[] extraHeader) {
        byte[] tag = null;
        if (lines.toNeedsTag()) {
            // RFC 3261 §8.2.6.2: a response that is not to a request with a To tag gets one.
            tag = Arrays.copyOf(ownTagPrefixOctets, 2 * TAG_BYTES);
            int hash = (int) lines.hash(tagSeed);
            for (int i = tag.length - 1; i >= ownTagPrefixOctets.length; i--, hash >>>= 4) {
                tag[i] = (byte) Character.forDigit(hash & 0xf, 16);
            }
        }
        byte[] out = new byte[statusLine.length + lines.length(tag)
                + (extraHeader == null ? 0 : extraHeader.length) + END.length];
        System.arraycopy(statusLine, 0, out, 0, statusLine.length);
        int at = lines.writeTo(out, statusLine.length, tag);
        if (extraHeader != null) {
            System.arraycopy(extraHeader, 0, out, at, extraHeader.length);
            at += extraHeader.length;
        }
        // No Server header: nothing in a reject tells a scanner what answers (design: topology hiding).
        System.arraycopy(END, 0, out, at, END.length);
        return out;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Rejections of this reason not logged since its last log line (for tests and inspection). */
    long suppressedSinceLastLog(GateRejection reason) {
        return logLimiter.suppressed(reason.ordinal());
    }

    /** The status RFC 3261 names for each reason; 400 where it names none. */
    private static String statusLine(GateRejection reason) {
        return switch (reason) {
            case MESSAGE_TOO_LARGE -> "SIP/2.0 413 Request Entity Too Large\r\n";
            case URI_SCHEME_UNSUPPORTED -> "SIP/2.0 416 Unsupported URI Scheme\r\n";
            case EXTENSION_UNSUPPORTED -> "SIP/2.0 420 Bad Extension\r\n";
            // RFC 3261 §21.5.7; RFC 4475 §3.1.2.16.
            case VERSION_UNSUPPORTED -> "SIP/2.0 505 Version Not Supported\r\n";
            default -> "SIP/2.0 400 " + phrase(reason) + "\r\n";
        };
    }

    private static String phrase(GateRejection reason) {
        return switch (reason) {
            case CONTENT_LENGTH_INVALID, CONTENT_LENGTH_MISMATCH -> "Bad Content-Length";
            case REQUIRED_HEADER_MISSING -> "Missing Required Header";
            case REQUIRED_HEADER_REPEATED -> "Repeated Header";
            case TOO_MANY_HEADERS, HEADER_TOO_LONG -> "Header Limit Exceeded";
            case INVALID_UTF8 -> "Invalid UTF-8";
            case NUL_BYTE -> "NUL Byte";
            default -> "Bad Request";
        };
    }

    /**
     * A token bucket of {@link #ANSWERS_PER_SECOND} tokens refilled one every {@link #NANOS_PER_TOKEN} ns.
     * Synchronized: it is touched only for rejected requests, and a short lock is simpler than a CAS loop here.
     */
    private static final class AnswerBudget {
        private long tokens = ANSWERS_PER_SECOND;
        private long refilledAt;

        AnswerBudget(long now) {
            this.refilledAt = now;
        }

        synchronized boolean take(long now) {
            long earned = (now - refilledAt) / NANOS_PER_TOKEN;
            if (earned > 0) {
                tokens = Math.min(ANSWERS_PER_SECOND, tokens + earned);
                refilledAt += earned * NANOS_PER_TOKEN;
            }
            if (tokens == 0) {
                return false;
            }
            tokens--;
            return true;
        }
    }
}
