package org.edgesbc.transport.dns;

/** Counters of the SIP server locator's DNS lookups, by record type and outcome (both enums). */
@FunctionalInterface
public interface DnsMetrics {
    enum RecordType { NAPTR, SRV, A, AAAA }

    /** FOUND: records came back; NOT_FOUND: the name or records do not exist; FAILED: timeout or server error. */
    enum Result { FOUND, NOT_FOUND, FAILED }

    void lookup(RecordType type, Result result);

    DnsMetrics NONE = (type, result) -> { };
}
