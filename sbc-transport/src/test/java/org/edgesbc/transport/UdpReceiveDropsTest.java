package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UdpReceiveDropsTest {
    private static final String HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode ref pointer drops\n";

    @TempDir
    Path procNet;

    /** The namespace's error counts: {@code Udp: ... InErrors ...} in snmp, {@code Udp6InErrors} in snmp6. */
    private void errors(long udp, long udp6) throws IOException {
        Files.writeString(procNet.resolve("snmp"), "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
                + "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti"
                + " MemErrors\nUdp: 100 0 " + udp + " 100 " + udp + " 0 0 0 0\n"
                + "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors"
                + " IgnoredMulti MemErrors\nUdpLite: 0 0 0 0 0 0 0 0 0\n");
        Files.writeString(procNet.resolve("snmp6"), "Udp6InDatagrams                 \t5\nUdp6InErrors"
                + "                    \t" + udp6 + "\n");
    }

    @Test
    void sumsTheDropsOfEverySocketOnTheListenersAddressesAndNoOther() throws IOException {
        errors(1049, 7);
        // 127.0.0.1:5060 twice (two SO_REUSEPORT sockets), the same port on another address, another port, and
        // [::1]:5060 in the IPv6 table.
        Files.writeString(procNet.resolve("udp"), HEADER
                + " 3817: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 2943238 2"
                + " 00000000ba7eac8d 40\n"
                + " 3818: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 2943239 2"
                + " 00000000ba7eac8e 2\n"
                + " 3819: 0200007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 2943240 2"
                + " 00000000ba7eac8f 1000\n"
                + " 3820: 0100007F:13C5 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 2943241 2"
                + " 00000000ba7eac90 1000\n");
        Files.writeString(procNet.resolve("udp6"), HEADER
                + "  100: 00000000000000000000000001000000:13C4 00000000000000000000000000000000:0000 07"
                + " 00000000:00000000 00:00000000 00000000  0  0 2943242 2 00000000ba7eac91 7\n");
        UdpReceiveDrops drops = new UdpReceiveDrops(procNet, List.of(new InetSocketAddress("127.0.0.1", 5060),
                new InetSocketAddress("::1", 5060)));

        assertThat(drops.read()).isEqualTo(49);
    }

    @Test
    void aWildcardListenerIsFoundByItsWildcardAddress() throws IOException {
        errors(5, 0);
        Files.writeString(procNet.resolve("udp"), HEADER
                + "    1: 00000000:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 1 2 0 5\n");
        Files.writeString(procNet.resolve("udp6"), HEADER);

        assertThat(new UdpReceiveDrops(procNet, List.of(new InetSocketAddress("0.0.0.0", 5060))).read())
                .isEqualTo(5);
    }

    @Test
    void theTablesAreReadAgainOnlyOnceTheNamespacesErrorCountsMoved() throws IOException {
        InetSocketAddress listener = new InetSocketAddress("127.0.0.1", 5060);
        errors(5, 0);
        Files.writeString(procNet.resolve("udp"), HEADER
                + "    1: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 1 2 0 5   \n");
        UdpReceiveDrops drops = new UdpReceiveDrops(procNet, List.of(listener));
        assertThat(drops.read()).isEqualTo(5);

        Files.writeString(procNet.resolve("udp"), HEADER
                + "    1: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 1 2 0 9   \n");
        assertThat(drops.read()).as("no error anywhere since: the tables are not read").isEqualTo(5);

        errors(5, 4);
        assertThat(drops.read()).isEqualTo(9);
    }

    @Test
    void withoutTheTablesThereIsNoCount() {
        assertThat(new UdpReceiveDrops(procNet.resolve("absent"), List.of(new InetSocketAddress("127.0.0.1", 5060)))
                .read()).isEqualTo(-1);
    }

    /** The kernel's own count: a socket nobody reads, sent more than its queue holds. */
    @Test
    void countsWhatTheKernelDroppedAtAFullReceiveQueue() throws IOException {
        Path linux = Path.of("/proc/net");
        assumeTrue(Files.isReadable(linux.resolve("udp")), "Linux's socket tables");
        // IPv4 sockets, as the listeners' (a dual-stack one would be in udp6, under ::ffff:127.0.0.1).
        try (DatagramChannel full = DatagramChannel.open(StandardProtocolFamily.INET);
                DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            full.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            full.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress address = (InetSocketAddress) full.getLocalAddress();
            UdpReceiveDrops drops = new UdpReceiveDrops(linux, List.of(address));
            assertThat(drops.read()).isZero();

            for (int i = 0; i < 200; i++) {
                sender.send(ByteBuffer.allocate(512), address);
            }

            assertThat(drops.read()).as("the datagrams past the queue's room").isGreaterThan(100);
        }
    }
}
