package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * jain-sip-ri logs through the log4j 1.x API. log4j 1.x itself is never shipped (end of life, open CVEs); SLF4J's
 * log4j-over-slf4j provides those classes and hands the calls to SLF4J. Without any log4j classes, the parser's
 * first logging check ends in {@link NoClassDefFoundError} instead of a parse result.
 */
class JainSipLoggingTest {

    @Test
    void messageOfOnlyLineBreaksIsAParseFailureNotAMissingClass() {
        byte[] onlyLineBreaks = "\r\n\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> SipMessageParser.parse(onlyLineBreaks))
                .isInstanceOf(SipParseException.class)
                .hasMessage("no SIP message in input");
    }

    @Test
    void log4jApiComesFromTheSlf4jBridge() throws ClassNotFoundException {
        Class<?> log4jLogger = Class.forName("org.apache.log4j.Logger");
        assertThat(log4jLogger.getProtectionDomain().getCodeSource().getLocation().getPath())
                .contains("log4j-over-slf4j");
    }
}
