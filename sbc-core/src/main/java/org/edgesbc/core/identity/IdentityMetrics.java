package org.edgesbc.core.identity;

import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.identity.IdentityStatus;

/** What STIR/SHAKEN counts; implemented over Micrometer in the metrics package, {@link #NONE} where it is off. */
public interface IdentityMetrics {
    IdentityMetrics NONE = new IdentityMetrics() {
        @Override
        public void certificateFetched() { }

        @Override
        public void certificateFetchFailed(FetchFailure failure) { }

        @Override
        public void certificateCacheHit(boolean hit) { }

        @Override
        public void signed(Attestation attestation) { }

        @Override
        public void verified(IdentityStatus status) { }
    };

    /** A chain fetched and parsed (outcome {@code ok}). */
    void certificateFetched();

    /**
     * A fetch that failed, or a request refused before any fetch ({@link FetchFailure#BAD_URL},
     * {@link FetchFailure#HOST_NOT_ALLOWED}, {@link FetchFailure#CACHE_FULL}). Failures answered from the negative
     * cache are not counted again here, only as cache hits.
     */
    void certificateFetchFailed(FetchFailure failure);

    /**
     * A request for a usable URL: answered from a cached entry (positive or negative), or not (a fetch was started,
     * or one in flight was joined).
     */
    void certificateCacheHit(boolean hit);

    /** An outbound INVITE signed with this attestation. */
    void signed(Attestation attestation);

    /** An inbound INVITE's verification verdict. */
    void verified(IdentityStatus status);
}
