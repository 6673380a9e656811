package org.edgesbc.core.cdr;

import java.time.Duration;
import java.time.Instant;
import org.edgesbc.core.JsonText;

/**
 * One call detail record: the SBC's own call id, each leg's Call-ID, when the call started, was answered and ended,
 * who called whom (as dialled and normalised), between which zones, how it ended and why, the toll-fraud decision,
 * what the media relay saw (packets, loss and jitter), and the caller's identity as STIR/SHAKEN saw it.
 *
 * @param callId the SBC's id of the call: the callee leg's Call-ID, which the SBC made
 * @param callerCallId the Call-ID as the caller sent it (the original, leg A's): what a trouble ticket from the
 *     caller's side names
 * @param calleeCallId the Call-ID of the leg toward the callee (leg B's), null for a call refused before it had one
 * @param mediaLost RTP packets lost on the way to the SBC, both directions (RFC 3550 A.3)
 * @param mediaJitterMillis the worst interarrival jitter of any stream and direction (RFC 3550 A.8), milliseconds
 * @param identity the attestation the SBC signed with ("A", "B", "C") or the verstat it gave the PBX
 *     ("TN-Validation-Passed", ...), null when neither happened
 * @param origId the PASSporT origid of a signed call (RFC 8588), null otherwise
 */
public record CallRecord(
        String callId,
        String callerCallId,
        String calleeCallId,
        Instant start,
        Instant answer,
        Instant end,
        String calling,
        String called,
        String calledNormalised,
        String destinationClass,
        String fromZone,
        String toZone,
        String disposition,
        int sipStatus,
        String endedBy,
        String fraudDecision,
        long mediaPackets,
        long mediaDropped,
        long mediaLost,
        double mediaJitterMillis,
        String identity,
        String origId) {

    /** Seconds between answer and end; 0 for calls never answered. */
    public long durationSeconds() {
        return answer == null || end == null ? 0 : Duration.between(answer, end).toSeconds();
    }

    public String toJson() {
        StringBuilder out = new StringBuilder(400).append('{');
        JsonText.field(out, "call_id", callId);
        JsonText.field(out.append(','), "caller_call_id", callerCallId);
        JsonText.field(out.append(','), "callee_call_id", calleeCallId);
        JsonText.timestamp(out.append(','), "start", start);
        JsonText.timestamp(out.append(','), "answer", answer);
        JsonText.timestamp(out.append(','), "end", end);
        out.append(",\"duration_seconds\":").append(durationSeconds());
        JsonText.field(out.append(','), "calling", calling);
        JsonText.field(out.append(','), "called", called);
        JsonText.field(out.append(','), "called_normalised", calledNormalised);
        JsonText.field(out.append(','), "destination_class", destinationClass);
        JsonText.field(out.append(','), "from_zone", fromZone);
        JsonText.field(out.append(','), "to_zone", toZone);
        JsonText.field(out.append(','), "disposition", disposition);
        out.append(",\"sip_status\":").append(sipStatus);
        JsonText.field(out.append(','), "ended_by", endedBy);
        JsonText.field(out.append(','), "fraud", fraudDecision);
        out.append(",\"media\":{\"packets_relayed\":").append(mediaPackets).append(",\"packets_dropped\":")
                .append(mediaDropped).append(",\"lost\":").append(mediaLost).append(",\"jitter_ms\":")
                .append(Math.round(mediaJitterMillis * 100) / 100.0).append('}');
        JsonText.field(out.append(','), "identity", identity);
        JsonText.field(out.append(','), "origid", origId);
        return out.append('}').toString();
    }
}
