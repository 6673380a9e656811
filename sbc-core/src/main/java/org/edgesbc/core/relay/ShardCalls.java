package org.edgesbc.core.relay;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.edgesbc.media.LegEndpoint;
import org.edgesbc.media.MediaSide;
import org.edgesbc.media.MediaStream;
import org.edgesbc.policy.fraud.FraudGuard;

/**
 * An operator's view of one shard's calls and the teardowns ordered from outside the signalling (operator, drain):
 * runs on the shard's thread only, where the engine hands each question over. Calls are the INVITE dialogs of the
 * shard's {@link DialogTable}.
 */
final class ShardCalls {
    /** The calls of one shard that match a filter: the first {@code limit} of them, and how many matched in all. */
    record Listing(List<CallSnapshot> calls, int matching) { }

    /** The records' reason for a call whose caller took the 503 its INVITE got first ({@link #endRefused}). */
    static final String REFUSAL_ACKNOWLEDGED = "refusal-acknowledged";

    private final DialogTable table;
    private final DialogLayer dialogs;
    private final CallRecorder records;
    private final Collection<String> zones;

    ShardCalls(DialogTable table, DialogLayer dialogs, CallRecorder records, Collection<String> zones) {
        this.table = table;
        this.dialogs = dialogs;
        this.records = records;
        this.zones = List.copyOf(zones);
    }

    Listing list(CallFilter filter, int limit) {
        Instant now = records.now();
        List<CallSnapshot> calls = new ArrayList<>(Math.min(limit, table.size()));
        int matching = 0;
        for (RelayDialog dialog : table.dialogs()) {
            if (!dialog.call || dialog.state == RelayDialog.State.TERMINATED) {
                continue;
            }
            CallSnapshot call = snapshot(dialog);
            if (filter.matches(call, now)) {
                matching++;
                if (calls.size() < limit) {
                    calls.add(call);
                }
            }
        }
        return new Listing(calls, matching);
    }

    /** The call with a leg whose Call-ID is {@code callId} (either side's), or null. */
    CallSnapshot find(String callId) {
        RelayDialog dialog = dialogOf(callId);
        return dialog == null ? null : snapshot(dialog);
    }

    /**
     * Ends a call: an answered one with BYE on both sides, a ringing one with CANCEL toward the callee;
     * {@code reason} goes to the log and the record.
     */
    CallControl end(String callId, String reason) {
        RelayDialog dialog = dialogOf(callId);
        return dialog == null ? CallControl.NOT_FOUND : end(dialog, reason);
    }

    /**
     * Ends the call whose caller, from {@code zone}, acknowledged the 503 its INVITE got on the I/O thread after a
     * retransmission of that INVITE had been let in (see {@code SipMessageSink#refusalAcknowledged}): CANCEL toward
     * the callee while it rings, BYE to both sides once answered. A call whose caller acknowledged its 2xx is the
     * caller's after all and goes on.
     */
    CallControl endRefused(String zone, String callId) {
        RelayDialog dialog = table.find(zone, callId);
        if (!isLiveCall(dialog) || dialog.legOf(zone, callId) != dialog.a
                || dialog.state == RelayDialog.State.CONFIRMED && dialog.ackWait == null) {
            return CallControl.NOT_FOUND;
        }
        return end(dialog, REFUSAL_ACKNOWLEDGED);
    }

    /** Ends every call of the shard, answered or ringing; returns how many. */
    int endAll(String reason) {
        int ended = 0;
        for (RelayDialog dialog : table.dialogs()) {
            if (dialog.call && end(dialog, reason) != CallControl.NOT_FOUND) {
                ended++;
            }
        }
        return ended;
    }

    /**
     * Datagrams were lost at the SIP sockets up to {@code cutoff}: the calls answered before it are asked whether
     * they still exist (see {@link DialogKeepalive#checkAfterLoss}); returns how many.
     */
    int checkAnsweredBefore(Instant cutoff) {
        List<RelayDialog> answered = new ArrayList<>();
        for (RelayDialog dialog : table.dialogs()) {
            if (dialog.call && dialog.state == RelayDialog.State.CONFIRMED && dialog.answered != null
                    && dialog.answered.isBefore(cutoff)) {
                answered.add(dialog);
            }
        }
        dialogs.checkAfterLoss(answered);
        return answered.size();
    }

    private CallControl end(RelayDialog dialog, String reason) {
        if (dialog.state == RelayDialog.State.CONFIRMED) {
            dialogs.tearDown(dialog, reason);
            return CallControl.ENDED;
        }
        return dialogs.cancelRinging(dialog, reason) ? CallControl.CANCELLED : CallControl.NOT_FOUND;
    }

    private RelayDialog dialogOf(String callId) {
        for (String zone : zones) {
            RelayDialog dialog = table.find(zone, callId);
            if (isLiveCall(dialog)) {
                return dialog;
            }
        }
        return null;
    }

    /** Whether {@code dialog} is a call (an INVITE dialog) that has not ended. */
    private static boolean isLiveCall(RelayDialog dialog) {
        return dialog != null && dialog.call && dialog.state != RelayDialog.State.TERMINATED;
    }

    private static CallSnapshot snapshot(RelayDialog dialog) {
        FraudGuard.Decision fraud = dialog.fraud;
        return new CallSnapshot(dialog.b.callId, dialog.a.callId, dialog.state.name().toLowerCase(Locale.ROOT),
                dialog.started, dialog.answered, dialog.calling, dialog.called,
                fraud == null ? null : fraud.number().digits(), dialog.account,
                new CallSnapshot.Leg(dialog.a.zone, dialog.a.callId, dialog.callerTag, dialog.a.sbcTag),
                new CallSnapshot.Leg(dialog.b.zone, dialog.b.callId, dialog.b.sbcTag, dialog.b.calleeTag),
                streams(dialog),
                fraud == null ? null : new CallSnapshot.Fraud(lower(fraud.rule()), lower(fraud.destination()),
                        fraud.number().digits(), fraud.account()),
                dialog.identity);
    }

    private static List<CallSnapshot.Stream> streams(RelayDialog dialog) {
        if (dialog.media == null) {
            return List.of();
        }
        List<CallSnapshot.Stream> streams = new ArrayList<>();
        for (MediaStream stream : dialog.media.streams()) {
            streams.add(new CallSnapshot.Stream(endpoint(stream.localEndpoint(MediaSide.A)),
                    address(stream.announcedRemote(MediaSide.A)), stream.stats(MediaSide.A),
                    endpoint(stream.localEndpoint(MediaSide.B)), address(stream.announcedRemote(MediaSide.B)),
                    stream.stats(MediaSide.B)));
        }
        return streams;
    }

    private static String endpoint(LegEndpoint endpoint) {
        return endpoint.address() + ":" + endpoint.rtpPort();
    }

    private static String address(InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        String host = address.getHostString();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
