package org.edgesbc.policy.fraud;

import java.util.Set;

/**
 * The country calling code at the start of an E.164 number. ITU-T E.164 codes are one digit (1 North American
 * Numbering Plan, 7 Russia and Kazakhstan), two digits (the list below: zones 2 to 9 codes of two digits) or three
 * digits (every other code in zones 2 to 9).
 */
final class CountryCodes {
    private static final Set<String> TWO_DIGIT = Set.of("20", "27", "30", "31", "32", "33", "34", "36", "39", "40",
            "41", "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61",
            "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98");

    private CountryCodes() { }

    /** The country code of an E.164 number, or the whole number if it is shorter than any code. */
    static String of(String e164) {
        if (e164.isEmpty()) {
            return e164;
        }
        char first = e164.charAt(0);
        if (first == '1' || first == '7') {
            return e164.substring(0, 1);
        }
        if (e164.length() >= 2 && TWO_DIGIT.contains(e164.substring(0, 2))) {
            return e164.substring(0, 2);
        }
        return e164.substring(0, Math.min(3, e164.length()));
    }
}
