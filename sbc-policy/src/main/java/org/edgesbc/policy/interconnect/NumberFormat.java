package org.edgesbc.policy.interconnect;

/** How a zone wants the calling or called number written. */
public enum NumberFormat {
    /** {@code +} and the E.164 digits: {@code +442079460000}. */
    E164,
    /** National numbers with the zone's national prefix ({@code 02079460000}), others with its international one. */
    NATIONAL,
    /** Unchanged. */
    AS_DIALLED
}
