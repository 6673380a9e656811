package org.edgesbc.policy.fraud;

/**
 * Turns what a PBX user dialled into an E.164 number (ITU-T E.164: country code and national number, at most 15
 * digits, no prefix) so that rules see every way of writing a destination the same: {@code +44...},
 * {@code 0044...} and, in the UK, {@code 0...} all become {@code 44...}. Visual separators (space, dash, dot,
 * parentheses) are removed; anything else that is not a digit makes the number invalid.
 */
public final class E164Normalizer {
    /** E.164 §6.1: at most 15 digits. */
    public static final int MAX_DIGITS = 15;

    private final DialPlan plan;

    public E164Normalizer(DialPlan plan) {
        this.plan = plan;
    }

    /** A dialled number made comparable: E.164 digits, or the subscriber number as dialled for local numbers. */
    public record Normalized(String raw, String digits, boolean e164, DestinationClass forcedClass) { }

    public Normalized normalize(String dialled) {
        String raw = dialled == null ? "" : dialled;
        StringBuilder digits = new StringBuilder();
        boolean plus = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c == '+' && i == 0) {
                plus = true;
            } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
                return new Normalized(raw, "", false, DestinationClass.INVALID);
            }
        }
        String number = digits.toString();
        if (number.isEmpty()) {
            return new Normalized(raw, "", false, DestinationClass.INVALID);
        }
        if (!plus && plan.emergencyNumbers().contains(number)) {
            return new Normalized(raw, number, false, DestinationClass.EMERGENCY);
        }
        String e164;
        if (plus) {
            e164 = number;
        } else if (number.startsWith(plan.internationalPrefix())) {
            e164 = number.substring(plan.internationalPrefix().length());
        } else if (!plan.nationalPrefix().isEmpty() && number.startsWith(plan.nationalPrefix())) {
            e164 = plan.countryCode() + number.substring(plan.nationalPrefix().length());
        } else {
            // A subscriber number without area code: local by definition, not in E.164 form.
            return new Normalized(raw, number, false, DestinationClass.LOCAL);
        }
        if (e164.isEmpty() || e164.length() > MAX_DIGITS) {
            return new Normalized(raw, e164, false, DestinationClass.INVALID);
        }
        return new Normalized(raw, e164, true, null);
    }
}
