package org.edgesbc.policy.interconnect;

import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.E164Normalizer;

/**
 * Rewrites a number from the way one zone writes numbers to the way another wants them: read with the dial plan of
 * the zone it came from ({@link E164Normalizer}: {@code +}, the international prefix or the national prefix), then
 * written in the target's {@link NumberFormat} with the target's plan. What is not a number in E.164 reach (a short
 * or emergency number, a subscriber number without area code, a name such as {@code alice}) stays as it is.
 */
public final class NumberFormatter {
    private NumberFormatter() { }

    /**
     * @param number the user part as received
     * @param from the plan the number was written in
     * @param to the plan of the zone the number is written for
     */
    public static String format(String number, DialPlan from, DialPlan to, NumberFormat format) {
        if (number == null || format == NumberFormat.AS_DIALLED) {
            return number;
        }
        E164Normalizer.Normalized normalized = new E164Normalizer(from).normalize(number);
        if (!normalized.e164()) {
            return number;
        }
        String digits = normalized.digits();
        if (format == NumberFormat.E164) {
            return "+" + digits;
        }
        return digits.startsWith(to.countryCode()) ? to.nationalPrefix() + digits.substring(to.countryCode().length())
                : to.internationalPrefix() + digits;
    }
}
