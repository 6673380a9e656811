package org.edgesbc.core.relay;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.security.TollFraudService;

/**
 * What happens around a relayed call besides signalling: when it is answered, spend metering starts and the maximum
 * duration is armed; when it ends, its record is written, its media released and it leaves the toll-fraud caps.
 * A cut ordered from elsewhere (spend cap, media timeout, duration) reaches the dialog through the shard's loop.
 */
final class CallLifecycle {
    private final ShardLoop loop;
    private final TollFraudService fraud;
    private final CallRecorder records;
    private final MediaAnchor media;
    private final long maxCallDurationMillis;
    /** Ends a confirmed dialog from the middle with BYE both ways, naming why. */
    private final BiConsumer<RelayDialog, String> tearDown;

    CallLifecycle(ShardLoop loop, TollFraudService fraud, CallRecorder records, MediaAnchor media,
            Duration maxCallDuration, BiConsumer<RelayDialog, String> tearDown) {
        this.loop = loop;
        this.fraud = fraud;
        this.records = records;
        this.media = media;
        this.maxCallDurationMillis = maxCallDuration.toMillis();
        this.tearDown = tearDown;
    }

    void answered(RelayDialog dialog) {
        dialog.answered = records.now();
        if (dialog.fraud != null) {
            // Run by the toll-fraud thread at the spend cap. A shard that cannot take the cut now makes it throw,
            // and the toll-fraud service tries again at its next tick.
            fraud.callAnswered(dialog.fraud, () -> {
                if (!loop.handOff(HandOff.SPEND_CAP_CUT, () -> tearDown.accept(dialog, "spend-cap"))) {
                    throw new RejectedExecutionException("shard " + loop.index() + " did not take a spend-cap cut");
                }
            });
        }
        long limit = maxCallDurationMillis;
        Duration accountLimit = dialog.fraud == null ? null : fraud.maxCallDuration(dialog.fraud);
        if (accountLimit != null) {
            limit = Math.min(limit, accountLimit.toMillis());
        }
        dialog.durationLimit = loop.schedule("max call duration", () -> tearDown.accept(dialog,
                "max-call-duration"), limit);
    }

    /** Called on the media relay's thread: the call's media stopped; the dialog's own shard ends it. */
    void mediaTimedOut(RelayDialog dialog) {
        loop.handOff(HandOff.MEDIA_TIMEOUT, () -> tearDown.accept(dialog, "media-timeout"));
    }

    void ended(RelayDialog dialog) {
        if (dialog.call) {
            records.ended(dialog);
        }
        ShardLoop.cancel(dialog.durationLimit);
        media.close(dialog);
        if (dialog.fraud != null) {
            fraud.callEnded(dialog.fraud);
        }
    }
}
