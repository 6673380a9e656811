package org.edgesbc.policy.ban;

import java.net.InetAddress;
import java.time.Instant;

/**
 * One banned source: why, what tripped it ({@code detail}, e.g. "10 failures in 600 s, threshold 10"), when it
 * started and ends, and how many times this source has offended within the memory window (for escalation).
 */
public record Ban(InetAddress source, BanReason reason, String detail, Instant created, Instant expires,
        int offences) { }
