package org.edgesbc.policy.identity;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.fraud.E164Normalizer;

/**
 * Chooses the SHAKEN attestation of an outbound call from facts about it (ATIS-1000074's levels, RFC 8588 §4):
 * <ol>
 *   <li>an override for the account, if any;</li>
 *   <li>an override for the longest number-range prefix of the calling number, if any;</li>
 *   <li>A when the caller authenticated: a phone of the access zone that authenticated and calls as itself, or
 *       the PBX calling from a number in the operator's own ranges;</li>
 *   <li>B when the SBC knows the customer (a configured account) but cannot vouch for the number;</li>
 *   <li>C otherwise: gateway traffic.</li>
 * </ol>
 * Numbers are E.164 digits without '+', as {@link E164Normalizer} produces them. Immutable.
 */
public final class AttestationRules {
    /**
     * What the relay knows about a call.
     *
     * @param callerAuthenticated the caller passed digest authentication and the From user is the authenticated one
     * @param account the customer account the call is charged to, or null
     * @param origTn the calling number, normalised; null when the From user is not a number
     * @param fromPbx the call came from the PBX zone
     * @param fromAccessZone the call came from a phone in the access zone
     */
    public record Facts(boolean callerAuthenticated, String account, String origTn, boolean fromPbx,
            boolean fromAccessZone) { }

    private final Set<String> operatorTnPrefixes;
    private final Set<String> knownAccounts;
    private final Map<String, Attestation> accountOverrides;
    private final Map<String, Attestation> prefixOverrides;

    /**
     * @param operatorTnPrefixes number ranges the operator holds, as E.164 digit prefixes
     * @param knownAccounts accounts of customers the SBC knows
     * @param accountOverrides attestation by account, taking precedence over everything else
     * @param prefixOverrides attestation by calling-number prefix, the longest matching prefix winning
     * @throws IllegalArgumentException when a prefix is not 1 to 15 digits (E.164 §6.1)
     */
    public AttestationRules(List<String> operatorTnPrefixes, Set<String> knownAccounts,
            Map<String, Attestation> accountOverrides, Map<String, Attestation> prefixOverrides) {
        operatorTnPrefixes.forEach(prefix -> checkPrefix("operator number range", prefix));
        prefixOverrides.keySet().forEach(prefix -> checkPrefix("attestation override prefix", prefix));
        this.operatorTnPrefixes = Set.copyOf(operatorTnPrefixes);
        this.knownAccounts = Set.copyOf(knownAccounts);
        this.accountOverrides = Map.copyOf(accountOverrides);
        this.prefixOverrides = Map.copyOf(prefixOverrides);
    }

    private static void checkPrefix(String what, String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > E164Normalizer.MAX_DIGITS
                || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + " must be 1 to 15 digits without '+', got " + prefix);
        }
    }

    public Attestation decide(Facts facts) {
        if (facts.account() != null) {
            Attestation byAccount = accountOverrides.get(facts.account());
            if (byAccount != null) {
                return byAccount;
            }
        }
        String tn = facts.origTn();
        if (tn != null) {
            for (int length = tn.length(); length > 0; length--) {
                Attestation byRange = prefixOverrides.get(tn.substring(0, length));
                if (byRange != null) {
                    return byRange;
                }
            }
        }
        if ((facts.fromAccessZone() && facts.callerAuthenticated()) || (facts.fromPbx() && inOperatorRange(tn))) {
            return Attestation.A;
        }
        if (facts.account() != null && knownAccounts.contains(facts.account())) {
            return Attestation.B;
        }
        return Attestation.C;
    }

    private boolean inOperatorRange(String tn) {
        if (tn == null) {
            return false;
        }
        for (int length = tn.length(); length > 0; length--) {
            if (operatorTnPrefixes.contains(tn.substring(0, length))) {
                return true;
            }
        }
        return false;
    }
}
