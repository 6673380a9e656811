import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.MediaMetrics;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.MediaSession;
import org.edgesbc.media.MediaSide;
import org.edgesbc.media.MediaStream;
import org.edgesbc.media.MediaTransport;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpSuite;

/**
 * RTP load through the SBC's media relay, in-process: N calls, each two G.711 streams (one per direction, 50
 * packets/s, 172-byte packets: 12-byte RTP header and 160 bytes of payload), sent from loopback sockets through the
 * relay's latched port pairs. For each N it reports packets sent and received, loss, the relay threads' CPU time and
 * the whole process's CPU time (OperatingSystemMXBean, generator included) per relayed packet, and the added
 * latency (send to receive, p50/p99/max). Steps N up until loss passes 0.1% and prints the largest N below it.
 * With MODE {@code srtp}, side B of every call speaks SRTP (AES_CM_128_HMAC_SHA1_80): the relay protects the A to B
 * stream, and latency is taken from the B to A stream only (its payload arrives in clear).
 *
 *   bench/rtp-load/run.sh [FIRST_N] [STEP] [MAX_N] [SECONDS] [rtp|srtp]
 *
 * Traffic stays on 127.0.0.1; each step is bounded by SECONDS.
 */
public final class RtpLoadGenerator {
    private static final int PACKET = 172;
    private static final long INTERVAL_NANOS = 20_000_000L;
    private static final long MAX_LATENCY_NANOS = 10_000_000_000L;

    public static void main(String[] args) throws Exception {
        int first = args.length > 0 ? Integer.parseInt(args[0]) : 250;
        int step = args.length > 1 ? Integer.parseInt(args[1]) : 250;
        int max = args.length > 2 ? Integer.parseInt(args[2]) : 3000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        boolean srtp = args.length > 4 && args[4].equals("srtp");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        MediaConfig config = new MediaConfig(loopback, "127.0.0.1", 20_000, 60_000, Duration.ZERO,
                Duration.ofHours(1), Duration.ofHours(1), 1);
        System.out.printf("mode %s%n", srtp ? "srtp (side B)" : "rtp");
        System.out.printf("%6s %8s %10s %10s %8s %12s %12s %9s %9s %9s%n", "calls", "streams", "sent", "received",
                "loss%", "media_ns/pkt", "proc_ns/pkt", "p50_us", "p99_us", "max_us");
        int largest = 0;
        try (MediaRelay relay = new MediaRelay(config, MediaMetrics.NONE)) {
            for (int calls = first; calls <= max; calls += step) {
                double loss = run(relay, loopback, calls, seconds, srtp);
                if (loss >= 0.1) {
                    break;
                }
                largest = calls;
            }
            System.out.printf("largest N with loss under 0.1%%: %d calls (%d streams, %d packets/s)%n",
                    largest, 2 * largest, 100 * largest);
        }
    }

