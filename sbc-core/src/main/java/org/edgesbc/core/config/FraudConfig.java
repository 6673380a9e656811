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
 * @param anomalies baselines and the graded action taken for each kind of anomaly
 * @param webhook where toll-fraud events are posted as JSON, or null
 * @param webhookTimeout connect and response timeout of one post
 */
public record FraudConfig(DialPlan dialPlan, Map<String, DestinationClass> prefixes, FraudRules defaults,
        Map<String, FraudRules> accounts, Map<String, Long> rates, long defaultRate, Anomalies anomalies,
        java.net.URI webhook, java.time.Duration webhookTimeout) {

    /** What the SBC does about an anomaly, in rising order of severity. */
    public enum Action { ALERT, THROTTLE, BLOCK, HOLD }

    /**
     * @param spikeFactor how many times its hourly average an account's current hour must reach to be a spike
     * @param spikeMinimum calls in the hour below which nothing is a spike
     * @param actions action per anomaly kind (spike, new-country, unusual-hour)
     * @param throttleCallsPerMinute calls per minute a throttled account keeps
     * @param actionDuration how long throttle and block last (hold lasts until released)
     */
    public record Anomalies(double spikeFactor, int spikeMinimum,
            Map<org.edgesbc.policy.fraud.AnomalyDetector.Kind, Action> actions, int throttleCallsPerMinute,
            java.time.Duration actionDuration) {
        public static final Anomalies DEFAULTS = new Anomalies(10, 20, Map.of(
                org.edgesbc.policy.fraud.AnomalyDetector.Kind.SPIKE, Action.THROTTLE,
                org.edgesbc.policy.fraud.AnomalyDetector.Kind.NEW_COUNTRY, Action.ALERT,
                org.edgesbc.policy.fraud.AnomalyDetector.Kind.UNUSUAL_HOUR, Action.ALERT), 2,
                java.time.Duration.ofHours(1));
    }

    /** The same rules without anomaly actions beyond the defaults and without a webhook. */
    public FraudConfig(DialPlan dialPlan, Map<String, DestinationClass> prefixes, FraudRules defaults,
            Map<String, FraudRules> accounts, Map<String, Long> rates, long defaultRate) {
        this(dialPlan, prefixes, defaults, accounts, rates, defaultRate, Anomalies.DEFAULTS, null,
                java.time.Duration.ofSeconds(2));
    }
}
