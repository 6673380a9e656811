package org.edgesbc.core.security;

import java.net.InetAddress;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * The edge policy a relay thread asks about a parsed out-of-dialog request, before anything is relayed: request
 * budgets, scanner fingerprints, digest authentication, the caller identity of authenticated phones and the budget
 * of new INVITEs. Called concurrently from every relay shard; never blocks and never touches the disk (bans and
 * events it causes are handed to their owners).
 */
public interface RequestPolicy {
    /**
     * @param zone the source's zone
     * @param newInvite whether this is a dialog-creating INVITE (subject to the overload budget)
     * @param needsAuthentication false for requests the SBC answers itself (OPTIONS pings to the SBC)
     */
    Verdict check(String zone, InetAddress source, SplicedRequest request, boolean newInvite,
            boolean needsAuthentication);
}
