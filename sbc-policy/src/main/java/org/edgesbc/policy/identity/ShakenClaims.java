package org.edgesbc.policy.identity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The claims of a SHAKEN PASSporT (RFC 8225 §5, RFC 8588 §4): attestation, called numbers, issue time in seconds
 * since the epoch, calling number and origination identifier. Telephone numbers are in the canonical form of
 * RFC 8224 §8.3 (digits, no leading '+') when this side signs; received claims carry what the token said.
 *
 * @param attest attestation level ({@code attest})
 * @param destTns called numbers ({@code dest.tn}), at least one
 * @param iat issue time in seconds since 1970-01-01T00:00:00Z ({@code iat}, RFC 7519 NumericDate)
 * @param origTn calling number ({@code orig.tn})
 * @param origId origination identifier ({@code origid}), a UUID per call
 */
public record ShakenClaims(Attestation attest, List<String> destTns, long iat, String origTn, String origId) {
    public ShakenClaims {
        Objects.requireNonNull(attest, "attest");
        Objects.requireNonNull(origTn, "origTn");
        Objects.requireNonNull(origId, "origId");
        destTns = List.copyOf(destTns);
        if (destTns.isEmpty()) {
            throw new IllegalArgumentException("a PASSporT names at least one dest.tn");
        }
    }

    /** The payload as a JSON object, for {@link CanonicalJson#write}. */
    Map<String, Object> toJson() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("attest", attest.name());
        payload.put("dest", Map.of("tn", destTns));
        payload.put("iat", iat);
        payload.put("orig", Map.of("tn", origTn));
        payload.put("origid", origId);
        return payload;
    }

    /**
     * The claims of a received payload, or null when one is missing or of the wrong type. {@code dest} with
     * {@code uri} entries only (RFC 8225 §5.2.1) is not a SHAKEN destination (RFC 8588 §4 uses {@code tn}).
     */
    static ShakenClaims fromJson(Map<String, Object> payload) {
        Attestation attest = attestation(payload.get("attest"));
        List<String> destTns = payload.get("dest") instanceof Map<?, ?> dest ? strings(dest.get("tn")) : null;
        String origTn = payload.get("orig") instanceof Map<?, ?> orig && orig.get("tn") instanceof String tn
                ? tn : null;
        if (attest == null || destTns == null || destTns.isEmpty() || origTn == null
                || !(payload.get("iat") instanceof Long iat) || !(payload.get("origid") instanceof String origId)) {
            return null;
        }
        return new ShakenClaims(attest, destTns, iat, origTn, origId);
    }

    private static Attestation attestation(Object value) {
        for (Attestation level : Attestation.values()) {
            if (level.name().equals(value)) {
                return level;
            }
        }
        return null;
    }

    private static List<String> strings(Object value) {
        if (!(value instanceof List<?> items)) {
            return null;
        }
        for (Object item : items) {
            if (!(item instanceof String)) {
                return null;
            }
        }
        @SuppressWarnings("unchecked")
        List<String> tns = (List<String>) items;
        return tns;
    }
}
