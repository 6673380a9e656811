package org.edgesbc.core.relay;

import java.net.InetSocketAddress;
import java.util.List;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.ViaHop;

/**
 * A request as a relay shard handles it: read once into a {@link SipMessageView}, which every layer and step works
 * on. Owned by the shard's thread.
 */
final class InboundRequest {
    private final InboundSipMessage in;
    private final SipMessageView view;
    private String vias;

    InboundRequest(InboundSipMessage in, SipMessageView view) {
        this.in = in;
        this.view = view;
    }

    InboundSipMessage in() {
        return in;
    }

    SipMessageView view() {
        return view;
    }

    String zone() {
        return in.zone();
    }

    SipFlow flow() {
        return in.flow();
    }

    String method() {
        return view.method();
    }

    /**
     * The requester's Via lines, complete and each ending in CRLF, as responses carry them back: the top one notes
     * where the request really came from (RFC 3261 §18.2.1: received when the sent-by host differs; RFC 3581 §4:
     * rport when asked for).
     */
    String vias() {
        if (vias == null) {
            vias = markedVias(view, in.flow().remote());
        }
        return vias;
    }

    static String markedVias(SipMessageView view, InetSocketAddress source) {
        List<String> values = view.headers(SipHeaderName.VIA);
        String first = values.get(0);
        String top = view.topViaHop();
        StringBuilder out = new StringBuilder(128 * values.size());
        out.append("Via: ").append(mark(top, view.topVia(), source)).append(first, top.length(), first.length())
                .append("\r\n");
        for (int i = 1; i < values.size(); i++) {
            out.append("Via: ").append(values.get(i)).append("\r\n");
        }
        return out.toString();
    }

    private static String mark(String hop, ViaHop top, InetSocketAddress source) {
        String sourceHost = source.getAddress().getHostAddress();
        boolean received = !sourceHost.equals(top.host());
        boolean rport = top.rport() != null;
        if (!received && !rport) {
            return hop;
        }
        StringBuilder out = new StringBuilder(hop.length() + 48);
        int p = hop.indexOf(';');
        out.append(p < 0 ? hop : hop.substring(0, p).stripTrailing());
        while (p >= 0) {
            int next = hop.indexOf(';', p + 1);
            String parameter = (next < 0 ? hop.substring(p + 1) : hop.substring(p + 1, next)).trim();
            String name = parameter.split("=", 2)[0].trim();
            boolean replaced = (received && name.equalsIgnoreCase("received")) || (rport && name.equalsIgnoreCase("rport"));
            if (!replaced) {
                out.append(';').append(parameter);
            }
            p = next;
        }
        if (received) {
            out.append(";received=").append(sourceHost);
        }
        if (rport) {
            out.append(";rport=").append(source.getPort());
        }
        return out.toString();
    }
}
