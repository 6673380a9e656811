package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import java.text.ParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.sip.address.Address;
import javax.sip.address.URI;
import org.edgesbc.transport.SipTransport;

/**
 * Builds the SBC's own addressing headers and removes what would reveal one side's topology or software to the
 * other. Whatever crosses the SBC carries the SBC's Via, Contact and host names only.
 */
final class TopologyHiding {
    /**
     * Headers never relayed: routing state of the other side (Record-Route, Route, Path, Service-Route), and
     * product fingerprints and host names (Server, User-Agent, Warning carries the warn-agent host, RFC 3261 §20.43).
     */
    private static final List<String> STRIPPED = List.of(
            "Record-Route", "Route", "Path", "Service-Route", "Server", "User-Agent", "Warning", "Organization");

    private final String host;
    private final Map<SipTransport, Integer> ports;
    private final Map<SipTransport, Contact> contacts = new EnumMap<>(SipTransport.class);

    TopologyHiding(String host, Map<SipTransport, Integer> ports) {
        this.host = host;
        this.ports = Map.copyOf(ports);
        for (Map.Entry<SipTransport, Integer> entry : ports.entrySet()) {
            contacts.put(entry.getKey(), buildContact(entry.getKey(), entry.getValue()));
        }
    }

    private Contact buildContact(SipTransport transport, int port) {
        SipUri uri = sbcUri(transport, port);
        uri.setUser("sbc");
        AddressImpl address = new AddressImpl();
        address.setAddess(uri);
        Contact contact = new Contact();
        contact.setAddress(address);
        return contact;
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

    Via via(SipTransport transport, String branch) {
        Via via = new Via();
        try {
            via.setHost(host);
            via.setPort(port(transport));
            via.setTransport(transport.viaToken());
            via.setBranch(branch);
            via.setRPort();
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            throw new IllegalStateException("cannot build the SBC's Via", e);
        }
        return via;
    }

    /** The SBC's Contact toward a peer reached over {@code transport}; a fresh copy the caller may attach. */
    Contact contact(SipTransport transport) {
        Contact contact = contacts.get(transport);
        if (contact == null) {
            throw new IllegalStateException("no " + transport + " listener for a Contact");
        }
        return (Contact) contact.clone();
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

    SipUri sbcUriOf(SipTransport transport) {
        return sbcUri(transport, port(transport));
    }

    String host() {
        return host;
    }

    static void strip(SIPMessage message) {
        for (String name : STRIPPED) {
            message.removeHeader(name);
        }
    }

    /** Replaces any Contact with the SBC's own; messages without one stay without. */
    void replaceContact(SIPMessage message, SipTransport towards) {
        if (message.getContactHeader() != null) {
            message.removeHeader(Contact.NAME);
            message.setHeader(contact(towards));
        }
    }
}
