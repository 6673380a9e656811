package org.edgesbc.policy.cluster;

import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;
import org.edgesbc.policy.fraud.DestinationClass;

/**
 * One node's part of an account's toll-fraud counters (or the sum of several nodes' parts): calls up now, in total
 * and per destination class, and the spend of one day and one weekend in micro-units. A plain value; a node only
 * ever publishes its own part, so two nodes never write the same counter.
 *
 * @param day the day {@code dayMicros} belongs to (null: none)
 * @param weekend the Saturday of the weekend {@code weekendMicros} belongs to (null: none)
 */
public record AccountShare(String account, int liveCalls, Map<DestinationClass, Integer> liveByClass, LocalDate day,
        long dayMicros, LocalDate weekend, long weekendMicros) {
    /** Nothing held elsewhere. */
    public static final AccountShare NONE = new AccountShare(null, 0, Map.of(), null, 0, null, 0);

    public AccountShare {
        liveByClass = liveByClass.isEmpty() ? Map.of() : Map.copyOf(liveByClass);
    }

    /** The Saturday of the weekend {@code date} is in, or null on a weekday. */
    public static LocalDate weekendOf(LocalDate date) {
        return switch (date.getDayOfWeek()) {
            case SATURDAY -> date;
            case SUNDAY -> date.minusDays(1);
            default -> null;
        };
    }

    /** Calls up now to {@code destination}. */
    public int liveIn(DestinationClass destination) {
        return liveByClass.getOrDefault(destination, 0);
    }

    /** Spend on {@code today}; spend of another day does not count. */
    public long spentOn(LocalDate today) {
        return today.equals(day) ? dayMicros : 0;
    }

    /** Spend of the weekend starting on {@code saturday} (null: not a weekend, nothing). */
    public long spentInWeekend(LocalDate saturday) {
        return saturday != null && saturday.equals(weekend) ? weekendMicros : 0;
    }

    /**
     * This share and {@code other} together, as seen on {@code today} ({@code saturday}: the weekend it is in, or
     * null): live calls add up, and so does the spend of today and of this weekend.
     */
    public AccountShare plus(AccountShare other, LocalDate today, LocalDate saturday, boolean countLiveCalls) {
        Map<DestinationClass, Integer> byClass = new EnumMap<>(DestinationClass.class);
        byClass.putAll(liveByClass);
        if (countLiveCalls) {
            other.liveByClass.forEach((k, v) -> byClass.merge(k, v, Integer::sum));
        }
        return new AccountShare(account == null ? other.account : account,
                liveCalls + (countLiveCalls ? other.liveCalls : 0), byClass, today,
                spentOn(today) + other.spentOn(today), saturday,
                spentInWeekend(saturday) + other.spentInWeekend(saturday));
    }
}
