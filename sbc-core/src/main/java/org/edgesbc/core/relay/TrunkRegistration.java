package org.edgesbc.core.relay;

import java.time.Clock;
import java.time.Instant;
import java.util.SplittableRandom;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.core.registrar.PbxRegistrationClient;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * The SBC's own registration at a trunk (zones.*.account with register: true), a transaction user on the relay
 * shard whose Call-IDs it uses, so its answers and timers run on that shard's thread. One Call-ID and From tag for
 * the registration's life, CSeq growing (RFC 3261 §10.2.4); the Contact is the SBC with the account's user, so the
 * trunk's calls come to the SBC. Challenges are answered by {@link OwnRegister}. After a 2xx the registration is
 * refreshed at 50-80 % of the expiry granted ({@link RegistrationSchedule}); a 423 is asked again with the trunk's
 * Min-Expires; any other failure or a timeout is retried with an exponential back-off. {@link #stop} removes the
 * registration (Expires: 0) without waiting for the answer.
 *
 * <p>Owned by the shard's thread; {@link #status} is published for other threads (the admin API).
 */
final class TrunkRegistration {
    /** A trunk asking for more than a day (423 Min-Expires) is not followed: that is a failure. */
    private static final long MAX_EXPIRES_SECONDS = 86_400;

    private final ShardContext shard;
    private final TransactionLayer transactions;
    private final PeerDirectory peers;
    private final PeerAccounts accounts;
    private final String zone;
    private final ZoneConfig.PeerAccount account;
    private final Clock clock;
    private final SplittableRandom random;
    private final RateLimitedLog log;
    private final String callId;
    private final String fromTag;
    /** REGISTERs sent so far; only the answer to the latest counts. */
    private long count;
    private long requestedSeconds;
    private int failures;
    private boolean stopped;
    private ShardTimer next;
    private volatile TrunkRegistrationStatus status;

    TrunkRegistration(ShardContext shard, TransactionLayer transactions, PeerDirectory peers, PeerAccounts accounts,
            String zone, Clock clock, SplittableRandom random) {
        this.shard = shard;
        this.transactions = transactions;
        this.peers = peers;
        this.accounts = accounts;
        this.zone = zone;
        this.account = accounts.accounts().get(zone);
        this.clock = clock;
        this.random = random;
        this.log = shard.log();
        this.callId = shard.ids().newCallId();
        this.fromTag = shard.ids().newTag();
        this.requestedSeconds = account.registerExpires().toSeconds();
        publish(TrunkRegistrationStatus.State.REGISTERING, null, null, 0);
    }

    TrunkRegistrationStatus status() {
        return status;
    }

    /** Sends the first REGISTER. On the shard's thread. */
    void start() {
        accounts.metrics().trunkRegistered(zone, false);
        send(requestedSeconds);
    }

    /** Removes the registration at the trunk (REGISTER with Expires: 0); later answers are ignored. */
    void stop() {
        if (stopped) {
            return;
        }
        ShardLoop.cancel(next);
        boolean wasRegistered = status.state() == TrunkRegistrationStatus.State.REGISTERED;
        stopped = true;
        if (wasRegistered) {
            send(0);
        }
        accounts.metrics().trunkRegistered(zone, false);
        publish(TrunkRegistrationStatus.State.UNREGISTERED, null, null, status.lastStatus());
    }

    private void send(long expires) {
        count++;
        long sent = count;
        RelaySettings.ZonePeer trunk = peers.peer(zone);
        SipMessageView register = RegisterMessages.registerAt(shard.topology(), trunk, account.user(), callId,
                fromTag, OwnRegister.wireCSeq(sent), expires);
        new OwnRegister(transactions, zone, accounts,
                response -> answered(sent, expires, RegisterMessages.registerAnswer(response)),
                () -> answered(sent, expires, PbxRegistrationClient.Answer.TIMEOUT))
                .send(SipMessageWriter.edit(register), peers.flowTo(trunk));
    }

    private void answered(long sent, long asked, PbxRegistrationClient.Answer answer) {
        if (asked == 0) {
            accounts.metrics().trunkRegistration(zone, answer.success()
                    ? PeerAccountMetrics.RegistrationResult.UNREGISTERED : result(answer));
            return;
        }
        if (stopped || sent != count) {
            return;
        }
        if (answer.success()) {
            long granted = answer.expires() > 0 ? answer.expires() : asked;
            failures = 0;
            long refresh = RegistrationSchedule.refreshMillis(granted, random);
            next = shard.loop().schedule("trunk registration refresh", () -> send(requestedSeconds), refresh);
            accounts.metrics().trunkRegistration(zone, PeerAccountMetrics.RegistrationResult.REGISTERED);
            accounts.metrics().trunkRegistered(zone, true);
            Instant now = clock.instant();
            publish(TrunkRegistrationStatus.State.REGISTERED, now.plusSeconds(granted), now.plusMillis(refresh),
                    answer.status());
            return;
        }
        if (answer.status() == 423 && answer.minExpires() > asked && answer.minExpires() <= MAX_EXPIRES_SECONDS) {
            // RFC 3261 §10.2.8: ask again with at least the registrar's minimum.
            requestedSeconds = answer.minExpires();
            send(requestedSeconds);
            return;
        }
        failures++;
        accounts.metrics().trunkRegistration(zone, result(answer));
        accounts.metrics().trunkRegistered(zone, false);
        long retry = RegistrationSchedule.retryMillis(failures, random);
        log.warn("trunk-registration-" + zone, "zone {}: registration failed ({}), {} in a row; next try in {} s",
                zone, answer.status() == 0 ? "no answer" : Integer.toString(answer.status()), failures, retry / 1000);
        next = shard.loop().schedule("trunk registration retry", () -> send(requestedSeconds), retry);
        publish(TrunkRegistrationStatus.State.BACKING_OFF, null, clock.instant().plusMillis(retry), answer.status());
    }

    private static PeerAccountMetrics.RegistrationResult result(PbxRegistrationClient.Answer answer) {
        if (answer.status() == 0) {
            return PeerAccountMetrics.RegistrationResult.TIMEOUT;
        }
        boolean challenged = answer.status() == 401 || answer.status() == 407;
        return challenged ? PeerAccountMetrics.RegistrationResult.CHALLENGE_REFUSED
                : PeerAccountMetrics.RegistrationResult.FAILED;
    }

    private void publish(TrunkRegistrationStatus.State state, Instant until, Instant nextAttempt, int lastStatus) {
        status = new TrunkRegistrationStatus(zone, account.user(), state, until, nextAttempt, failures, lastStatus);
    }
}
