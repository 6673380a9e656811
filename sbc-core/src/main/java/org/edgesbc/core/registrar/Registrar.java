package org.edgesbc.core.registrar;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.registrar.RegistrarMetrics.DropReason;
import org.edgesbc.core.registrar.RegistrarMetrics.PbxRequest;
import org.edgesbc.core.registrar.RegistrarMetrics.PhoneOutcome;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.cluster.SingleNodeState;
import org.edgesbc.transport.SipFlow;

/**
 * The SBC's registrar for remote phones, and their registration cache toward the PBX.
 *
 * <p>Phones get short registrations ({@code udp-expires}: each refresh keeps the phone's NAT binding open;
 * {@code stream-expires} over TCP/TLS, whose connection holds it), cut by a random share of up to
 * {@code expires-jitter} percent so that phones re-registering together after an outage spread out. The SBC itself
 * holds one long registration ({@code pbx-expires}) per address-of-record at the PBX, with the SBC as contact: it
 * is sent when an AOR gets its first binding, refreshed by the SBC when it nears expiry, and removed when the AOR's
 * last binding goes (expiry, de-registration, a closed connection). Every other REGISTER is answered here; the PBX
 * sees one registration per AOR and never a phone's address.
 *
 * <p>All state is owned by one thread, {@code executor} (a relay thread, so that the answers to the SBC's own
 * REGISTERs come back on it); {@link #register} and the admin calls hand work to it. {@link #lookup} is safe on
 * any thread.
 */
public final class Registrar implements AutoCloseable {
    private static final RateLimitedLog LOG = new RateLimitedLog(Registrar.class.getName());
    /** Phone REGISTERs waiting on one AOR's registration at the PBX; more get 503. */
    static final int MAX_WAITING_PER_AOR = 16;
    private static final long SWEEP_MILLIS = 1_000;

    private enum State { IDLE, REGISTERING, REGISTERED }

    /** The SBC's registration of one AOR at the PBX. */
    private static final class PbxRegistration {
        final String aor;
        final String callId;
        final String fromTag;
        long cseq;
        State state = State.IDLE;
        long requested;
        ScheduledFuture<?> refresh;
        final List<Waiting> waiting = new ArrayList<>();

        PbxRegistration(String aor, String callId, String fromTag) {
            this.aor = aor;
            this.callId = callId;
            this.fromTag = fromTag;
        }
    }

    private record Waiting(RegisterRequest request, List<RequestedContact> grants, Consumer<RegisterResult> reply) { }

    /** Read on the registrar's thread; replaced at reload (the table's bounds stay those of the start). */
    private volatile RegistrationConfig config;
    /** Read on any thread; replaced whole at reload. */
    private volatile Set<String> accounts;
    private final EventExecutor executor;
    private final GuardedHandOff handOffs;
    private final PbxRegistrationClient pbx;
    private final RegistrarMetrics metrics;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final BindingTable table;
    private final Map<String, PbxRegistration> registrations = new HashMap<>();
    /** Connections bindings were made over, each watched once for its close. */
    private final Set<SipFlow> watched = Collections.newSetFromMap(new IdentityHashMap<>());
    private ScheduledFuture<?> sweep;
    /** Where the other nodes of a cluster learn which accounts this node holds phones of; set before start. */
    private SharedState cluster = SingleNodeState.INSTANCE;
    /**
     * Longest registration granted from now on, whatever the transport: lowered once when the SBC drains, so that
     * phones soon register with another node. Written by the drain, read on the registrar's thread.
     */
    private volatile long expiryLimitSeconds = Long.MAX_VALUE;

    /**
     * @param accounts the users that may register (the access-zone accounts); requests toward one of them are
     *     routed to its bindings, never to the trunk
     */
    public Registrar(RegistrationConfig config, Set<String> accounts, EventExecutor executor, GuardedHandOff handOffs,
            PbxRegistrationClient pbx, RegistrarMetrics metrics, InstantSource clock, RandomGenerator random) {
        this.config = config;
        this.accounts = Set.copyOf(accounts);
        this.executor = executor;
        this.handOffs = handOffs;
        this.pbx = pbx;
        this.metrics = metrics;
        this.clock = clock;
        this.random = random;
        this.table = new BindingTable(config.maxBindings(), config.maxContactsPerAor());
    }

