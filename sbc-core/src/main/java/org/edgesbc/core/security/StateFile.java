package org.edgesbc.core.security;

/** The state files the security services keep in the data folder; the bounded label set of their write failures. */
public enum StateFile {
    /** {@code bans.tsv} (security.bans.state-file). */
    BANS,
    /** {@code fraud-state.tsv} and {@code fraud-baselines.tsv}, written together. */
    FRAUD
}
