package org.edgesbc.core.registrar;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;

/**
 * An in-memory {@link SipFlow}: records the close actions registered with {@link #whenClosed} so that a test can
 * close a connection at a moment of its choosing. Identity equality, like the transport's flows.
 */
final class TestFlow implements SipFlow {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 5060);

    private final SipTransport transport;
    private final InetSocketAddress remote;
    private final List<Runnable> closeActions = new ArrayList<>();
    private int closeRegistrations;
    private boolean open = true;

    private TestFlow(SipTransport transport, InetSocketAddress remote) {
        this.transport = transport;
        this.remote = remote;
    }

    static TestFlow udp(String host, int port) {
        return new TestFlow(SipTransport.UDP, new InetSocketAddress(host, port));
    }

    static TestFlow tcp(String host, int port) {
        return new TestFlow(SipTransport.TCP, new InetSocketAddress(host, port));
    }

    /** Closes a connection: runs, once, every action registered so far (as the transport's I/O thread would). */
    void close() {
        open = false;
        List<Runnable> actions = List.copyOf(closeActions);
        closeActions.clear();
        actions.forEach(Runnable::run);
    }

    /** How many times {@link #whenClosed} was called. */
    int closeRegistrations() {
        return closeRegistrations;
    }

    /** "host:port" of the remote side. */
    String hostPort() {
        return remote.getHostString() + ":" + remote.getPort();
    }

    @Override
    public SipTransport transport() {
        return transport;
    }

    @Override
    public InetSocketAddress remote() {
        return remote;
    }

    @Override
    public InetSocketAddress local() {
        return LOCAL;
    }

    @Override
    public boolean isOpen() {
        return open || !transport.reliable();
    }

    @Override
    public void whenClosed(Runnable action) {
        closeRegistrations++;
        if (!transport.reliable()) {
            return;
        }
        if (open) {
            closeActions.add(action);
        } else {
            action.run();
        }
    }

    @Override
    public void send(byte[] message) {
        throw new UnsupportedOperationException("the registrar never sends");
    }

    @Override
    public String toString() {
        return transport + " " + hostPort();
    }
}
