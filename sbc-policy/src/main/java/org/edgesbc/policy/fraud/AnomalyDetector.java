package org.edgesbc.policy.fraud;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A baseline per calling account: calls per hour over a rolling week (168 hourly buckets), the countries it has
 * called, and the hours of the week it uses. A call that makes the current hour a spike far above the account's
 * hourly average, reaches a country the account never called, or comes at an hour of the week it never used,
 * raises an alert carrying the numbers that triggered it. Needs a week of history before "unusual hour" and a day
 * before "spike" speak, so a new account is not an anomaly by itself.
 *
 * <p>Bounded: at most {@code maxAccounts} accounts (new ones beyond are not tracked), 300 countries each. Thread-safe:
 * each account's baseline is guarded by its own monitor.
 */
public final class AnomalyDetector {
    /** What looked unusual. */
    public enum Kind { SPIKE, NEW_COUNTRY, UNUSUAL_HOUR }

    public record Alert(Kind kind, String account, Map<String, Object> numbers) { }

    private static final int HOURS = 168;
    private static final int MAX_COUNTRIES = 300;

    private final ConcurrentHashMap<String, Baseline> accounts = new ConcurrentHashMap<>();
    private final int maxAccounts;
    private final double spikeFactor;
    private final int spikeMinimum;
    private final ZoneId zone;

    /**
     * @param spikeFactor how many times the hourly average the current hour must reach
     * @param spikeMinimum calls in the current hour below which nothing is a spike
     */
    public AnomalyDetector(int maxAccounts, double spikeFactor, int spikeMinimum, ZoneId zone) {
        this.maxAccounts = maxAccounts;
        this.spikeFactor = spikeFactor;
        this.spikeMinimum = spikeMinimum;
        this.zone = zone;
    }

    private static final class Baseline {
        final long[] hourly = new long[HOURS];
        final long[] hourStamp = new long[HOURS];
        final Set<String> countries = new HashSet<>();
        final boolean[] hourOfWeekUsed = new boolean[HOURS];
        long firstHour = -1;
    }

    /**
     * The baselines, one line per account ({@code account<TAB>firstHour<TAB>countries<TAB>hours-used<TAB>buckets}),
     * so that a restart does not make every account look new again.
     */
    public List<String> snapshot() {
        List<String> lines = new ArrayList<>();
        accounts.forEach((account, b) -> {
            synchronized (b) {
                StringBuilder used = new StringBuilder();
                for (int i = 0; i < HOURS; i++) {
                    used.append(b.hourOfWeekUsed[i] ? '1' : '0');
                }
                StringBuilder buckets = new StringBuilder();
                for (int i = 0; i < HOURS; i++) {
                    if (b.hourly[i] > 0) {
                        buckets.append(buckets.length() == 0 ? "" : ",").append(b.hourStamp[i]).append(':')
                                .append(b.hourly[i]);
                    }
                }
                lines.add(account + "\t" + b.firstHour + "\t" + String.join(",", b.countries) + "\t" + used + "\t"
                        + buckets);
            }
        });
        return lines;
    }

    /** Restores a {@link #snapshot}; returns one message per line it could not use. */
    public List<String> restore(List<String> lines) {
        List<String> problems = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            try {
                String[] f = lines.get(n).split("\t", -1);
                if (f.length != 5 || f[3].length() != HOURS) {
                    throw new IllegalArgumentException("expected 5 fields");
                }
                Baseline b = new Baseline();
                b.firstHour = Long.parseLong(f[1]);
                if (!f[2].isEmpty()) {
                    b.countries.addAll(List.of(f[2].split(",")));
                }
                for (int i = 0; i < HOURS; i++) {
                    b.hourOfWeekUsed[i] = f[3].charAt(i) == '1';
                }
                if (!f[4].isEmpty()) {
                    for (String bucket : f[4].split(",")) {
                        String[] kv = bucket.split(":");
                        long stamp = Long.parseLong(kv[0]);
                        int slot = (int) (stamp % HOURS);
                        b.hourStamp[slot] = stamp;
                        b.hourly[slot] = Long.parseLong(kv[1]);
                    }
                }
                accounts.put(f[0], b);
            } catch (RuntimeException e) {
                problems.add("line " + (n + 1) + ": " + e.getMessage());
            }
        }
        return problems;
    }

    /** Records a call and returns what was unusual about it (often nothing). */
    public List<Alert> observe(String account, String e164, boolean international, Instant when) {
        Baseline baseline = accounts.get(account);
        if (baseline == null) {
            if (accounts.size() >= maxAccounts) {
                return List.of();
            }
            baseline = accounts.computeIfAbsent(account, a -> new Baseline());
        }
        List<Alert> alerts = new ArrayList<>();
        long hour = when.getEpochSecond() / 3600;
        ZonedDateTime local = when.atZone(zone);
        int hourOfWeek = (local.getDayOfWeek().getValue() - 1) * 24 + local.getHour();
        synchronized (baseline) {
            if (baseline.firstHour < 0) {
                baseline.firstHour = hour;
            }
            long knownHours = hour - baseline.firstHour;
            int slot = (int) (hour % HOURS);
            if (baseline.hourStamp[slot] != hour) {
                baseline.hourStamp[slot] = hour;
                baseline.hourly[slot] = 0;
            }
            baseline.hourly[slot]++;
            long current = baseline.hourly[slot];
            if (knownHours >= 24) {
                long total = 0;
                for (int i = 0; i < HOURS; i++) {
                    if (baseline.hourStamp[i] != hour && hour - baseline.hourStamp[i] < HOURS) {
                        total += baseline.hourly[i];
                    }
                }
                double average = (double) total / Math.min(HOURS - 1, knownHours);
                // Raised once, when the hour's count first reaches the threshold.
                long threshold = Math.max(spikeMinimum, (long) Math.ceil(spikeFactor * average));
                if (current == threshold) {
                    alerts.add(new Alert(Kind.SPIKE, account, Map.of("calls_this_hour", current,
                            "hourly_average", Math.round(average * 100) / 100.0, "factor", spikeFactor)));
                }
            }
            if (international && !e164.isEmpty()) {
                String country = CountryCodes.of(e164);
                if (!baseline.countries.contains(country) && baseline.countries.size() < MAX_COUNTRIES) {
                    baseline.countries.add(country);
                    alerts.add(new Alert(Kind.NEW_COUNTRY, account, Map.of("country_code", country,
                            "countries_known", baseline.countries.size() - 1)));
                }
            }
            if (knownHours >= HOURS && !baseline.hourOfWeekUsed[hourOfWeek]) {
                alerts.add(new Alert(Kind.UNUSUAL_HOUR, account, Map.of("hour_of_week", hourOfWeek,
                        "weekday", local.getDayOfWeek().toString(), "hour", local.getHour())));
            }
            baseline.hourOfWeekUsed[hourOfWeek] = true;
        }
        return alerts;
    }
}
