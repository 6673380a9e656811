package org.edgesbc.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz target of the configuration reader (the YAML parser, binding and validation of every
 * section) on arbitrary text: the answer must be a configuration or a {@link ConfigException} naming the file;
 * any other exception or a hang is a finding. The text is written to a file of its own folder, as {@code sbc check}
 * and a reload read it; the loader binds and starts nothing. Regression mode in {@code mvn verify} over
 * {@code src/test/resources/.../ConfigFuzzTestInputs/}; fuzzing with {@code bench/fuzz.sh config}.
 */
class ConfigFuzzTest {
    private static final Path FILE = file();

    private static Path file() {
        try {
            Path folder = Files.createTempDirectory("config-fuzz");
            folder.toFile().deleteOnExit();
            return folder.resolve("sbc.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "1h")
    void anyText(FuzzedDataProvider data) throws IOException {
        Files.write(FILE, data.consumeRemainingAsBytes());
        try {
            assertThat(ConfigLoader.load(FILE)).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains(FILE.toString());
        }
    }
}
