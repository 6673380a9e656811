package org.edgesbc.policy.fraud;

import java.util.Map;
import java.util.TreeMap;

/**
 * Prices per minute by E.164 prefix (longest wins), in micro-units of one currency so that spend adds up without
 * rounding (1.25 per minute is 1,250,000). Numbers no prefix covers cost {@code defaultPerMinute}.
 */
public final class RateTable {
    private final TreeMap<String, Long> perMinute;
    private final long defaultPerMinute;

    public RateTable(Map<String, Long> perMinute, long defaultPerMinute) {
        this.perMinute = new TreeMap<>(perMinute);
        this.defaultPerMinute = defaultPerMinute;
    }

    public static final RateTable FREE = new RateTable(Map.of(), 0);

    public long perMinute(String e164) {
        for (int length = e164.length(); length > 0; length--) {
            Long price = perMinute.get(e164.substring(0, length));
            if (price != null) {
                return price;
            }
        }
        return defaultPerMinute;
    }
}
