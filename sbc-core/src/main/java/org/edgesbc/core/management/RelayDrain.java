package org.edgesbc.core.management;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.config.DrainConfig;
import org.edgesbc.core.registrar.Registrar;
import org.edgesbc.core.relay.RelayEngine;
import org.edgesbc.policy.fraud.DestinationClass;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.E164Normalizer;

/**
 * The daemon's drain: a {@link DrainCoordinator} acting on the relay (new calls refused except emergency numbers as
 * the toll-fraud dial plan names them, calls ended at the timeout) and the registrar (short registrations), checked
 * every {@value #TICK_MILLIS} ms on a thread of its own that exists only while a drain runs.
 */
public final class RelayDrain implements DrainCoordinator.Target, AutoCloseable {
    static final long TICK_MILLIS = 100;

    private final RelayEngine relay;
    private final Registrar registrar;
    private final DrainConfig config;
    private final E164Normalizer numbers;
    private final DrainCoordinator coordinator;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("sbc-drain", true));

    /**
     * @param registrar the registrar of phones, or null when phones do not register here
     * @param dialPlan how emergency numbers are dialled ({@code fraud.emergency-numbers})
     * @param transactionTimeout how long the BYEs sent at the drain timeout may take (64 × T1)
     */
    public RelayDrain(RelayEngine relay, Registrar registrar, DrainConfig config, DialPlan dialPlan,
            Duration transactionTimeout) {
        this.relay = relay;
        this.registrar = registrar;
        this.config = config;
        this.numbers = new E164Normalizer(dialPlan);
        this.coordinator = new DrainCoordinator(this, config.timeout(),
                transactionTimeout.plusMillis(TICK_MILLIS), System::nanoTime,
                tick -> ticks.scheduleWithFixedDelay(tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS));
    }

    public DrainCoordinator coordinator() {
        return coordinator;
    }

    @Override
    public void refuseNewCalls() {
        relay.refuseNewCalls(config.retryAfter(),
                dialled -> numbers.normalize(dialled).forcedClass() == DestinationClass.EMERGENCY);
        if (registrar != null) {
            registrar.limitExpiries(config.registerExpires());
        }
    }

    @Override
    public int activeCalls() {
        return relay.activeDialogs();
    }

    @Override
    public CompletableFuture<Integer> endAllCalls(String reason) {
        return relay.endAllCalls(reason);
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
