package org.edgesbc.transport.dns;

import java.net.InetSocketAddress;
import org.edgesbc.transport.SipTransport;

/** One place a request for a named SIP server may go (RFC 3263 §4): an address, a port and a transport. */
public record SipTarget(InetSocketAddress address, SipTransport transport) { }
