package org.edgesbc.policy.fraud;

import java.util.Set;

/**
 * How numbers are dialled where the PBX is: the country calling code, the national and international prefixes, and
 * the emergency numbers (always allowed, never counted against caps).
 *
 * @param countryCode ITU-T E.164 country calling code, e.g. "49"
 * @param nationalPrefix trunk prefix for national numbers, e.g. "0"
 * @param internationalPrefix exit code, e.g. "00" ("+" is always understood)
 * @param emergencyNumbers numbers dialled as they are, e.g. 112 and 110
 */
public record DialPlan(String countryCode, String nationalPrefix, String internationalPrefix,
        Set<String> emergencyNumbers) { }
