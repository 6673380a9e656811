package org.edgesbc.policy.ban;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BanTableTest {
    private final ManualClock clock = new ManualClock();
    private final BanTable table = new BanTable(3, Duration.ofDays(1), 4, Duration.ofDays(7), clock);

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
}
