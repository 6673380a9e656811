package org.edgesbc.core.config;

import java.util.Map;
import org.edgesbc.policy.fraud.DestinationClass;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.FraudRules;

/**
 * Toll-fraud rules for calls from the PBX out through the trunk.
 *
 * @param dialPlan how PBX users dial (country code, prefixes, emergency numbers)
 * @param prefixes operator prefixes (E.164, longest wins) overriding the shipped destination table
 * @param defaults rules of accounts not listed
 * @param accounts rules per calling account (the From user of the PBX's INVITE)
 * @param rates price per minute by E.164 prefix, in micro-units, for spend caps
 * @param defaultRate price per minute of numbers no rate prefix covers, in micro-units
 */
public record FraudConfig(DialPlan dialPlan, Map<String, DestinationClass> prefixes, FraudRules defaults,
        Map<String, FraudRules> accounts, Map<String, Long> rates, long defaultRate) { }
