package org.edgesbc.core;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.edgesbc.core.config.MediaSettings;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.metrics.SbcMetrics;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.MediaSession;
import org.edgesbc.media.MediaSide;
import org.edgesbc.media.MediaStream;
import org.edgesbc.media.MediaTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays made-up RTP through a private media relay on loopback before {@code sbc run} opens the listeners, as
 * {@link CallWarmUp} does for signalling. The optimizing compiler compiles a method for the branches its profile has
 * seen taken and leaves a trap in the others; a branch first taken under load throws the method back to slower code
 * until it is compiled again. Without this warm-up the media thread's ring loop was compiled while a benchmark's calls
 * were being set up, and then trapped when its load first reached 100,000 packets/s: its completion queue, never
 * found non-empty on entry before, now was; it ran profiled code for 2.2 s while its sockets queued, and so did the
 * RTP statistics on the first sequence number that went back (docs/performance.md).
 *
 * <p>So the private relay goes through what a loaded relay meets, in ticks of a millisecond until the budget is
 * spent. Every tick a call is set up and the oldest of {@value #CALLS} hung up, one call is announced again (as a
 * re-INVITE does), and each call up sends a packet each way: small batches, tasks between them, a loop that sleeps
 * between ticks. In every other {@value #BUSY_TICKS} ticks, packets also run through a chain of {@value #CHAIN_STREAMS}
 * streams per media thread: each stream's far side is announced at the next stream's near port, so a packet is
 * relayed that many times, by the relay to itself, before it comes out at the other end. That keeps a loop busy with
 * datagrams arriving while it works, for more rounds of its ring than it takes in one go (128), which a sender on the
 * relay's own core (an SBC pinned to one) could not cause. Sequence numbers wrap and now and then arrive out of
 * order, and RTCP goes along.
 *
 * <p>The private relay has the operator's media settings but no quarantine (calls come and go faster than a range
 * would allow otherwise), and a {@link SbcMetrics} of its own, so that its counters are the classes the real relay counts
 * with, and gone with it. Closing it closes every socket it bound before it returns, so its ports are free when the
 * real relay binds them. Bounded by {@link #BUDGET_NANOS} and {@link #SETTLE_NANOS}.
 */
final class MediaWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(MediaWarmUp.class);
    /** How long the packets may take; the listeners open later by at most this and {@link #SETTLE_NANOS}. */
    static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    /** How long the warm-up then waits for the JIT to compile what the packets made hot. */
    static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Calls up at once, per media thread. */
    static final int CALLS = 16;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * First, one call at a time for this many ticks: the loop's methods get hot one turn at a time, before the
     * per-packet ones fill the optimizing compiler's queue. A method that gets hot while that queue is long is
     * compiled without a profile of its branches, and keeps that code for thousands more calls (HotSpot's tiered
     * policy), so the turns below would not be recorded in it.
     */
    static final int TRICKLE_TICKS = 300;
    /** The chains carry packets for this many ticks, then rest as long. */
    static final int BUSY_TICKS = 20;
    /** Streams per chain, one chain per media thread: each packet sent into a chain is relayed this many times. */
    static final int CHAIN_STREAMS = 80;
    /** Packets in a chain at once while it carries any, from each of its ends. */
    static final int IN_FLIGHT = 1;
    /** Every this many packets from an end, an RTCP packet goes along. */
    private static final int RTCP_EVERY = 50;
    /** Every this many packets from an end, two go in the wrong order. */
    private static final int REORDER_EVERY = 20;
    /** Each end's first sequence number: it wraps after a hundred packets. */
    private static final int FIRST_SEQUENCE = 65_436;
    /** G.711 at 20 ms: 160 bytes of payload after the RTP header, as most calls carry. */
    private static final int RTP_BYTES = 172;
    /** Time for the last packets sent to come back before the peers stop reading. */
    private static final long TAIL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int PEER_RECEIVE_BUFFER = 1 << 20;

    /**
     * @param calls calls (single-stream sessions) the private relay set up
     * @param sent packets the made-up peers sent
     * @param returned packets that came out at the far end
     * @param relayed packets the private relay relayed (each stream of a chain counts)
     * @param elapsedNanos how long the warm-up took
     * @param settlingNanos of that, how long it waited for the JIT
     */
    record Result(int calls, long sent, long returned, long relayed, long elapsedNanos, long settlingNanos) { }

    private MediaWarmUp() { }

    /** Relays {@code media.warm-up-packets} packets, logs what it did and never fails the start. */
    static void run(SbcConfig operator) {
        MediaSettings media = operator.media();
        if (!media.enabled() || media.warmUpPackets() == 0) {
            return;
        }
        LOG.info("warming up the media path: a private relay on loopback relays {} packets before the listeners open",
                media.warmUpPackets());
        try {
            Result result = run(media.relayConfig(), media.warmUpPackets(), BUDGET_NANOS);
            LOG.info("media path warmed up: {} packets relayed on loopback for {} calls in {} ms, of which {} ms "
                    + "waiting for the JIT", result.relayed(), result.calls(),
                    TimeUnit.NANOSECONDS.toMillis(result.elapsedNanos()),
                    TimeUnit.NANOSECONDS.toMillis(result.settlingNanos()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("media path not warmed up (interrupted): the first calls meet a cold relay");
        } catch (Exception e) {
            LOG.warn("media path not warmed up ({}): the first calls meet a cold relay", e.toString());
        }
    }

    /**
     * @param config the operator's relay settings, which the private relay copies
     * @param relays relays to make, each stream of a chain counting one
     * @param budgetNanos when to stop sending; the wait for the JIT comes on top, at most {@link #SETTLE_NANOS}
     */
    static Result run(MediaConfig config, int relays, long budgetNanos) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + budgetNanos;
        InetAddress loopback = config.bindAddress() instanceof Inet6Address
                ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
        InetAddress relayAddress = config.bindAddress().isAnyLocalAddress() ? loopback : config.bindAddress();
        Traffic traffic;
        try (SbcMetrics metrics = new SbcMetrics();
                MediaRelay relay = new MediaRelay(privateConfig(config), metrics.media());
                Peer caller = new Peer(loopback);
                Peer callee = new Peer(loopback);
                Peer chainA = new Peer(loopback);
                Peer chainB = new Peer(loopback)) {
            // A phone's signalling seldom comes from its media address; this one is only compared, never sent to.
            InetAddress proxy = InetAddress.getByName(loopback instanceof Inet6Address ? "2001:db8::1" : "192.0.2.1");
            traffic = new Traffic(relay, relayAddress, caller, callee, proxy);
            List<Chain> chains = new ArrayList<>();
            Traffic chainTraffic = new Traffic(relay, relayAddress, chainA, chainB, null);
            // At most half the range's streams in chains: the calls need the rest.
            int chainLength = Math.max(1, Math.min(CHAIN_STREAMS, relay.freePortPairs() / 4 / config.threads()));
            for (int thread = 0; thread < config.threads(); thread++) {
                Chain chain = chainTraffic.open(chainLength);
                if (chain != null) {
                    chains.add(chain);
                }
            }
            ArrayDeque<Chain> calls = new ArrayDeque<>();
            long tick = System.nanoTime();
            for (int n = 0; traffic.relays + chainTraffic.relays < relays && tick < deadline; n++) {
                boolean trickle = n < TRICKLE_TICKS;
                traffic.nextCall(calls, trickle ? 1 : CALLS * config.threads());
                chainTraffic.drain();
                if (!trickle && n / BUSY_TICKS % 2 == 0) {
                    chainTraffic.keepInFlight(chains);
                }
                tick += TICK_NANOS;
                LockSupport.parkNanos(tick - System.nanoTime());
            }
            calls.forEach(Chain::hangUp);
            traffic.drainUntil(System.nanoTime() + TAIL_NANOS);
            chainTraffic.drainUntil(System.nanoTime() + TAIL_NANOS);
            traffic.add(chainTraffic);
        }
        // Closed: the loops have stopped, and what they counted is seen here.
        long relayed = traffic.sessions.stream().mapToLong(MediaSession::packetsRelayed).sum();
        CallWarmUp.Result settling = CallWarmUp.awaitIdleJit(System.nanoTime() + SETTLE_NANOS);
        return new Result(traffic.calls, traffic.sent, traffic.returned, relayed, System.nanoTime() - start,
                settling.settlingNanos());
    }

    private static MediaConfig privateConfig(MediaConfig c) {
        return new MediaConfig(c.bindAddress(), c.advertisedAddress(), c.portMin(), c.portMax(), Duration.ZERO,
                c.timeout(), c.holdTimeout(), c.threads(), c.busyPoll(), c.io(), c.receiveBufferBytes());
    }

    /** A made-up endpoint: one socket that sends into one end of every call or chain and reads what comes out. */
    private static final class Peer implements AutoCloseable {
        final DatagramChannel channel;
        final InetSocketAddress address;

        Peer(InetAddress loopback) throws IOException {
            channel = DatagramChannel.open(loopback instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, PEER_RECEIVE_BUFFER);
            channel.bind(new InetSocketAddress(loopback, 0));
            channel.configureBlocking(false);
            address = (InetSocketAddress) channel.getLocalAddress();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Streams in a row, one session each: a call's stream alone, or a chain. Its ends face the peers; a packet sent
     * into an end is relayed once per stream and comes out at the other.
     */
    private record Chain(MediaSession[] sessions, MediaStream[] streams, End a, End b) {
        void hangUp() {
            for (MediaSession session : sessions) {
                session.close();
            }
        }
    }

    /** Where a peer sends into a chain, with the RTP it sends there. */
    private static final class End {
        final Peer peer;
        final InetSocketAddress rtp;
        final InetSocketAddress rtcp;
        final int ssrc;
        final int hops;
        int sequence = FIRST_SEQUENCE;
        int packets;

        End(Peer peer, InetSocketAddress rtp, int ssrc, int hops) {
            this.peer = peer;
            this.rtp = rtp;
            this.rtcp = new InetSocketAddress(rtp.getAddress(), rtp.getPort() + 1);
            this.ssrc = ssrc;
            this.hops = hops;
        }
    }

    /** The peers' sending and reading, on the warm-up's thread. */
    private static final class Traffic {
        private final MediaRelay relay;
        private final InetAddress relayAddress;
        private final Peer a;
        private final Peer b;
        private final Peer[] peers;
        private final InetAddress signalling;
        final List<MediaSession> sessions = new ArrayList<>();
        private final ByteBuffer packet = ByteBuffer.allocateDirect(RTP_BYTES);
        private final ByteBuffer received = ByteBuffer.allocateDirect(RTP_BYTES);
        private int ssrcs;
        int calls;
        long sent;
        long returned;
        /** Relays the packets sent make, each once per stream of its chain. */
        long relays;

        /**
         * @param signalling where the peers' signalling comes from, or null for their media address
         */
        Traffic(MediaRelay relay, InetAddress relayAddress, Peer a, Peer b, InetAddress signalling) {
            this.relay = relay;
            this.signalling = signalling;
            this.relayAddress = relayAddress;
            this.a = a;
            this.b = b;
            this.peers = new Peer[] {a, b};
        }

        /** Up to {@code length} streams, fewer when the range runs out; none when it has no pair left. */
        Chain open(int length) {
            List<MediaSession> opened = new ArrayList<>();
            List<MediaStream> streams = new ArrayList<>();
            while (streams.size() < length) {
                MediaSession session = relay.open(timedOut -> { });
                MediaStream stream = session.addStream();
                if (stream == null) {
                    session.close();
                    break;
                }
                opened.add(session);
                streams.add(stream);
            }
            if (streams.isEmpty()) {
                return null;
            }
            sessions.addAll(opened);
            MediaStream[] row = streams.toArray(MediaStream[]::new);
            announce(row);
            End first = new End(a, new InetSocketAddress(relayAddress, row[0].localPort(MediaSide.A)), ssrcs++,
                    row.length);
            End last = new End(b, new InetSocketAddress(relayAddress, row[row.length - 1].localPort(MediaSide.B)),
                    ssrcs++, row.length);
            return new Chain(opened.toArray(MediaSession[]::new), row, first, last);
        }

        /** Each stream's sides: the peers at the row's ends, the neighbours' ports in between. */
        private void announce(MediaStream[] row) {
            for (int i = 0; i < row.length; i++) {
                announce(row[i], MediaSide.A, i == 0 ? a.address : neighbour(row[i - 1], MediaSide.B));
                announce(row[i], MediaSide.B, i == row.length - 1 ? b.address : neighbour(row[i + 1], MediaSide.A));
            }
        }

        private InetSocketAddress neighbour(MediaStream stream, MediaSide side) {
            return new InetSocketAddress(relayAddress, stream.localPort(side));
        }

        private void announce(MediaStream stream, MediaSide side, InetSocketAddress remote) {
            InetSocketAddress rtcp = new InetSocketAddress(remote.getAddress(), remote.getPort() + 1);
            stream.setRemote(side, remote, rtcp, false, signalling == null ? remote.getAddress() : signalling,
                    MediaTransport.RTP);
        }

        /**
         * A tick of calls: one set up, the oldest hung up once more than {@code up} are, one announced again, and a
         * packet each way on every call up.
         */
        void nextCall(ArrayDeque<Chain> up, int most) throws IOException {
            Chain call = open(1);
            if (call != null) {
                calls++;
                up.addLast(call);
            }
            if (up.size() > most || call == null && !up.isEmpty()) {
                up.removeFirst().hangUp();
            }
            Chain again = up.peekFirst();
            if (again != null) {
                announce(again.streams());
            }
            for (Chain c : up) {
                send(c.a());
                send(c.b());
            }
            drain();
        }

        /** Sends into both ends of each chain until {@value #IN_FLIGHT} packets from each end are in flight. */
        void keepInFlight(List<Chain> chains) throws IOException {
            while (sent - returned < 2L * IN_FLIGHT * chains.size()) {
                for (Chain chain : chains) {
                    send(chain.a());
                    send(chain.b());
                }
            }
        }

        /** Counts {@code other}'s calls, packets and sessions in with this one's. */
        void add(Traffic other) {
            sessions.addAll(other.sessions);
            calls += other.calls;
            sent += other.sent;
            returned += other.returned;
            relays += other.relays;
        }

        /** The end's next RTP packet, now and then two out of order, now and then RTCP along. */
        private void send(End end) throws IOException {
            end.packets++;
            if (end.packets % REORDER_EVERY == 0) {
                sendRtp(end, end.sequence + 1);
                sendRtp(end, end.sequence);
                end.sequence += 2;
            } else {
                sendRtp(end, end.sequence++);
            }
            if (end.packets % RTCP_EVERY == 0) {
                sendRtcp(end);
            }
        }

        private void sendRtp(End end, int seq) throws IOException {
            packet.clear();
            packet.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(end.ssrc);
            packet.position(RTP_BYTES).flip();
            sent(end, end.peer.channel.send(packet, end.rtp));
        }

        /** An empty receiver report (RFC 3550 §6.4.2) and an SDES of no items: what a silent phone sends. */
        private void sendRtcp(End end) throws IOException {
            packet.clear();
            packet.put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt(end.ssrc);
            packet.put((byte) 0x81).put((byte) 202).putShort((short) 2).putInt(end.ssrc).putInt(0);
            packet.flip();
            sent(end, end.peer.channel.send(packet, end.rtcp));
        }

        private void sent(End end, int bytes) {
            if (bytes > 0) {
                sent++;
                relays += end.hops;
            }
        }

        void drainUntil(long deadline) throws IOException {
            while (returned < sent && System.nanoTime() < deadline) {
                drain();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        private int drain() throws IOException {
            int drained = 0;
            for (Peer peer : peers) {
                while (peer.channel.receive(received) != null) {
                    received.clear();
                    drained++;
                }
            }
            returned += drained;
            return drained;
        }
    }
}
