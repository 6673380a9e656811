package org.edgesbc.core;

import java.io.IOException;
import java.util.function.BiFunction;
import org.edgesbc.fixtures.sip.UdpSipPeer;

/**
 * Places a new call's INVITE until it reaches the callee. A daemon on a loaded machine sheds a new call with 503
 * when its relay threads fall behind (the new-call gate), and a caller meets that by trying again: so do the daemon
 * tests, with a fresh Call-ID and branch each time, at most {@value #MAX_ATTEMPTS} times.
 */
final class NewCalls {
    static final int MAX_ATTEMPTS = 5;
    private static final long ATTEMPT_WAIT_MILLIS = 2_000;

    /** What reached the callee, and the caller's Call-ID of the attempt that got there. */
    record Relayed(String callId, String invite) { }

    private NewCalls() { }

    /**
     * Sends {@code invite.apply(callId, branch)} from {@code caller} until {@code callee} receives an INVITE; an
     * attempt answered 503 (or not relayed within two seconds) is followed by another with a new Call-ID
     * ({@code callId}, then {@code 2.callId}, ...) and branch. Returns null when no attempt got through.
     */
    static Relayed invite(UdpSipPeer caller, UdpSipPeer callee, String callId,
            BiFunction<String, String, String> invite) throws IOException {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String attemptCallId = attempt == 1 ? callId : attempt + "." + callId;
            caller.send(invite.apply(attemptCallId, "z9hG4bK-" + Integer.toHexString(attemptCallId.hashCode())));
            String relayed = callee.receiveStartingWith("INVITE ", ATTEMPT_WAIT_MILLIS);
            if (relayed != null) {
                return new Relayed(attemptCallId, relayed);
            }
        }
        return null;
    }
}
