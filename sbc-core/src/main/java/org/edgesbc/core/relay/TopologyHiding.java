package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import java.text.ParseException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import javax.sip.address.Address;
import javax.sip.address.URI;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * Builds the SBC's own addressing headers and removes what would reveal one side's topology or software to the
 * other. Whatever crosses the SBC carries the SBC's Via, Contact and host names only.
 */
final class TopologyHiding {
    /**
     * Headers never relayed: routing state of the other side (Record-Route, Route, Path, Service-Route), and
     * product fingerprints and host names (Server, User-Agent, Warning carries the warn-agent host, RFC 3261 §20.43).
     */
    private static final SipHeaderName[] STRIPPED = {SipHeaderName.of("Record-Route"), SipHeaderName.of("Route"),
        SipHeaderName.of("Path"), SipHeaderName.of("Service-Route"), SipHeaderName.of("Server"),
        SipHeaderName.of("User-Agent"), SipHeaderName.of("Warning"), SipHeaderName.of("Organization")};

    private final String host;
    private final Map<SipTransport, Integer> ports;
    /** The SBC's Contact value toward a peer reached over each transport. */
    private final Map<SipTransport, String> contacts = new EnumMap<>(SipTransport.class);
    /** The start of the SBC's Via value over each transport, up to the branch. */
    private final Map<SipTransport, String> viaPrefixes = new EnumMap<>(SipTransport.class);

    TopologyHiding(String host, Map<SipTransport, Integer> ports) {
        this.host = host;
        this.ports = Map.copyOf(ports);
        for (Map.Entry<SipTransport, Integer> entry : ports.entrySet()) {
            SipTransport transport = entry.getKey();
            // Validated once here: the advertised host must make a SIP URI.
            sbcUri(transport, entry.getValue());
            contacts.put(transport, "<" + uriText("sbc", transport) + ">");
            viaPrefixes.put(transport, "SIP/2.0/" + transport.viaToken() + " " + hostPort(entry.getValue())
                    + ";branch=");
        }
    }

    private String hostPort(int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private SipUri sbcUri(SipTransport transport, int port) {
        SipUri uri = new SipUri();
        try {
            uri.setHost(host);
            uri.setPort(port);
            if (transport != SipTransport.UDP) {
                uri.setTransportParam(transport.name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (ParseException e) {
            throw new IllegalArgumentException("advertised host '" + host + "' is not a valid SIP host", e);
        }
        return uri;
    }

    int port(SipTransport transport) {
        Integer port = ports.get(transport);
        if (port == null) {
            throw new IllegalStateException("no " + transport + " listener to send from");
        }
        return port;
    }

    /** The SBC's Via value over {@code transport} (RFC 3261 §18.1.1; rport asked for, RFC 3581). */
    String via(SipTransport transport, String branch) {
        String prefix = viaPrefixes.get(transport);
        if (prefix == null) {
            throw new IllegalStateException("no " + transport + " listener to send from");
        }
        return prefix + branch + ";rport";
    }

    /** The SBC's Contact value toward a peer reached over {@code transport}. */
    String contact(SipTransport transport) {
        String contact = contacts.get(transport);
        if (contact == null) {
            throw new IllegalStateException("no " + transport + " listener for a Contact");
        }
        return contact;
    }

    /** {@code sip:user@sbc-host:port;transport=...}, the SBC's URI over {@code transport}. */
    String uriText(String user, SipTransport transport) {
        return "sip:" + user + "@" + hostPort(port(transport)) + (transport == SipTransport.UDP ? ""
                : ";transport=" + transport.name().toLowerCase(Locale.ROOT));
    }

    /** A copy of {@code original} (display name and user kept) with its host replaced; URI parameters dropped. */
    static Address withHost(Address original, String newHost, int port) {
        AddressImpl copy = new AddressImpl();
        SipUri uri = new SipUri();
        try {
            uri.setUser(userOf(original.getURI()));
            uri.setHost(newHost);
            if (port > 0) {
                uri.setPort(port);
            }
            copy.setAddess(uri);
            String displayName = original.getDisplayName();
            if (displayName != null) {
                copy.setDisplayName(displayName);
            }
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
        return copy;
    }

    /** The user part of a sip/sips URI or the number of a tel URI; null when there is none. */
    static String userOf(URI uri) {
        if (uri instanceof SipUri sip) {
            return sip.getUser();
        }
        if (uri instanceof gov.nist.javax.sip.address.TelURLImpl tel) {
            return tel.getPhoneNumber();
        }
        return null;
    }

    Address sbcAddress(Address original) {
        return withHost(original, host, -1);
    }

    String host() {
        return host;
    }

    /** Leaves out what must not cross: the other side's routing state and product fingerprints. */
    static SipMessageWriter strip(SipMessageWriter message) {
        return message.remove(STRIPPED);
    }

    /** Replaces any Contact with the SBC's own; messages without one stay without. */
    void replaceContact(SipMessageWriter message, boolean hasContact, SipTransport towards) {
        if (hasContact) {
            message.set(SipHeaderName.CONTACT, contact(towards));
        }
    }
}
