package org.edgesbc.core.registrar;

/** What the registrar counts; implemented over Micrometer in the metrics package. */
public interface RegistrarMetrics {
    /** How a phone's REGISTER was answered. */
    enum PhoneOutcome {
        /** Answered by the SBC alone: a refresh, a change the PBX need not see, a removal, a query. */
        ABSORBED,
        /** Answered after the SBC registered the AOR with the PBX. */
        RELAYED,
        /** Refused (400, 403, 423, 500, 503, or the PBX's refusal). */
        REFUSED
    }

    /** Why the SBC sent a REGISTER to the PBX. */
    enum PbxRequest { REGISTER, REFRESH, DEREGISTER }

    /** Why bindings left the table. */
    enum DropReason { EXPIRED, DEREGISTERED, FLOW_CLOSED, PBX_REFUSED, ADMIN }

    void phoneRegister(PhoneOutcome outcome);

    void pbxRequest(PbxRequest request);

    /** A REGISTER the PBX refused or did not answer. */
    void pbxFailure();

    void bindingsDropped(DropReason reason, int count);
}
