package org.edgesbc.policy.fraud;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * What one calling account may do toward the trunk.
 *
 * @param allowedClasses destination classes it may call; EMERGENCY is always allowed whatever this says
 * @param maxConcurrentCalls calls up at the same time
 * @param callsPerMinute new calls per minute (the burst is one minute's worth)
 * @param dailySpendCap spend per calendar day in micro-units of the rate table's currency; 0 for none
 * @param weekendSpendCap spend from Saturday 00:00 to Monday 00:00 in micro-units; 0 for none
 * @param allowedPrefixes E.164 prefixes the account may call whatever their class (a blocked prefix still wins)
 * @param blockedPrefixes E.164 prefixes the account may never call
 * @param days days of the week the account may call on (emergency calls excepted)
 * @param from first minute of the day the account may call at
 * @param until the minute calls stop (exclusive); equal to {@code from} means all day
 * @param classCaps concurrent calls per destination class (classes not named: only the overall cap)
 * @param maxCallDuration longest call of the account; null for the SBC-wide limit only
 */
public record FraudRules(Set<DestinationClass> allowedClasses, int maxConcurrentCalls, int callsPerMinute,
        long dailySpendCap, long weekendSpendCap, Set<String> allowedPrefixes, Set<String> blockedPrefixes,
        Set<DayOfWeek> days, LocalTime from, LocalTime until, java.util.Map<DestinationClass, Integer> classCaps,
        java.time.Duration maxCallDuration) {

    /** The secure default: home-country calls only; international, premium, satellite and high-risk blocked. */
    public static final FraudRules DEFAULT = new FraudRules(
            Set.of(DestinationClass.LOCAL, DestinationClass.NATIONAL, DestinationClass.MOBILE), 10, 30, 0, 0);

    /** Rules without prefix lists or time windows. */
    public FraudRules(Set<DestinationClass> allowedClasses, int maxConcurrentCalls, int callsPerMinute,
            long dailySpendCap, long weekendSpendCap) {
        this(allowedClasses, maxConcurrentCalls, callsPerMinute, dailySpendCap, weekendSpendCap, Set.of(), Set.of(),
                EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, java.util.Map.of(), null);
    }

    /** Rules without spend caps, prefix lists or time windows. */
    public FraudRules(Set<DestinationClass> allowedClasses, int maxConcurrentCalls, int callsPerMinute) {
        this(allowedClasses, maxConcurrentCalls, callsPerMinute, 0, 0);
    }

    /** Whether {@code when} (local time) lies in the account's calling window. */
    public boolean inWindow(java.time.LocalDateTime when) {
        if (!days.contains(when.getDayOfWeek())) {
            return false;
        }
        if (from.equals(until)) {
            return true;
        }
        LocalTime time = when.toLocalTime();
        return from.isBefore(until) ? !time.isBefore(from) && time.isBefore(until)
                : !time.isBefore(from) || time.isBefore(until);
    }

    static boolean matches(Set<String> prefixes, String digits) {
        for (String prefix : prefixes) {
            if (digits.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
