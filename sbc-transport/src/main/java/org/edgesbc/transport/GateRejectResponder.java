package org.edgesbc.transport;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.edgesbc.transport.gate.GateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a gate rejection is counted, logged and, where it is possible and safe, answered. An answer is
 * sent only to a request whose Via, From, To, Call-ID and CSeq were intact, never to a response, and at most
 * {@link #MAX_ANSWERS_PER_SECOND} per second over all sources so that garbage cannot turn the SBC into a reflector.
 * Log lines are limited to one per reason per ten seconds with a count of those suppressed.
 *
 * <p>Thread-safe.
 */
final class GateRejectResponder {
    private static final Logger LOG = LoggerFactory.getLogger(GateRejectResponder.class);
    static final int MAX_ANSWERS_PER_SECOND = 200;
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final TransportMetrics metrics;
    private final AtomicLong answerWindowStart = new AtomicLong();
    private final AtomicLong answersInWindow = new AtomicLong();
    private final AtomicLong[] lastLog = new AtomicLong[GateRejection.values().length];
    private final AtomicLong[] suppressed = new AtomicLong[GateRejection.values().length];
    private final SecureRandom random = new SecureRandom();

    GateRejectResponder(TransportMetrics metrics) {
        this.metrics = metrics;
        for (int i = 0; i < lastLog.length; i++) {
            lastLog[i] = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
            suppressed[i] = new AtomicLong();
        }
    }

    /**
     * Counts and logs a rejection and returns the answer to send, or null to stay silent.
     */
    byte[] reject(SipTransport transport, GateResult result, String source) {
        GateRejection reason = result.rejection();
        metrics.gateRejected(transport, reason);
        log(transport, reason, source);
        if (!result.request() || result.replyHeaders() == null || !admitAnswer()) {
            return null;
        }
        boolean tooLarge = reason == GateRejection.MESSAGE_TOO_LARGE;
        StringBuilder answer = new StringBuilder(512)
                .append(tooLarge ? "SIP/2.0 413 Request Entity Too Large\r\n" : "SIP/2.0 400 " + phrase(reason)
                        + "\r\n");
        for (String line : result.replyHeaders().split("\r\n")) {
            answer.append(line);
            if (isToHeader(line) && !line.toLowerCase(java.util.Locale.ROOT).contains("tag=")) {
                byte[] tag = new byte[8];
                random.nextBytes(tag);
                answer.append(";tag=").append(HexFormat.of().formatHex(tag));
            }
            answer.append("\r\n");
        }
        answer.append("Content-Length: 0\r\n\r\n");
        return answer.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isToHeader(String line) {
        int colon = line.indexOf(':');
        String name = colon < 0 ? "" : line.substring(0, colon).trim();
        return name.equalsIgnoreCase("to") || name.equalsIgnoreCase("t");
    }

    private boolean admitAnswer() {
        long now = System.nanoTime();
        long start = answerWindowStart.get();
        if (now - start >= 1_000_000_000L && answerWindowStart.compareAndSet(start, now)) {
            answersInWindow.set(0);
        }
        return answersInWindow.incrementAndGet() <= MAX_ANSWERS_PER_SECOND;
    }

    private void log(SipTransport transport, GateRejection reason, String source) {
        int i = reason.ordinal();
        long now = System.nanoTime();
        long last = lastLog[i].get();
        if (now - last < LOG_INTERVAL_NANOS || !lastLog[i].compareAndSet(last, now)) {
            suppressed[i].incrementAndGet();
            return;
        }
        long skipped = suppressed[i].getAndSet(0);
        LOG.warn("[gate] rejected a {} message from {}: {} ({} similar suppressed)", transport, source, reason,
                skipped);
    }

    private static String phrase(GateRejection reason) {
        return switch (reason) {
            case CONTENT_LENGTH_INVALID, CONTENT_LENGTH_MISMATCH -> "Bad Content-Length";
            case REQUIRED_HEADER_MISSING -> "Missing Required Header";
            case REQUIRED_HEADER_REPEATED -> "Repeated Header";
            case LINE_FOLDING -> "Line Folding Not Accepted";
            case TOO_MANY_HEADERS, HEADER_TOO_LONG -> "Header Limit Exceeded";
            case INVALID_UTF8 -> "Invalid UTF-8";
            case NUL_BYTE -> "NUL Byte";
            case VERSION_UNSUPPORTED -> "Unsupported SIP Version";
            default -> "Bad Request";
        };
    }
}
