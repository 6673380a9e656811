package org.edgesbc.policy.limit;

/** The classes of request methods that get separate budgets after parsing: the bounded label set of rate metrics. */
public enum MethodClass {
    REGISTER,
    INVITE,
    OPTIONS,
    OTHER;

    /** The class of a SIP method name (case-sensitive, as RFC 3261 §7.1 says methods are). */
    public static MethodClass of(String method) {
        if (method == null) {
            return OTHER;
        }
        return switch (method) {
            case "REGISTER" -> REGISTER;
            case "INVITE" -> INVITE;
            case "OPTIONS" -> OPTIONS;
            default -> OTHER;
        };
    }
}
