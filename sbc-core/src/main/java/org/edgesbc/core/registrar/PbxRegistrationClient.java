package org.edgesbc.core.registrar;

import java.util.function.Consumer;

/**
 * Sends the SBC's own REGISTERs to the PBX, one registration per address-of-record with the SBC as its contact.
 * Implemented by the relay thread the registrar runs on, so that the answers (and the timeouts) come back on the
 * registrar's own thread.
 */
public interface PbxRegistrationClient {
    /** The PBX's answer to one REGISTER. */
    record Answer(int status, long expires, long minExpires) {
        /** No final response within the transaction timeout. */
        public static final Answer TIMEOUT = new Answer(0, 0, 0);

        public boolean success() {
            return status >= 200 && status < 300;
        }
    }

    /** A Call-ID for a new registration; responses carrying it reach the registrar's thread. */
    String newCallId();

    String newTag();

    /**
     * Sends {@code REGISTER} for {@code aor} asking for {@code expires} seconds (0 removes the registration) and
     * calls {@code answer} with the final response, or {@link Answer#TIMEOUT}.
     */
    void register(String aor, String callId, String fromTag, long cseq, long expires, Consumer<Answer> answer);
}
