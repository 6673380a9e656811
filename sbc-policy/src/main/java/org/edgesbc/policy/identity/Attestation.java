package org.edgesbc.policy.identity;

/**
 * SHAKEN attestation levels, written in the {@code attest} claim as {@code "A"}, {@code "B"} or {@code "C"}
 * (RFC 8588 §4; what each level promises is ATIS-1000074's).
 */
public enum Attestation {
    /** Full: the signer knows the customer and that the customer may use the calling number. */
    A,
    /** Partial: the signer knows the customer but not that the customer may use the calling number. */
    B,
    /** Gateway: the signer only knows where the call entered its network. */
    C
}
