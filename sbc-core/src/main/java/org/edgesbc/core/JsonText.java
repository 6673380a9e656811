package org.edgesbc.core;

import java.time.Instant;
import java.time.LocalDate;
import org.edgesbc.policy.JsonString;

/** Minimal JSON output for the SBC's own records (security events, CDRs, admin answers): strings escaped per RFC 8259 §7. */
public final class JsonText {
    private JsonText() { }

    /** Appends {@code value} as a JSON string, U+2028/2029 escaped too (see {@link JsonString#append}). */
    public static StringBuilder string(StringBuilder out, String value) {
        return JsonString.append(out, value);
    }

    /** Appends {@code "name":value} with a string value, or {@code null}. */
    public static StringBuilder field(StringBuilder out, String name, String value) {
        string(out, name).append(':');
        return value == null ? out.append("null") : string(out, value);
    }

    /**
     * Appends {@code "name":"2026-12-06T23:25:38.742Z"}, or {@code null}: RFC 3339 in UTC, always to the millisecond.
     * {@link Instant#toString} writes as many fraction digits as the clock had (none, 3, 6 or 9), which gives a file
     * of records timestamps of several widths, and its formatter cost the record writer a sixth of its time.
     */
    public static StringBuilder timestamp(StringBuilder out, String name, Instant time) {
        string(out, name).append(':');
        if (time == null) {
            return out.append("null");
        }
        long second = time.getEpochSecond();
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(second, 86_400));
        int secondOfDay = (int) Math.floorMod(second, 86_400);
        if (day.getYear() < 0 || day.getYear() > 9999) {
            // Outside RFC 3339's four-digit years; not a time the SBC's clock gives.
            return string(out, time.toString());
        }
        out.append('"');
        digits(out, day.getYear(), 4).append('-');
        digits(out, day.getMonthValue(), 2).append('-');
        digits(out, day.getDayOfMonth(), 2).append('T');
        digits(out, secondOfDay / 3600, 2).append(':');
        digits(out, secondOfDay / 60 % 60, 2).append(':');
        digits(out, secondOfDay % 60, 2).append('.');
        return digits(out, time.getNano() / 1_000_000, 3).append("Z\"");
    }

    private static StringBuilder digits(StringBuilder out, int value, int width) {
        for (int scale = width == 4 ? 1000 : width == 3 ? 100 : 10; scale > 0; scale /= 10) {
            out.append((char) ('0' + value / scale % 10));
        }
        return out;
    }
}
