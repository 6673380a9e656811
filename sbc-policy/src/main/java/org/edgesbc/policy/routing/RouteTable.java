package org.edgesbc.policy.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.fraud.DestinationClass;
import org.edgesbc.policy.fraud.E164Normalizer;

/**
 * Where a new call goes between the SBC's trunk and PBX zones. Calls toward the carriers choose an ordered list of
 * trunk zones by the longest prefix of the dialled number in E.164 form (optionally only for some source zones or
 * calling accounts); calls to emergency numbers take their own list. Calls from the carriers choose a PBX zone by
 * the called number: a DID range first, then the longest DID prefix, then the default PBX. Immutable; a
 * configuration reload builds a new table.
 */
public final class RouteTable {
    /**
     * One outbound route.
     *
     * @param prefix E.164 digits without "+" the normalised dialled number starts with; empty matches every number
     * @param sourceZones zones whose calls may take the route; empty for every zone
     * @param accounts calling accounts (From user) that may take the route; empty for every account
     * @param trunks trunk zones tried in this order, the next one when a call attempt fails
     */
    public record OutboundRoute(String prefix, Set<String> sourceZones, Set<String> accounts, List<String> trunks) {
        public OutboundRoute {
            sourceZones = Set.copyOf(sourceZones);
            accounts = Set.copyOf(accounts);
            trunks = List.copyOf(trunks);
        }

        boolean serves(String sourceZone, String account) {
            return (sourceZones.isEmpty() || sourceZones.contains(sourceZone))
                    && (accounts.isEmpty() || (account != null && accounts.contains(account)));
        }

        /** Routes for named accounts are more specific than routes for zones, which are more than open ones. */
        int specificity() {
            return (accounts.isEmpty() ? 0 : 2) + (sourceZones.isEmpty() ? 0 : 1);
        }
    }

    /**
     * Called numbers of one PBX zone: from {@code first} to {@code last}, both E.164 digit strings of the same
     * length (a DID block); a prefix is a range whose ends are equal and which matches every longer number.
     */
    public record DidRange(String first, String last, String pbx) {
        boolean isPrefix() {
            return first.equals(last);
        }

        boolean contains(String number) {
            return number.length() == first.length() && number.compareTo(first) >= 0 && number.compareTo(last) <= 0;
        }
    }

    /** What an outbound lookup found: the trunks to try in order, and whether the number is an emergency one. */
    public record Outbound(List<String> trunks, boolean emergency, String normalised) { }

    private final E164Normalizer normalizer;
    private final Map<String, List<OutboundRoute>> outboundByPrefix = new HashMap<>();
    private final List<String> emergencyTrunks;
    private final Map<String, String> didPrefixes = new HashMap<>();
    private final List<DidRange> didBlocks = new ArrayList<>();
    private final String defaultPbx;

    /**
     * @param normalizer turns dialled and called numbers into E.164 digits (and knows the emergency numbers)
     * @param outbound the outbound routes; two routes with the same prefix and filters are the caller's error
     * @param emergencyTrunks trunks for emergency numbers; empty to route them like any other number
     * @param inbound DID ranges and prefixes of the PBX zones
     * @param defaultPbx the PBX zone of called numbers no DID entry names
     */
    public RouteTable(E164Normalizer normalizer, List<OutboundRoute> outbound, List<String> emergencyTrunks,
            List<DidRange> inbound, String defaultPbx) {
        this.normalizer = normalizer;
        for (OutboundRoute route : outbound) {
            outboundByPrefix.computeIfAbsent(route.prefix(), prefix -> new ArrayList<>()).add(route);
        }
        outboundByPrefix.values().forEach(routes -> routes.sort(
                Comparator.comparingInt(OutboundRoute::specificity).reversed()));
        this.emergencyTrunks = List.copyOf(emergencyTrunks);
        for (DidRange range : inbound) {
            if (range.isPrefix()) {
                didPrefixes.put(range.first(), range.pbx());
            } else {
                didBlocks.add(range);
            }
        }
        this.defaultPbx = defaultPbx;
    }

    /**
     * The trunks a call from {@code sourceZone} to {@code dialled} tries, in order: the emergency trunks for an
     * emergency number, else the most specific route of the longest matching prefix that serves the source zone
     * and account. Empty when no route serves the call.
     */
    public Outbound outbound(String sourceZone, String account, String dialled) {
        E164Normalizer.Normalized number = normalizer.normalize(dialled);
        if (number.forcedClass() == DestinationClass.EMERGENCY && !emergencyTrunks.isEmpty()) {
            return new Outbound(emergencyTrunks, true, number.digits());
        }
        String digits = number.digits();
        for (int length = digits.length(); length >= 0; length--) {
            List<OutboundRoute> routes = outboundByPrefix.get(digits.substring(0, length));
            if (routes == null) {
                continue;
            }
            for (OutboundRoute route : routes) {
                if (route.serves(sourceZone, account)) {
                    return new Outbound(route.trunks(), false, digits);
                }
            }
        }
        return new Outbound(List.of(), false, digits);
    }

    /** The PBX zone a call from a carrier to {@code called} goes to: DID block, longest DID prefix, default. */
    public String inbound(String called) {
        String digits = normalizer.normalize(called).digits();
        for (DidRange block : didBlocks) {
            if (block.contains(digits)) {
                return block.pbx();
            }
        }
        for (int length = digits.length(); length > 0; length--) {
            String pbx = didPrefixes.get(digits.substring(0, length));
            if (pbx != null) {
                return pbx;
            }
        }
        return defaultPbx;
    }
}
