package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Caps in total and per source, reuse keyed by transport and address, and room given back on release. */
class ConnectionTableTest {
    private static final InetSocketAddress A1 = new InetSocketAddress("192.0.2.1", 5060);
    private static final InetSocketAddress A2 = new InetSocketAddress("192.0.2.1", 5070);
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 5060);

    @Test
    void perSourceCapAppliesToInboundOnlyAndTheTotalToBoth() {
        ConnectionTable table = new ConnectionTable(3, 1);
        assertThat(table.reserveInbound(A1)).isTrue();
        assertThat(table.reserveInbound(A2)).as("same IP, other port: per-source cap").isFalse();
        assertThat(table.reserveInbound(B)).isTrue();
        assertThat(table.reserveOutbound()).isTrue();
        assertThat(table.reserveOutbound()).as("total cap").isFalse();
        assertThat(table.size()).isEqualTo(3);

        table.releaseInbound(new ConnectionTable.Key(SipTransport.TCP, A1), new EmbeddedChannel());
        assertThat(table.sources()).as("an emptied source leaves the map").isEqualTo(1);
        assertThat(table.reserveInbound(A2)).isTrue();
    }

    @Test
    void aRefusedReservationTakesNoRoom() {
        ConnectionTable table = new ConnectionTable(1, 5);
        assertThat(table.reserveInbound(A1)).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(table.reserveInbound(B)).isFalse();
            assertThat(table.reserveOutbound()).isFalse();
        }
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.sources()).isEqualTo(1);
    }

    @Test
    void connectionsAreFoundByTransportAndExactAddressWhileActive() {
        ConnectionTable table = new ConnectionTable(10, 10);
        EmbeddedChannel tcp = new EmbeddedChannel();
        ConnectionTable.Key key = new ConnectionTable.Key(SipTransport.TCP, A1);
        table.reserveInbound(A1);
        table.register(key, tcp);

        assertThat(table.find(key)).isSameAs(tcp);
        assertThat(table.find(new ConnectionTable.Key(SipTransport.TLS, A1))).as("never TLS over TCP").isNull();
        assertThat(table.find(new ConnectionTable.Key(SipTransport.TCP, A2))).as("exact port").isNull();

        tcp.close();
        assertThat(table.find(key)).as("a closed channel is not reused").isNull();
        table.releaseInbound(key, tcp);
        assertThat(table.size()).isZero();
        assertThat(table.sources()).isZero();
    }

    @Test
    void releasingAnOldChannelDoesNotForgetItsReplacement() {
        ConnectionTable table = new ConnectionTable(10, 10);
        ConnectionTable.Key key = new ConnectionTable.Key(SipTransport.TCP, A1);
        EmbeddedChannel old = new EmbeddedChannel();
        EmbeddedChannel replacement = new EmbeddedChannel();
        table.reserveOutbound();
        table.register(key, old);
        table.reserveOutbound();
        table.register(key, replacement);

        table.releaseOutbound(key, old);
        assertThat(table.find(key)).isSameAs(replacement);
        assertThat(table.size()).isEqualTo(1);
        replacement.close();
        old.close();
    }
}
