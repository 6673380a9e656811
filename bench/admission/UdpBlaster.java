import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Sends SIP OPTIONS datagrams from a loopback source as fast as one thread can, for a bounded time, and prints how
 * many it sent. Used by bench/admission/run.sh to measure the cost of dropping unadmitted or banned traffic.
 *
 *   java UdpBlaster.java SOURCE_IP TARGET_IP TARGET_PORT SECONDS
 */
public final class UdpBlaster {
    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long seconds = Long.parseLong(args[3]);
        byte[] bytes = ("OPTIONS sip:100@" + args[1] + " SIP/2.0\r\nVia: SIP/2.0/UDP " + args[0]
                + ":5060;branch=z9hG4bK-flood\r\nMax-Forwards: 70\r\nFrom: <sip:flood@" + args[0]
                + ">;tag=1\r\nTo: <sip:100@" + args[1] + ">\r\nCall-ID: flood\r\nCSeq: 1 OPTIONS\r\n"
                + "User-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long sent = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(args[0], 0))) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            DatagramPacket packet = new DatagramPacket(bytes, bytes.length, target);
            while (System.nanoTime() < end) {
                socket.send(packet);
                sent++;
            }
        }
        System.out.println(sent);
    }
}
