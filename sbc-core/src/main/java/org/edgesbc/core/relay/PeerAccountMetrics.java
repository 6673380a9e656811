package org.edgesbc.core.relay;

import org.edgesbc.policy.auth.DigestClient;

/**
 * Counters of the SBC's accounts at its peers. Zones are configured names (bounded); every other tag comes from
 * an enum.
 */
public interface PeerAccountMetrics {
    /** How a REGISTER the SBC sent to a trunk for itself ended. */
    enum RegistrationResult { REGISTERED, UNREGISTERED, CHALLENGE_REFUSED, FAILED, TIMEOUT }

    /** A peer's 401/407 to a request the SBC sent toward {@code zone}, and what became of it. */
    void outboundAuth(String zone, DigestClient.Status result);

    void trunkRegistration(String zone, RegistrationResult result);

    /** Whether the SBC holds a registration at the trunk of {@code zone} now. */
    void trunkRegistered(String zone, boolean registered);

    PeerAccountMetrics NONE = new PeerAccountMetrics() {
        @Override
        public void outboundAuth(String zone, DigestClient.Status result) {
        }

        @Override
        public void trunkRegistration(String zone, RegistrationResult result) {
        }

        @Override
        public void trunkRegistered(String zone, boolean registered) {
        }
    };
}
