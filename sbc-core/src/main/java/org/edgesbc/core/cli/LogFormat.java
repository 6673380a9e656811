package org.edgesbc.core.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;

/**
 * How the application's log lines reach standard output: {@code text} as {@code logback.xml} writes them, or
 * {@code json}, one JSON object per line from Logback's {@link JsonEncoder} for log shippers (Loki, Elasticsearch,
 * journald's JSON readers). Chosen with {@code sbc run --log-format} or {@code SBC_LOG_FORMAT}.
 */
public enum LogFormat {
    TEXT,
    JSON;

    /** The appender of the shipped {@code logback.xml} that writes to standard output. */
    static final String STDOUT_APPENDER = "STDOUT";

    /**
     * Sets this format on the root logger's {@value #STDOUT_APPENDER} appender of {@code context}, before anything
     * else logs through it.
     *
     * @return false when there is no such appender (the operator's own Logback configuration is in charge); nothing
     *     changes then
     */
    boolean applyTo(LoggerContext context) {
        if (this == TEXT) {
            return true;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> appender = root.getAppender(STDOUT_APPENDER);
        if (!(appender instanceof OutputStreamAppender<ILoggingEvent> stdout)) {
            return false;
        }
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        // What a log shipper indexes: time, level, thread, logger, the message as written, MDC, key-value pairs and
        // the exception. Left out: the context's properties (the same on every line), the raw template and its
        // arguments (the formatted message says it), sequence numbers and nanoseconds.
        json.setWithContext(false);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithMessage(false);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.start();
        // Swapped in place: stopping the appender would close its stream. The command calls this before the SBC
        // starts any thread of its own, so no other thread is writing through the appender meanwhile.
        stdout.setEncoder(json);
        return true;
    }
}
