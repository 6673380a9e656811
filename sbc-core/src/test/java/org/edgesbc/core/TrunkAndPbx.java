package org.edgesbc.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;

/** The daemon on loopback between a trunk (127.0.0.2) and a PBX (127.0.0.3), both UDP test peers. */
final class TrunkAndPbx implements AutoCloseable {
    final UdpSipPeer trunk;
    final UdpSipPeer pbx;
    final SbcDaemon sbc;
    final InetSocketAddress sbcUdp;

    TrunkAndPbx(Path dataDir, UnaryOperator<SbcConfig> config) throws Exception {
        trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
        pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
        sbc = SbcDaemon.start(config.apply(TestConfigs.loopbackUdp(dataDir, trunk.localAddress(),
                pbx.localAddress())));
        sbcUdp = sbc.sipAddress(SipTransport.UDP);
        trunk.towards(sbcUdp);
        pbx.towards(sbcUdp);
    }

    /** {@code host:port} of the SBC's UDP listener, as it puts it in its own URIs. */
    String sbcHostPort() {
        return sbcUdp.getAddress().getHostAddress() + ":" + sbcUdp.getPort();
    }

    @Override
    public void close() throws IOException {
        sbc.close();
        trunk.close();
        pbx.close();
    }
}
