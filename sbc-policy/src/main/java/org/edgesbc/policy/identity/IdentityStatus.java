package org.edgesbc.policy.identity;

/**
 * The verdict of verifying an INVITE's Identity header, with the SIP response that RFC 8224 §6.2 assigns to each
 * failure. The relay decides whether a failure rejects the call or only marks it (verstat); the
 * status and reason are what it sends when it rejects.
 */
public enum IdentityStatus {
    VALID(200, "OK"),
    /** RFC 8224 §6.2: no Identity header where policy requires one. */
    NO_IDENTITY(428, "Use Identity Header"),
    /** Not a PASSporT: bad base64url, bad JSON, missing claims or header parameters. */
    MALFORMED(438, "Invalid Identity Header"),
    /** RFC 8224 §6.2: an {@code alg} other than ES256 (RFC 8588 §3) is a credential this verifier cannot use. */
    UNSUPPORTED_ALGORITHM(437, "Unsupported Credential"),
    /** No PASSporT of type {@code shaken}, or the header's {@code ppt} differs from the token's. */
    UNSUPPORTED_PPT(438, "Invalid Identity Header"),
    /** The {@code info} parameter is missing or is not the token's {@code x5u} (RFC 8224 §4.1, RFC 8588 §3). */
    INFO_MISMATCH(436, "Bad Identity Info"),
    /** RFC 8224 §6.2: {@code iat} too far from now, in either direction. */
    STALE(403, "Stale Date"),
    /** {@code orig.tn} is not the caller's number from From / P-Asserted-Identity (RFC 8224 §6.2). */
    ORIG_MISMATCH(438, "Invalid Identity Header"),
    /** No {@code dest.tn} is the called number from the Request-URI or To (RFC 8224 §6.2). */
    DEST_MISMATCH(438, "Invalid Identity Header"),
    /** The signature does not verify with the certificate's key over the received header and payload. */
    BAD_SIGNATURE(438, "Invalid Identity Header"),
    /** The {@code x5u} URL is not usable, or no certificate could be had from it (RFC 8224 §6.2: 436). */
    CERTIFICATE_UNAVAILABLE(436, "Bad Identity Info"),
    /** The chain does not lead to a configured STI-CA trust anchor, or the leaf cannot sign ES256. */
    CERTIFICATE_UNTRUSTED(437, "Unsupported Credential"),
    /** A certificate of the chain is outside its validity period at verification time. */
    CERTIFICATE_EXPIRED(437, "Unsupported Credential"),
    /** The leaf certificate has no TNAuthList extension (RFC 8226 §9), which SHAKEN certificates carry. */
    NO_TN_AUTHORIZATION(437, "Unsupported Credential");

    private final int sipStatus;
    private final String reason;

    IdentityStatus(int sipStatus, String reason) {
        this.sipStatus = sipStatus;
        this.reason = reason;
    }

    /** The SIP status code of a response that rejects on this verdict (200 for {@link #VALID}). */
    public int sipStatus() {
        return sipStatus;
    }

    /** The reason phrase of that response (RFC 8224 §6.2). */
    public String reason() {
        return reason;
    }
}
