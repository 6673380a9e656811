package org.edgesbc.core.relay;

import java.util.List;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * What a relay shard asks about remote phones: whether it answers a phone's REGISTER itself (the SBC is the phones'
 * registrar) and where a PBX request for an account's phones goes. {@link #NONE} where phones do not register at
 * the SBC: their REGISTERs are relayed to the PBX like any request.
 */
interface PhoneRegistrations {
    /** Whether an authenticated REGISTER from {@code user} is answered by the SBC ({@link #register}). */
    boolean answers(String method, String user);

    /** Takes an authenticated phone's REGISTER under a server transaction and answers it. */
    void register(InboundRequest in, String user);

    /**
     * The bindings of the account a request from {@code zone} is for, empty when the account has no device now, or
     * null when the request is for no registering account (it goes to the zone's route).
     */
    List<Binding> phonesFor(String zone, SplicedRequest request);

    PhoneRegistrations NONE = new PhoneRegistrations() {
        @Override
        public boolean answers(String method, String user) {
            return false;
        }

        @Override
        public void register(InboundRequest in, String user) {
            throw new IllegalStateException("no registrar answers REGISTER here");
        }

        @Override
        public List<Binding> phonesFor(String zone, SplicedRequest request) {
            return null;
        }
    };
}
