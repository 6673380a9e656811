package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.edgesbc.core.config.RollingFileConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesWriterTest {
    private static final RollingFileConfig LARGE = new RollingFileConfig(1 << 20, 30, 0, true);
    private static final Pattern ROLLED = Pattern.compile("events\\.\\d{4}-\\d{2}-\\d{2}\\.(\\d+)\\.jsonl\\.gz");

    @TempDir
    Path dir;

    /** One entry per record lost, by reason. */
    private final LinkedBlockingQueue<RecordMetrics.Drop> drops = new LinkedBlockingQueue<>();
    private final AtomicInteger writeFailures = new AtomicInteger();
    private final RecordMetrics metrics = new RecordMetrics() {
        @Override
        public void dropped(Drop drop, int records) {
            for (int i = 0; i < records; i++) {
                drops.add(drop);
            }
        }

        @Override
        public void writeFailed() {
            writeFailures.incrementAndGet();
        }
    };

    @Test
    void eachRecordIsOneLineExactlyAsItsJsonInTheActiveFile() throws Exception {
        Path file = dir.resolve("nested").resolve("events.jsonl");
        try (JsonLinesWriter<String> writer = new JsonLinesWriter<>("test-events", 10, 10, text -> text, file, LARGE,
                metrics)) {
            writer.write("{\"n\":1,\"text\":\"{} stays as it is\"}");
            writer.write("{\"n\":2,\"text\":\"ünïcödé\"}");
        }
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":1,\"text\":\"{} stays as it is\"}\n{\"n\":2,\"text\":\"ünïcödé\"}\n");
        assertThat(drops).isEmpty();
    }

    @Test
    void theActiveFileRollsAtItsSizeIntoCompressedFilesNamedByDayAndCounter() throws Exception {
        Path file = dir.resolve("events.jsonl");
        RollingFileConfig small = new RollingFileConfig(100, 30, 0, true);
        List<String> written = new ArrayList<>();
        try (JsonLinesWriter<String> writer = new JsonLinesWriter<>("test-events", 100, 1, text -> text, file, small,
                metrics)) {
            for (int i = 0; i < 7; i++) {
                String line = "{\"record\":" + i + ",\"padding\":\"" + "x".repeat(40) + "\"}";
                written.add(line);
                writer.write(line);
            }
        }
        // Logback compresses each rolled file in the background (from a renamed ".tmp" copy it deletes when done) and
        // its stop waits for the last compression only, so an earlier one may still be running when the writer has
        // closed: wait a bounded time for every compression to finish.
        for (int wait = 0; wait < 50 && compressing(); wait++) {
            Thread.sleep(100);
        }
        List<Path> rolled = rolledFiles();
        assertThat(rolled).as("two records of 58 bytes pass 100 bytes: three rolls for seven records").hasSize(3);
        List<String> read = new ArrayList<>();
        for (Path path : rolled) {
            read.addAll(gunzipLines(path));
        }
        read.addAll(Files.readAllLines(file));
        assertThat(read).as("every record once, in order, across rolled and active files").isEqualTo(written);
        assertThat(drops).isEmpty();
    }

    private boolean compressing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"));
        }
    }

    private List<Path> rolledFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> ROLLED.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(JsonLinesWriterTest::counterOf)).toList();
        }
    }

    @Test
    void recordsBeyondTheQueueAreDroppedAndCounted() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Path file = dir.resolve("events.jsonl");
        try (JsonLinesWriter<String> writer = new JsonLinesWriter<>("test-events", 1, 1, text -> {
            writing.countDown();
            awaitQuietly(release);
            return text;
        }, file, LARGE, metrics)) {
            writer.write("{\"n\":1}");
            assertThat(writing.await(5, TimeUnit.SECONDS)).as("the writer holds the first record").isTrue();
            writer.write("{\"n\":2}");
            writer.write("{\"n\":3}");
            assertThat(writer.dropped()).isEqualTo(1);
            assertThat(drops).containsExactly(RecordMetrics.Drop.QUEUE_FULL);
            release.countDown();
        }
        assertThat(Files.readAllLines(file)).containsExactly("{\"n\":1}", "{\"n\":2}");
    }

    @Test
    void aStopThatCannotWaitForTheDiskCountsWhatIsStillQueued() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JsonLinesWriter<String> writer = new JsonLinesWriter<>("test-events", 10, 10, text -> {
            writing.countDown();
            awaitQuietly(release);
            return text;
        }, dir.resolve("events.jsonl"), LARGE, metrics);
        try {
            writer.write("{\"n\":1}");
            assertThat(writing.await(5, TimeUnit.SECONDS)).as("the writer is stuck on the first record").isTrue();
            writer.write("{\"n\":2}");
            writer.write("{\"n\":3}");
            writer.close();
            assertThat(writer.dropped()).as("the two records behind the stuck one").isEqualTo(2);
        } finally {
            release.countDown();
        }
    }

    @Test
    void recordsTheFileRefusesAreKeptAndWrittenWhenItTakesWritesAgainAndOnlyWhatDoesNotFitIsDropped()
            throws Exception {
        Path file = FullDisk.under(dir.resolve("events.jsonl"));
        try (JsonLinesWriter<String> writer = new JsonLinesWriter<>("test-events", 3, 10, text -> text, file, LARGE,
                metrics)) {
            writer.write("{\"n\":1}");
            for (int i = 0; i < 100 && writeFailures.get() < 2; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(writeFailures.get()).as("the refused write is tried again").isGreaterThanOrEqualTo(2);
            // The first record is held by the writer; three more fill its queue and the fifth finds no room.
            for (int i = 2; i <= 5; i++) {
                writer.write("{\"n\":" + i + "}");
            }
            assertThat(drops).containsExactly(RecordMetrics.Drop.QUEUE_FULL);

            // Space again: the next try reopens the file, now a file of its own.
            Files.delete(file);
            for (int i = 0; i < 100 && lines(file).size() < 4; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(lines(file)).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
            assertThat(writer.dropped()).isEqualTo(1);
        }
    }

    @Test
    void recordsTheFileStillRefusesAtTheStopAreCountedAsLost() throws Exception {
        Path file = FullDisk.under(dir.resolve("events.jsonl"));
        JsonLinesWriter<String> writer = new JsonLinesWriter<>("test-events", 10, 2, text -> text, file, LARGE,
                metrics);
        for (int i = 1; i <= 5; i++) {
            writer.write("{\"n\":" + i + "}");
        }
        for (int i = 0; i < 100 && writeFailures.get() < 1; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        writer.close();
        assertThat(drops).hasSize(5).containsOnly(RecordMetrics.Drop.WRITE_FAILED);
        assertThat(writer.dropped()).isEqualTo(5);
    }

    @Test
    void anIdleWriterWaitsWithoutWakingAndStopsAtOnceWhenClosed() throws Exception {
        Path file = dir.resolve("events.jsonl");
        JsonLinesWriter<String> writer = new JsonLinesWriter<>("idle-records", 10, 10, text -> text, file, LARGE,
                metrics);
        writer.write("{\"n\":1}");
        for (int i = 0; i < 100 && lines(file).isEmpty(); i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        // Past the gather pause that follows a write: from here on the writer has nothing to do.
        TimeUnit.NANOSECONDS.sleep(2 * JsonLinesWriter.GATHER_NANOS);
        Path task = writerTask("idle-records");
        long switchesBefore = voluntarySwitches(task);
        TimeUnit.SECONDS.sleep(1);
        long switchesAfter = voluntarySwitches(task);
        long closing = System.nanoTime();
        writer.close();
        long closedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);

        assertThat(switchesAfter - switchesBefore).as("times the idle writer's thread gave up its core in 1 s")
                .isLessThanOrEqualTo(1);
        // Not waking, it must still see the stop at once rather than after close()'s two seconds of grace.
        assertThat(closedMillis).as("ms close() took").isLessThan(1_000);
        assertThat(lines(file)).containsExactly("{\"n\":1}");
        assertThat(drops).isEmpty();
    }

    /** The /proc folder of this process's thread named {@code name} (Linux; the name cut to 15 bytes there). */
    private static Path writerTask(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals(name);
                } catch (IOException e) {
                    return false;
                }
            }).findFirst().orElseThrow();
        }
    }

    private static long voluntarySwitches(Path task) throws IOException {
        return Files.readAllLines(task.resolve("status")).stream()
                .filter(line -> line.startsWith("voluntary_ctxt_switches:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
                .findFirst().orElseThrow();
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readAllLines(file) : List.of();
    }

    private static int counterOf(Path rolled) {
        Matcher matcher = ROLLED.matcher(rolled.getFileName().toString());
        assertThat(matcher.matches()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static List<String> gunzipLines(Path path) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
