package org.edgesbc.policy.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnomalyDetectorTest {
    private final AnomalyDetector detector = new AnomalyDetector(100, 10, 20, ZoneOffset.UTC);

    @Test
    void aSpikeFarAboveTheBaselineIsReportedOnceWithItsNumbers() {
        Instant monday = Instant.parse("2026-11-16T09:00:00Z");
        // A week of office hours: two calls an hour, Monday to Friday, 09:00-17:00.
        for (int day = 0; day < 7; day++) {
            for (int hour = 9; hour < 17 && day < 5; hour++) {
                Instant when = monday.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour - 9));
                detector.observe("200", "49891234567", false, when);
                detector.observe("200", "49891234567", false, when.plusSeconds(60));
            }
        }
        Instant nextMonday = monday.plus(Duration.ofDays(7));
        List<AnomalyDetector.Alert> alerts = new ArrayList<>();
        for (int call = 0; call < 40; call++) {
            alerts.addAll(detector.observe("200", "49891234567", false, nextMonday.plusSeconds(call * 10)));
        }
        assertThat(alerts).filteredOn(a -> a.kind() == AnomalyDetector.Kind.SPIKE).singleElement()
                .satisfies(a -> assertThat(a.numbers()).containsEntry("calls_this_hour", 20L));
    }

    @Test
    void newCountriesAndUnusualHoursAreReported() {
        Instant monday = Instant.parse("2026-11-16T09:00:00Z");
        assertThat(detector.observe("201", "442079460000", true, monday)).extracting(AnomalyDetector.Alert::kind)
                .containsExactly(AnomalyDetector.Kind.NEW_COUNTRY);
        assertThat(detector.observe("201", "442079460001", true, monday.plusSeconds(60))).isEmpty();
        for (int day = 1; day <= 7; day++) {
            detector.observe("201", "49891234567", false, monday.plus(Duration.ofDays(day)));
        }
        List<AnomalyDetector.Alert> night = detector.observe("201", "25261234567", true,
                Instant.parse("2026-11-28T03:00:00Z"));
        assertThat(night).extracting(AnomalyDetector.Alert::kind)
                .containsExactlyInAnyOrder(AnomalyDetector.Kind.NEW_COUNTRY, AnomalyDetector.Kind.UNUSUAL_HOUR);
        assertThat(night).anySatisfy(a -> assertThat(a.numbers()).containsEntry("country_code", "252"));
    }
}