    private static double run(MediaRelay relay, InetAddress loopback, int calls, int seconds, boolean srtp)
            throws Exception {
        SecureRandom random = new SecureRandom();
        List<MediaSession> sessions = new ArrayList<>();
        List<DatagramChannel> senders = new ArrayList<>();
        List<InetSocketAddress> targets = new ArrayList<>();
        List<DatagramChannel> receivers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            MediaSession session = relay.open(s -> { });
            MediaStream stream = session.addStream();
            // The relay keeps a few hundred pairs bound ahead and binds more on its loop: wait for them.
            for (int attempt = 0; stream == null && attempt < 200; attempt++) {
                Thread.sleep(5);
                stream = session.addStream();
            }
            if (stream == null) {
                throw new IllegalStateException("port range exhausted at " + i + " calls");
            }
            sessions.add(session);
            DatagramChannel a = open(loopback);
            DatagramChannel b = open(loopback);
            InetSocketAddress aAddress = (InetSocketAddress) a.getLocalAddress();
            InetSocketAddress bAddress = (InetSocketAddress) b.getLocalAddress();
            stream.setRemote(MediaSide.A, aAddress, new InetSocketAddress(loopback, aAddress.getPort() + 1), false, loopback,
                    MediaTransport.RTP);
            stream.setRemote(MediaSide.B, bAddress, new InetSocketAddress(loopback, bAddress.getPort() + 1), false, loopback,
                    MediaTransport.RTP);
            if (srtp) {
                // Side B receives SRTP from the SBC and sends plain RTP (no inbound context): half the packets are
                // protected, none unprotected, so the figure is the cost of one SRTP side on half the traffic.
                stream.setSrtp(MediaSide.B, null,
                        new SdesCrypto(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(random)));
            }
            senders.add(a);
            targets.add(new InetSocketAddress(loopback, stream.localPort(MediaSide.A)));
            receivers.add(b);
            senders.add(b);
            targets.add(new InetSocketAddress(loopback, stream.localPort(MediaSide.B)));
            receivers.add(a);
        }
        Thread.sleep(200);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = mediaCpuNanos(threads);
        long processBefore = os.getProcessCpuTime();
        AtomicBoolean sending = new AtomicBoolean(true);
        long[] received = new long[1];
        long[] latencies = new long[4_000_000];
        int[] latencyCount = new int[1];
        Thread receiver = new Thread(() -> receive(receivers, sending, received, latencies, latencyCount),
                "rtp-load-receiver");
        receiver.start();
        long sent = 0;
        ByteBuffer packet = ByteBuffer.allocate(PACKET);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        int seq = 0;
        for (long tick = start; tick < end; tick += INTERVAL_NANOS) {
            long wait = tick - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            for (int i = 0; i < senders.size(); i++) {
                packet.clear();
                packet.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(i + 1);
                packet.putLong(System.nanoTime());
                packet.position(PACKET);
                packet.flip();
                if (senders.get(i).send(packet, targets.get(i)) > 0) {
                    sent++;
                }
            }
            seq++;
        }
        Thread.sleep(500);
        sending.set(false);
        receiver.join();
        long cpu = mediaCpuNanos(threads) - cpuBefore;
        long process = os.getProcessCpuTime() - processBefore;
        long[] sorted = Arrays.copyOf(latencies, latencyCount[0]);
        Arrays.sort(sorted);
        double loss = sent == 0 ? 100 : 100.0 * (sent - received[0]) / sent;
        System.out.printf("%6d %8d %10d %10d %8.3f %12d %12d %9d %9d %9d%n", calls, senders.size(), sent, received[0],
                loss, received[0] == 0 ? 0 : cpu / received[0], received[0] == 0 ? 0 : process / received[0],
                percentile(sorted, 50) / 1000, percentile(sorted, 99) / 1000,
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000);
        for (MediaSession session : sessions) {
            session.close();
        }
        for (DatagramChannel channel : senders) {
            channel.close();
        }
        Thread.sleep(200);
        return loss;
    }

    private static DatagramChannel open(InetAddress loopback) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(loopback, 0));
        channel.configureBlocking(false);
        return channel;
    }

    private static void receive(List<DatagramChannel> channels, AtomicBoolean sending, long[] received,
            long[] latencies, int[] count) {
        try (Selector selector = Selector.open()) {
            for (DatagramChannel channel : channels) {
                channel.register(selector, SelectionKey.OP_READ);
            }
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            while (sending.get()) {
                if (selector.select(100) == 0) {
                    continue;
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel channel = (DatagramChannel) key.channel();
                    while (true) {
                        buffer.clear();
                        if (channel.receive(buffer) == null) {
                            break;
                        }
                        received[0]++;
                        long latency = System.nanoTime() - buffer.getLong(12);
                        // An SRTP packet's payload is ciphertext: no send time to read (nor a plausible one).
                        if (latency > 0 && latency < MAX_LATENCY_NANOS && count[0] < latencies.length) {
                            latencies[count[0]++] = latency;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long mediaCpuNanos(ThreadMXBean threads) {
        long total = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("sbc-media")) {
                total += threads.getThreadCpuTime(info.getThreadId());
            }
        }
        return total;
    }

    private static long percentile(long[] sorted, int percent) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
    }
}
