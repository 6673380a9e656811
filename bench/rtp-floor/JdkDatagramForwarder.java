import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under the media relay: what the JDK's datagram channels forward on this machine with the relay's socket
 * pattern and none of its work. Each stream pair has two sockets, as a relayed call's media has one per side; a
 * packet read on one is sent from the other, to the generator's far socket. One thread, one selector, one read per
 * readiness and the relay's 200 µs rest after a select that found few sockets ready: the relay's loop without
 * latching, statistics, SRTP or timeouts. No allocation per packet.
 *
 * <p>Usage: {@code java JdkDatagramForwarder.java PAIRS FIRST_PORT PORTS_FILE [A_PORT B_PORT]}: binds PAIRS pairs of
 * loopback ports from FIRST_PORT (4 apart, like the relay's RTP/RTCP pairs), writes them to PORTS_FILE in the
 * format of the shared RTP generator's {@code --ports-file} ("A port" / "B port" lines), prints "ready", and
 * forwards until killed. The generator's sockets are 127.0.0.1:A_PORT and :B_PORT (30000 and 30002 by default).
 */
public final class JdkDatagramForwarder {
    private static final int BATCH_TARGET = 16;
    private static final long REST_NANOS = 200_000;

    /** Where a socket's datagrams go: out of its partner socket, to the generator's socket on the other side. */
    private record Route(DatagramChannel out, InetSocketAddress to) { }

    public static void main(String[] args) throws IOException {
        int pairs = Integer.parseInt(args[0]);
        int firstPort = Integer.parseInt(args[1]);
        Path portsFile = Path.of(args[2]);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", args.length > 3 ? Integer.parseInt(args[3]) : 30000);
        InetSocketAddress b = new InetSocketAddress("127.0.0.1", args.length > 4 ? Integer.parseInt(args[4]) : 30002);
        Selector selector = Selector.open();
        try (PrintWriter ports = new PrintWriter(Files.newBufferedWriter(portsFile))) {
            for (int i = 0; i < pairs; i++) {
                int facingA = firstPort + 4 * i;
                int facingB = facingA + 2;
                DatagramChannel fromA = open(facingA);
                DatagramChannel fromB = open(facingB);
                fromA.register(selector, SelectionKey.OP_READ, new Route(fromB, b));
                fromB.register(selector, SelectionKey.OP_READ, new Route(fromA, a));
                ports.println("A " + facingA);
                ports.println("B " + facingB);
            }
        }
        ByteBuffer packet = ByteBuffer.allocateDirect(65_536);
        System.out.println("ready");
        while (true) {
            int ready = selector.select(key -> {
                packet.clear();
                try {
                    if (((DatagramChannel) key.channel()).receive(packet) != null) {
                        packet.flip();
                        Route route = (Route) key.attachment();
                        route.out().send(packet, route.to());
                    }
                } catch (IOException e) {
                    // A datagram the kernel refused is a lost packet, which the generator counts.
                }
            }, 1000);
            if (ready > 0 && ready < BATCH_TARGET) {
                LockSupport.parkNanos(REST_NANOS);
            }
        }
    }

    private static DatagramChannel open(int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        channel.configureBlocking(false);
        channel.bind(new InetSocketAddress("127.0.0.1", port));
        return channel;
    }
}
