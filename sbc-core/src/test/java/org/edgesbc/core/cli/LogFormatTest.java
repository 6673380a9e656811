package org.edgesbc.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The formats on a Logback context of the test's own, shaped like the shipped {@code logback.xml}. */
class LogFormatTest {
    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    private void configureLikeTheShippedFile(String appenderName) {
        // What SLF4J's Logback provider sets on the context it creates; events carry a copy of the MDC.
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern("%-5level %logger - %msg%n");
        text.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName(appenderName);
        appender.setEncoder(text);
        appender.setOutputStream(stdout);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void jsonWritesOneObjectPerLineWithTheFieldsShippersIndex() throws Exception {
        configureLikeTheShippedFile(LogFormat.STDOUT_APPENDER);
        assertThat(LogFormat.JSON.applyTo(context)).isTrue();
        Logger log = context.getLogger("org.edgesbc.test");
        log.warn("user {} has \"quotes\"", "1001");
        log.error("failed", new IllegalStateException("port in use"));

        List<String> lines = stdout.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("WARN");
        assertThat(first.get("loggerName").asText()).isEqualTo("org.edgesbc.test");
        assertThat(first.get("formattedMessage").asText()).isEqualTo("user 1001 has \"quotes\"");
        assertThat(first.get("timestamp").asLong()).isPositive();
        assertThat(first.has("threadName")).isTrue();
        assertThat(first.has("context")).as("the same on every line: left out").isFalse();
        assertThat(first.has("message")).as("the raw template: the formatted message says it").isFalse();
        JsonNode second = mapper.readTree(lines.get(1));
        assertThat(second.get("throwable").get("message").asText()).isEqualTo("port in use");
    }

    @Test
    void textLeavesTheConfigurationAsItIs() {
        configureLikeTheShippedFile(LogFormat.STDOUT_APPENDER);
        assertThat(LogFormat.TEXT.applyTo(context)).isTrue();
        context.getLogger("org.edgesbc.test").info("started");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("INFO  org.edgesbc.test - started\n");
    }

    @Test
    void anOperatorsOwnConfigurationWithoutTheStdoutAppenderIsLeftAlone() {
        configureLikeTheShippedFile("CONSOLE");
        assertThat(LogFormat.JSON.applyTo(context)).isFalse();
        context.getLogger("org.edgesbc.test").info("started");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("INFO  org.edgesbc.test - started\n");
    }
}