    /**
     * Records in the cluster's shared state, from now on, until when this node holds registered phones of each
     * account, so that a PBX call reaching another node is relayed here. Called once, before {@link #start}.
     */
    public void shareHoldings(SharedState shared) {
        this.cluster = shared;
    }

    /** Starts the expiry sweep. */
    public void start() {
        sweep = executor.scheduleAtFixedRate(handOffs.guard(HandOff.SERVICE_TIMER, this::expire), SWEEP_MILLIS,
                SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------------------------- any thread

    /** Grants phones at most {@code limit} from now on (never less than {@code min-expires}): the SBC drains. */
    public void limitExpiries(Duration limit) {
        expiryLimitSeconds = limit.toSeconds();
    }

    /**
     * New expiries, keep-alive interval and accounts from now on (a configuration reload). Bindings in place keep
     * the expiry they were granted; a removed account's bindings run out at their expiry, since its refreshes no
     * longer authenticate. {@code maxBindings} and {@code maxContactsPerAor} stay as they were at start. Any thread.
     */
    public void reconfigure(RegistrationConfig next, Set<String> nextAccounts) {
        accounts = Set.copyOf(nextAccounts);
        config = next;
    }

    /** Whether {@code user} is an account that registers here (its requests go to its bindings). */
    public boolean isAccount(String user) {
        return user != null && accounts.contains(user);
    }

    /** The bindings of an AOR now, for routing a request to the phone. */
    public List<Binding> lookup(String aor) {
        return table.lookup(aor);
    }

    /**
     * Answers an authenticated phone's REGISTER through {@code reply}, which runs on the registrar's thread.
     *
     * @return false when the registrar's thread could not take the request (the caller answers 503)
     */
    public boolean register(RegisterRequest request, Consumer<RegisterResult> reply) {
        return handOffs.execute(HandOff.REGISTRAR, executor, () -> onRegister(request, reply));
    }

    public int bindings() {
        return table.size();
    }

    public int addressesOfRecord() {
        return table.aors();
    }

    /** Every binding now, for the admin API. */
    public List<Binding> list() {
        return table.all();
    }

    /** Removes one binding of an AOR by key (all of them when {@code key} is null); completes with the count. */
    public Future<Integer> remove(String aor, String key) {
        return executor.submit(() -> {
            List<Binding> removed = table.remove(aor, key);
            dropped(removed, DropReason.ADMIN);
            return removed.size();
        });
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel(false);
        }
    }

    // ------------------------------------------------------------------------------ the registrar's thread

    private void onRegister(RegisterRequest request, Consumer<RegisterResult> reply) {
        Instant now = clock.instant();
        if (request.query()) {
            metrics.phoneRegister(PhoneOutcome.ABSORBED);
            reply.accept(answer(request, table.lookup(request.aor()), now));
            return;
        }
        long minExpires = config.minExpires().toSeconds();
        List<RequestedContact> grants = new ArrayList<>(request.contacts().size());
        boolean adds = false;
        for (RequestedContact contact : request.contacts()) {
            if (contact.expires() > 0 && contact.expires() < minExpires) {
                // RFC 3261 §10.3 step 7: too brief a registration is refused with our minimum.
                metrics.phoneRegister(PhoneOutcome.REFUSED);
                reply.accept(new RegisterResult(423, List.of(), now, minExpires, 0));
                return;
            }
            long granted = contact.expires() == 0 ? 0 : grant(contact.expires(), request.flow());
            adds |= granted > 0;
            grants.add(new RequestedContact(contact.uri(), contact.key(), granted));
        }
        PbxRegistration registration = registrations.get(request.aor());
        if (!adds || (registration != null && registration.state == State.REGISTERED)) {
            reply.accept(apply(request, grants, PhoneOutcome.ABSORBED, now));
            return;
        }
        if (registration == null) {
            registration = new PbxRegistration(request.aor(), pbx.newCallId(), pbx.newTag());
            registrations.put(request.aor(), registration);
        }
        if (registration.waiting.size() >= MAX_WAITING_PER_AOR) {
            metrics.phoneRegister(PhoneOutcome.REFUSED);
            reply.accept(RegisterResult.refused(503, now));
            return;
        }
        registration.waiting.add(new Waiting(request, grants, reply));
        if (registration.state == State.IDLE) {
            send(registration, config.pbxExpires().toSeconds(), PbxRequest.REGISTER);
        }
    }

    /**
     * The expiry a phone gets: what it asked for, at most the cap of its transport less a random share of up to
     * {@code expires-jitter} percent, never below {@code min-expires}. While the SBC drains, the cap is the drain's.
     */
    private long grant(long requested, SipFlow flow) {
        long cap = Math.min(expiryLimitSeconds,
                (flow.transport().reliable() ? config.streamExpires() : config.udpExpires()).toSeconds());
        long band = cap * config.expiresJitterPercent() / 100;
        long jittered = band == 0 ? cap : cap - random.nextLong(band + 1);
        return Math.max(config.minExpires().toSeconds(), Math.min(requested, jittered));
    }

    /** Applies a REGISTER to the binding table and says how to answer it. */
    private RegisterResult apply(RegisterRequest request, List<RequestedContact> grants, PhoneOutcome outcome,
            Instant now) {
        BindingTable.Change change = table.apply(request.aor(), request.callId(), request.cseq(), request.wildcard(),
                grants, request.flow(), request.zone(), now);
        int status = switch (change.status()) {
            case OK -> 200;
            case OUT_OF_ORDER -> 500;
            case TOO_MANY_CONTACTS -> 403;
            case TABLE_FULL -> 503;
        };
        if (status != 200) {
            metrics.phoneRegister(PhoneOutcome.REFUSED);
            return RegisterResult.refused(status, now);
        }
        metrics.phoneRegister(outcome);
        if (change.removed() > 0) {
            metrics.bindingsDropped(DropReason.DEREGISTERED, change.removed());
        }
        SipFlow flow = request.flow();
        if (change.added() + change.refreshed() > 0 && flow.transport().reliable() && watched.add(flow)) {
            // A refused hand-off leaves the flow's bindings to their expiry (counted by the hand-off).
            flow.whenClosed(() -> handOffs.execute(HandOff.REGISTRAR, executor, () -> flowClosed(flow)));
        }
        if (change.bindings().isEmpty()) {
            deregister(request.aor());
        }
        shareHolding(request.aor(), change.bindings());
        return answer(request, change.bindings(), now);
    }

    private RegisterResult answer(RegisterRequest request, List<Binding> bindings, Instant now) {
        long flowTimer = request.outbound() && request.flow().transport().reliable()
                ? config.keepaliveInterval().toSeconds() : 0;
        return new RegisterResult(200, bindings, now, 0, flowTimer);
    }

    private void send(PbxRegistration registration, long expires, PbxRequest kind) {
        registration.cseq++;
        registration.requested = expires;
        if (kind != PbxRequest.DEREGISTER && registration.state == State.IDLE) {
            registration.state = State.REGISTERING;
        }
        metrics.pbxRequest(kind);
        long cseq = registration.cseq;
        pbx.register(registration.aor, registration.callId, registration.fromTag, cseq, expires,
                answer -> onPbxAnswer(registration, cseq, kind, answer));
    }

    private void onPbxAnswer(PbxRegistration registration, long cseq, PbxRequest kind,
            PbxRegistrationClient.Answer answer) {
        if (kind == PbxRequest.DEREGISTER || registrations.get(registration.aor) != registration
                || cseq != registration.cseq) {
            if (!answer.success()) {
                metrics.pbxFailure();
            }
            return;
        }
        Instant now = clock.instant();
        if (answer.status() == 423 && answer.minExpires() > registration.requested) {
            // RFC 3261 §10.2.8: the PBX wants longer registrations; ask again with its minimum.
            send(registration, answer.minExpires(), kind);
            return;
        }
        if (answer.success()) {
            registration.state = State.REGISTERED;
            long granted = answer.expires() > 0 ? answer.expires() : registration.requested;
            scheduleRefresh(registration, granted);
            // The waiting list stays filled while they are applied, so that one of them leaving the AOR empty
            // does not de-register it under the others.
            for (Waiting w : List.copyOf(registration.waiting)) {
                w.reply().accept(apply(w.request(), w.grants(), PhoneOutcome.RELAYED, now));
            }
            registration.waiting.clear();
            if (table.lookup(registration.aor).isEmpty()) {
                // Every waiting REGISTER was refused here (too many contacts, table full, out of order): the
                // PBX must not keep a registration no phone is behind, nor this registrar think the AOR is
                // registered there, which would absorb its next REGISTER while the PBX's registration lapses.
                deregister(registration.aor);
            }
            return;
        }
        metrics.pbxFailure();
        int status = phoneStatus(answer.status());
        LOG.warn("pbx-refused", "the PBX answered {} to the registration of {}; its phones get {}",
                answer.status() == 0 ? "nothing" : answer.status(), registration.aor, status);
        registration.state = State.IDLE;
        cancel(registration.refresh);
        for (Waiting w : registration.waiting) {
            metrics.phoneRegister(PhoneOutcome.REFUSED);
            w.reply().accept(RegisterResult.refused(status, now));
        }
        registration.waiting.clear();
        if (answer.status() >= 400 && answer.status() != 408 && answer.status() < 500) {
            // The PBX refuses the AOR: the phones it still has here cannot be reached from the PBX either.
            dropped(table.remove(registration.aor, null), DropReason.PBX_REFUSED);
        }
        if (table.lookup(registration.aor).isEmpty()) {
            registrations.remove(registration.aor);
        }
    }

    /**
     * What a phone hears when the PBX did not accept the AOR: the PBX's own refusal, except that a challenge
     * (the PBX wants the SBC to authenticate, which it cannot) becomes 403, no answer becomes 408, and a 423 the
     * SBC could not satisfy becomes 500 (the phone's interval was fine; the PBX's quarrel is with the SBC).
     */
    private static int phoneStatus(int pbxStatus) {
        if (pbxStatus == 0) {
            return 408;
        }
        if (pbxStatus == 423) {
            return 500;
        }
        if (pbxStatus == 401 || pbxStatus == 407) {
            return 403;
        }
        return pbxStatus >= 400 && pbxStatus < 700 ? pbxStatus : 500;
    }

    /** Refreshes the PBX's registration after 75 to 90 percent of what it granted, spread so AORs do not align. */
    private void scheduleRefresh(PbxRegistration registration, long grantedSeconds) {
        cancel(registration.refresh);
        long millis = grantedSeconds * 1000;
        long delay = Math.max(1000, millis * 3 / 4 + random.nextLong(millis * 15 / 100 + 1));
        registration.refresh = executor.schedule(handOffs.guard(HandOff.SERVICE_TIMER, () -> {
            if (registrations.get(registration.aor) == registration && registration.state == State.REGISTERED
                    && !table.lookup(registration.aor).isEmpty()) {
                send(registration, config.pbxExpires().toSeconds(), PbxRequest.REFRESH);
            }
        }), delay, TimeUnit.MILLISECONDS);
    }

    /** The AOR has no binding left: its registration at the PBX is removed too. */
    private void deregister(String aor) {
        PbxRegistration registration = registrations.get(aor);
        if (registration == null || !registration.waiting.isEmpty()) {
            return;
        }
        cancel(registration.refresh);
        registrations.remove(aor);
        if (registration.state != State.IDLE) {
            send(registration, 0, PbxRequest.DEREGISTER);
        }
    }

    private void expire() {
        try {
            dropped(table.expire(clock.instant()), DropReason.EXPIRED);
        } catch (RuntimeException e) {
            LOG.error("expiry-failed", "registration expiry failed", e);
        }
    }

    private void flowClosed(SipFlow flow) {
        watched.remove(flow);
        dropped(table.removeFlow(flow), DropReason.FLOW_CLOSED);
    }

    /** Counts bindings that left the table and de-registers the AORs they emptied. */
    private void dropped(List<Binding> bindings, DropReason reason) {
        if (bindings.isEmpty()) {
            return;
        }
        metrics.bindingsDropped(reason, bindings.size());
        Set<String> aors = new LinkedHashSet<>();
        bindings.forEach(b -> aors.add(b.aor()));
        for (String aor : aors) {
            List<Binding> left = table.lookup(aor);
            if (left.isEmpty()) {
                deregister(aor);
            }
            shareHolding(aor, left);
        }
    }

    /** Tells the other nodes until when this node holds phones of {@code aor} (none: no bindings left). */
    private void shareHolding(String aor, List<Binding> bindings) {
        if (!cluster.sharesState()) {
            return;
        }
        Instant latest = null;
        for (Binding binding : bindings) {
            latest = latest == null || binding.expires().isAfter(latest) ? binding.expires() : latest;
        }
        cluster.bindingsHeld(aor, latest);
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
