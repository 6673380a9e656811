package org.edgesbc.core.relay;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.edgesbc.core.cdr.CallRecord;
import org.edgesbc.core.cdr.CallRecordSink;
import org.edgesbc.core.security.Verdict;
import org.edgesbc.media.MediaStats;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.transport.message.SplicedRequest;

/** Assembles the call detail record of every INVITE dialog, and of calls refused before they began. */
final class CallRecorder {
    private final CallRecordSink sink;
    private final Clock clock;
    private final RelayMetrics metrics;

    CallRecorder(CallRecordSink sink, Clock clock, RelayMetrics metrics) {
        this.sink = sink;
        this.clock = clock;
        this.metrics = metrics;
    }

    Instant now() {
        return clock.instant();
    }

    void ended(RelayDialog dialog) {
        FraudGuard.Decision fraud = dialog.fraud;
        String disposition = dialog.answered != null ? "answered"
                : dialog.finalStatus == 487 ? "cancelled" : dialog.finalStatus == 408 ? "timeout" : "failed";
        MediaStats media = dialog.media == null ? null : dialog.media.stats();
        // A hang-up ends the call when its BYE came, however long the far side took to answer it.
        Instant end = dialog.hungUp != null ? dialog.hungUp : clock.instant();
        metrics.callEnded(disposition, dialog.endedBy);
        sink.write(new CallRecord(dialog.b.callId, dialog.a.callId, dialog.b.callId, dialog.started, dialog.answered,
                end, dialog.calling, dialog.called, fraud == null ? null : fraud.number().digits(),
                fraud == null ? null : lower(fraud.destination()), dialog.a.zone, dialog.b.zone, disposition,
                dialog.finalStatus, dialog.endedBy, fraud == null ? null : lower(fraud.rule()),
                dialog.media == null ? 0 : dialog.media.packetsRelayed(),
                dialog.media == null ? 0 : dialog.media.packetsDropped(), media == null ? 0 : media.lost(),
                media == null ? 0 : media.maxJitterMillis(), dialog.identity, dialog.origId));
    }

    /** A call the toll-fraud guard refused still gets its record. */
    void refused(SplicedRequest request, Verdict verdict, String fromZone, String toZone) {
        FraudGuard.Decision fraud = verdict.fraud();
        Instant now = clock.instant();
        String callId = request.callId();
        String rule = lower(fraud.rule());
        String endedBy = "sbc:" + rule;
        metrics.callEnded("blocked", endedBy);
        sink.write(new CallRecord(callId, callId, null, now, null, now,
                TopologyHiding.userOf(request.fromAddress().getURI()),
                TopologyHiding.userOf(request.requestUri()), fraud.number().digits(), lower(fraud.destination()),
                fromZone, toZone, "blocked", verdict.status(), endedBy, rule, 0, 0, 0, 0, null, null));
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
