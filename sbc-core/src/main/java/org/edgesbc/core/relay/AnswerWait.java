package org.edgesbc.core.relay;

import java.util.Locale;
import java.util.function.Consumer;
import org.edgesbc.core.HandOff;

/**
 * How an accepted request waits on its shard for another thread's answer (the toll-fraud verdict on a call or on a
 * transfer's target, a STIR/SHAKEN verdict): the requester's server transaction absorbs its retransmissions
 * meanwhile and hears 503 when no answer comes in time; a requester who cancelled hears 487. Owned by one shard.
 */
final class AnswerWait {
    private final ShardLoop loop;
    private final TransactionLayer transactions;
    private final LocalResponses responses;
    private final RelayMetrics metrics;

    AnswerWait(ShardContext shard, TransactionLayer transactions, LocalResponses responses) {
        this.loop = shard.loop();
        this.transactions = transactions;
        this.responses = responses;
        this.metrics = shard.metrics();
    }

    /**
     * The consumer another thread gives its answer to. The answer is brought back to this shard and goes to
     * {@code onShard} while the request still waits; an answer that comes too late, or that the shard cannot take,
     * goes to {@code unused}.
     */
    <T> Consumer<T> await(HandOff what, RelayedRequest relayed, InboundRequest request, long waitMillis,
            Consumer<T> unused, Consumer<T> onShard) {
        ShardTimer guard = loop.schedule(what.name().toLowerCase(Locale.ROOT) + " guard", () -> {
            if (!relayed.server.finalSent()) {
                metrics.dropped(RelayDropReason.OVERLOAD);
                transactions.respond(relayed.server, responses.create(request, 503), 503);
            }
        }, waitMillis);
        return answer -> {
            boolean taken = loop.handOff(what, () -> {
                ShardLoop.cancel(guard);
                if (relayed.server.finalSent()) {
                    unused.accept(answer);
                } else if (relayed.cancelled) {
                    transactions.respond(relayed.server, responses.create(request, 487), 487);
                    unused.accept(answer);
                } else {
                    onShard.accept(answer);
                }
            });
            if (!taken) {
                unused.accept(answer);
            }
        };
    }
}
