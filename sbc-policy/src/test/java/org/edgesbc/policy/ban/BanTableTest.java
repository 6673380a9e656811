package org.edgesbc.policy.ban;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BanTableTest {
    private final ManualClock clock = new ManualClock();
    private final BanTable table = new BanTable(3, Duration.ofDays(1), 4, Duration.ofDays(7), clock, clock::nanos);

    @TempDir
    Path dir;

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void bansExpireAndRepeatOffendersGetLongerBans() throws Exception {
        table.ban(ip("127.0.0.50"), BanReason.AUTH_FAILURES, "10 failures", Duration.ofHours(1));
        assertThat(table.isBanned(ip("127.0.0.50"))).isTrue();
        clock.advance(Duration.ofHours(1));
        assertThat(table.isBanned(ip("127.0.0.50"))).isFalse();
        Ban second = table.ban(ip("127.0.0.50"), BanReason.AUTH_FAILURES, "10 failures", Duration.ofHours(1));
        assertThat(second.offences()).isEqualTo(2);
        assertThat(Duration.between(second.created(), second.expires())).isEqualTo(Duration.ofHours(4));
        clock.advance(Duration.ofHours(4));
        Ban third = table.ban(ip("127.0.0.50"), BanReason.AUTH_FAILURES, "again", Duration.ofHours(1));
        assertThat(Duration.between(third.created(), third.expires())).isEqualTo(Duration.ofHours(16));
    }

    @Test
    void tableIsBoundedAndTheBanClosestToExpiryGivesWay() throws Exception {
        table.ban(ip("127.0.0.51"), BanReason.SCANNER, "ua", Duration.ofMinutes(10));
        table.ban(ip("127.0.0.52"), BanReason.SCANNER, "ua", Duration.ofMinutes(30));
        table.ban(ip("127.0.0.53"), BanReason.SCANNER, "ua", Duration.ofMinutes(20));
        table.ban(ip("127.0.0.54"), BanReason.FLOOD, "pps", Duration.ofMinutes(40));
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.overflows()).isEqualTo(1);
        assertThat(table.isBanned(ip("127.0.0.51"))).isFalse();
        assertThat(table.isBanned(ip("127.0.0.54"))).isTrue();
    }

    @Test
    void stateFileRoundTripsSkipsExpiredAndReportsCorruptLines() throws Exception {
        table.ban(ip("127.0.0.60"), BanReason.MANUAL, "operator\twith tab", Duration.ofHours(2));
        table.ban(ip("::1"), BanReason.SCANNER, "friendly-scanner", Duration.ofMinutes(5));
        BanStateFile file = new BanStateFile(dir.resolve("bans.tsv"));
        file.write(table.list());
        Files.writeString(dir.resolve("bans.tsv"), "garbage line\n", java.nio.file.StandardOpenOption.APPEND);
        clock.advance(Duration.ofMinutes(10));
        BanStateFile.Loaded loaded = file.read(clock.instant());
        assertThat(loaded.bans()).extracting(Ban::source).containsExactly(ip("127.0.0.60"));
        assertThat(loaded.bans().get(0).detail()).isEqualTo("operator with tab");
        assertThat(loaded.problems()).singleElement().asString().contains("bans.tsv:4");
    }

    @Test
    void escalationStopsAtTheMaximumAndIsForgottenAfterTheMemoryWindow() throws Exception {
        BanTable escalating = new BanTable(new BanSettings(10, Duration.ofHours(1), 4, Duration.ofDays(7),
                Duration.ofDays(7)), clock, clock::nanos);
        InetAddress source = ip("127.0.0.70");
        long[] hours = new long[6];
        for (int i = 0; i < hours.length; i++) {
            Ban ban = escalating.ban(source, BanReason.FLOOD, "pps", Map.of("dropped", 1000L));
            hours[i] = Duration.between(ban.created(), ban.expires()).toHours();
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(hours).containsExactly(1, 4, 16, 64, 168, 168);
        clock.advance(Duration.ofDays(8));
        assertThat(escalating.ban(source, BanReason.FLOOD, "pps", Map.of()).offences()).isEqualTo(1);
    }

    @Test
    void aBanLastsItsLengthWhenTheWallClockStepsForwardOrBack() throws Exception {
        InetAddress source = ip("127.0.0.71");
        Ban ban = table.ban(source, BanReason.SCANNER, "ua", Map.of(), Duration.ofHours(1));
        clock.stepWall(Duration.ofHours(2));
        assertThat(table.isBanned(source)).as("a step forward past the expiry lifts nothing").isTrue();
        assertThat(table.list()).singleElement().extracting(Ban::expires)
                .as("listed (and written to the ban file) with the wall instant it now ends at")
                .isEqualTo(ban.expires().plus(Duration.ofHours(2)));
        clock.stepWall(Duration.ofHours(-5));
        clock.advance(Duration.ofMinutes(59));
        assertThat(table.isBanned(source)).isTrue();
        assertThat(table.list()).singleElement().extracting(Ban::expires)
                .isEqualTo(ban.expires().minus(Duration.ofHours(3)));
        clock.advance(Duration.ofMinutes(1));
        assertThat(table.size()).as("expired, though its source has not sent since").isZero();
        assertThat(table.isBanned(source)).as("a step back stretches nothing: the hour has passed").isFalse();
        assertThat(table.get(source)).isNull();
        assertThat(table.list()).isEmpty();
    }

    @Test
    void aRestoredBanEndsAtItsWallExpiryAsSeenWhenRestoredWhateverTheWallClockDoesLater() throws Exception {
        InetAddress source = ip("127.0.0.72");
        table.put(new Ban(source, BanReason.MANUAL, "operator", clock.instant(),
                clock.instant().plus(Duration.ofMinutes(30)), 1));
        clock.stepWall(Duration.ofMinutes(-45));
        clock.advance(Duration.ofMinutes(29));
        assertThat(table.isBanned(source)).isTrue();
        clock.stepWall(Duration.ofDays(1));
        clock.advance(Duration.ofMinutes(1));
        assertThat(table.isBanned(source)).isFalse();
    }

    @Test
    void bansWrittenToTheStateFileAndPutBackAfterARestartKeepTheirOffences() throws Exception {
        BanStateFile file = new BanStateFile(dir.resolve("bans.tsv"));
        table.ban(ip("127.0.0.80"), BanReason.AUTH_FAILURES, "failed authentications",
                Map.of("failures", 10L, "threshold", 10L), Duration.ofHours(1));
        table.ban(ip("127.0.0.81"), BanReason.SCANNER, "user-agent:sipvicious", Map.of(), Duration.ofMinutes(1));
        file.write(table.list());
        clock.advance(Duration.ofMinutes(2));
        BanTable restarted = new BanTable(3, Duration.ofDays(1), 4, Duration.ofDays(7), clock, clock::nanos);
        file.read(clock.instant()).bans().forEach(restarted::put);
        assertThat(restarted.get(ip("127.0.0.80")).counters()).containsEntry("failures", 10L);
        assertThat(restarted.isBanned(ip("127.0.0.81"))).as("expired while the SBC was down").isFalse();
        clock.advance(Duration.ofHours(1));
        Ban again = restarted.ban(ip("127.0.0.80"), BanReason.AUTH_FAILURES, "again", Duration.ofHours(1));
        assertThat(again.offences()).as("a restart does not reset escalation").isEqualTo(2);
        assertThat(Duration.between(again.created(), again.expires())).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void anOperatorsBanHoldsUntilLiftedAndStillCountsForEscalation() throws Exception {
        InetAddress source = ip("127.0.0.85");
        table.put(new Ban(source, BanReason.MANUAL, "seen in honeypot", clock.instant(),
                clock.instant().plus(Duration.ofMinutes(30)), 1));
        assertThat(table.isBanned(source)).isTrue();
        assertThat(table.list()).extracting(Ban::reason).containsExactly(BanReason.MANUAL);
        assertThat(table.remove(source)).isTrue();
        assertThat(table.remove(source)).as("nothing left to lift").isFalse();
        assertThat(table.isBanned(source)).isFalse();
        Ban automatic = table.ban(source, BanReason.FLOOD, "over budget", Duration.ofHours(1));
        assertThat(automatic.offences()).isEqualTo(2);
        assertThat(Duration.between(automatic.created(), automatic.expires())).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void stateFileKeepsCountersReadsTheOlderFormatAndLeavesNoTemporaryFile() throws Exception {
        Path path = dir.resolve("state/bans.tsv");
        BanStateFile file = new BanStateFile(path);
        table.ban(ip("127.0.0.90"), BanReason.FLOOD, "over budget",
                Map.of("dropped", 1000L, "window_seconds", 60L), Duration.ofHours(1));
        file.write(table.list());
        file.write(table.list());
        try (var listing = Files.list(path.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("bans.tsv");
        }
        Files.writeString(path, "127.0.0.91\tMANUAL\t" + clock.instant() + "\t" + clock.instant().plusSeconds(60)
                + "\t1\told format line\n127.0.0.92\tMANUAL\tyesterday\t" + clock.instant() + "\t1\t\tbad time\n"
                + "127.0.0.93\tMANUAL\t" + clock.instant() + "\t" + clock.instant().plusSeconds(60)
                + "\t1\tx=y\tbad counter\n", java.nio.file.StandardOpenOption.APPEND);
        BanStateFile.Loaded loaded = file.read(clock.instant());
        assertThat(loaded.bans()).extracting(Ban::source).containsExactly(ip("127.0.0.90"), ip("127.0.0.91"));
        assertThat(loaded.bans().get(0).counters()).containsEntry("dropped", 1000L).containsEntry("window_seconds", 60L);
        assertThat(loaded.bans().get(1).detail()).isEqualTo("old format line");
        assertThat(loaded.problems()).hasSize(2);
        assertThat(new BanStateFile(dir.resolve("missing.tsv")).read(clock.instant()).bans()).isEmpty();
    }

    @Test
    void aNewEscalationAppliesToTheNextBanAndKeepsTheOffencesCounted() throws Exception {
        BanTable table = new BanTable(new BanSettings(10, Duration.ofHours(1), 4, Duration.ofDays(7),
                Duration.ofDays(7)), clock, clock::nanos);
        InetAddress source = ip("127.0.0.71");
        Ban first = table.ban(source, BanReason.FLOOD, "pps", Map.of());
        table.replaceEscalation(2, Duration.ofHours(3));
        clock.advance(Duration.ofMinutes(1));
        Ban second = table.ban(source, BanReason.FLOOD, "pps", Map.of());
        clock.advance(Duration.ofMinutes(1));
        Ban third = table.ban(source, BanReason.FLOOD, "pps", Map.of());
        assertThat(Duration.between(first.created(), first.expires())).hasHours(1);
        assertThat(second.offences()).isEqualTo(2);
        assertThat(Duration.between(second.created(), second.expires())).as("1 h times 2").hasHours(2);
        assertThat(Duration.between(third.created(), third.expires())).as("4 h capped at 3 h").hasHours(3);
        assertThat(table.isBanned(source)).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table.replaceEscalation(0.5, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
