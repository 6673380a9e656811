package org.edgesbc.core.relay;

import java.time.InstantSource;
import java.util.List;
import javax.sip.message.Request;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.core.registrar.RegisterRequest;
import org.edgesbc.core.registrar.RegisterResult;
import org.edgesbc.core.registrar.Registrar;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * The registrar as a transaction user of a relay shard: phones' REGISTERs arrive under a server transaction of
 * the shard that received them and are answered by the {@link Registrar} (on its own thread, which hands the
 * answer back); PBX requests for a registering account go to its phones' bindings.
 */
final class RegistrarUser implements PhoneRegistrations {
    private final ShardContext shard;
    private final TransactionLayer transactions;
    private final LocalResponses responses;
    private final InstantSource clock;
    private final Registrar registrar;

    RegistrarUser(ShardContext shard, TransactionLayer transactions, LocalResponses responses, InstantSource clock,
            Registrar registrar) {
        this.shard = shard;
        this.transactions = transactions;
        this.responses = responses;
        this.clock = clock;
        this.registrar = registrar;
    }

    @Override
    public boolean answers(String method, String user) {
        return user != null && Request.REGISTER.equals(method);
    }

    @Override
    public List<Binding> phonesFor(String zone, SplicedRequest request) {
        if (!zone.equals(shard.settings().pbxZone())) {
            return null;
        }
        String user = TopologyHiding.userOf(request.requestUri());
        return registrar.isAccount(user) ? registrar.lookup(user) : null;
    }

    /**
     * An authenticated phone's REGISTER: the registrar answers it, from the binding table or after registering the
     * AOR at the PBX; meanwhile the phone's server transaction absorbs its retransmissions.
     */
    @Override
    public void register(InboundRequest in, String user) {
        ServerTransaction server = transactions.createServer(in);
        RegisterRequest.Parsed parsed = RegisterRequest.parse(in.view(), user, in.flow(), in.zone());
        if (parsed.request() == null) {
            answer(server, in, RegisterResult.refused(parsed.status(), clock.instant()), parsed.reason());
            return;
        }
        // Should the registrar's answer never come back (a queue full on the way), the phone still gets one and
        // the transaction does not linger: a little after the PBX's own transaction timeout.
        RelaySettings settings = shard.settings();
        server.expiryTimer = shard.loop().schedule("register guard", () -> {
            if (!server.finalSent()) {
                answer(server, in, RegisterResult.refused(408, clock.instant()), null);
            }
        }, settings.transactionTimeoutMillis() + 2 * settings.t1().toMillis());
        boolean taken = registrar.register(parsed.request(), result -> shard.loop().handOff(HandOff.REGISTRAR_ANSWER,
                () -> {
                    if (!server.finalSent()) {
                        answer(server, in, result, null);
                    }
                }));
        if (!taken) {
            shard.metrics().dropped(RelayDropReason.OVERLOAD);
            answer(server, in, RegisterResult.refused(503, clock.instant()), null);
        }
    }

    /** Answers on the phone's own request: its From, To (with our tag), Call-ID, CSeq and its Vias as marked. */
    private void answer(ServerTransaction server, InboundRequest request, RegisterResult result, String reason) {
        int status = result.status();
        transactions.respond(server, responses.create(request, status,
                reason == null ? LocalResponses.reasonOf(status) : reason, RegisterMessages.phoneAnswerHeaders(result)),
                status);
    }
}
