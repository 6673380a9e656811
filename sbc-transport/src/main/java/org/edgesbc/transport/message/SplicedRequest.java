package org.edgesbc.transport.message;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.ExtensionHeaderImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.parser.URLParser;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sip.address.Address;
import javax.sip.address.URI;
import org.edgesbc.transport.SipParseException;

/**
 * An initial request as the relay's steps (policy, routing, number rules, STIR/SHAKEN) read and edit it: the
 * received bytes through their {@link SipMessageView}, with jain-sip-ri models of only the parts a step works on as
 * structures (the Request-URI, the From and To addresses, and headers a step asks for by name). Whatever is edited
 * leaves through {@link #writer}: the edited headers spliced in, every other line as received.
 *
 * <p>The Request-URI, From and To are parsed when the request is read, so a request whose routing fields jain-sip-ri
 * cannot read is refused as it was when jain-sip-ri parsed the whole message. Owned by the thread of the shard that
 * read it, like its view.
 */
public final class SplicedRequest {
    private final SipMessageView view;
    private final URI requestUri;
    private final Address from;
    private final Address to;
    /** Headers a step asked for as models, removed or added, by lower-case full name; in the order first touched. */
    private final Map<String, Edited> edited = new LinkedHashMap<>(4);

    private record Edited(SipHeaderName name, List<SIPHeader> models) { }

    private SplicedRequest(SipMessageView view, URI requestUri, Address from, Address to) {
        this.view = view;
        this.requestUri = requestUri;
        this.from = from;
        this.to = to;
    }

    /** Reads a gated request's routing fields into models. */
    public static SplicedRequest of(SipMessageView view) throws SipParseException {
        if (!view.isRequest()) {
            throw new SipParseException("not a request", null);
        }
        try {
            AddressFactoryImpl addresses = new AddressFactoryImpl();
            // The request line's own URI parser: the factory's refuses a scheme not in lower case (Tel:).
            return new SplicedRequest(view, new URLParser(view.requestUri()).uriReference(true),
                    addresses.createAddress(view.from().address()), addresses.createAddress(view.to().address()));
        } catch (ParseException e) {
            throw new SipParseException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // jain-sip-ri signals some malformed inputs with unchecked exceptions; they are parse failures too.
            throw new SipParseException(e.toString(), e);
        }
    }

    public SipMessageView view() {
        return view;
    }

    public String method() {
        return view.method();
    }

    public String callId() {
        return view.callId();
    }

    /** The Request-URI's model; edits to it reach no message until a writer's request line names it. */
    public URI requestUri() {
        return requestUri;
    }

    /** The From's address (without the header's parameters); the relay writes From from it for every branch. */
    public Address fromAddress() {
        return from;
    }

    /** The To's address (without the header's parameters). */
    public Address toAddress() {
        return to;
    }

    /** Every value of the named header, one per header line as received, or as the steps left them. */
    public List<String> values(String name) {
        SipHeaderName header = SipHeaderName.of(name);
        Edited models = edited.get(header.lower());
        if (models == null) {
            return view.headers(header);
        }
        List<String> values = new ArrayList<>(models.models().size());
        for (SIPHeader model : models.models()) {
            values.add(model.getHeaderValue());
        }
        return values;
    }

    /** The first value of the named header, or null. */
    public String value(String name) {
        List<String> values = values(name);
        return values.isEmpty() ? null : values.get(0);
    }

    public boolean hasHeader(String name) {
        SipHeaderName header = SipHeaderName.of(name);
        Edited models = edited.get(header.lower());
        return models == null ? view.hasHeader(header) : !models.models().isEmpty();
    }

    /**
     * jain-sip-ri's models of the named header, one per value (comma-separated lists split), which a step may edit
     * in place: the header is written from them from now on. A value jain-sip-ri cannot read stays as text, in a
     * model of no particular type, and is written as received.
     */
    public List<SIPHeader> models(String name) {
        return edit(name).models();
    }

    public void removeHeader(String name) {
        SipHeaderName header = SipHeaderName.of(name);
        edited.put(header.lower(), new Edited(header, new ArrayList<>(1)));
    }

    /** Adds a value after the header's others. */
    public void addHeader(String name, String value) {
        Edited header = edit(name);
        parse(new HeaderFactoryImpl(), header.name(), value, header.models());
    }

    /** Whether a step edited a header (the Request-URI, From and To models are the caller's to write). */
    public boolean edited() {
        return !edited.isEmpty();
    }

    /**
     * A writer of this request with every header edit spliced in: a header the request had is written where its
     * first line stood, one it lacked after the others. The Request-URI, From and To are the caller's to write: the
     * relay writes them per branch.
     */
    public SipMessageWriter writer() {
        SipMessageWriter out = SipMessageWriter.edit(view);
        for (Edited header : edited.values()) {
            if (view.hasHeader(header.name())) {
                StringBuilder lines = new StringBuilder(64 * header.models().size());
                for (SIPHeader model : header.models()) {
                    lines.append(header.name().canonical()).append(": ").append(model.getHeaderValue()).append("\r\n");
                }
                out.lines(header.name(), header.models().isEmpty() ? null : lines.toString());
            } else {
                for (SIPHeader model : header.models()) {
                    out.add(header.name().canonical(), model.getHeaderValue());
                }
            }
        }
        return out;
    }

    private Edited edit(String name) {
        SipHeaderName header = SipHeaderName.of(name);
        return edited.computeIfAbsent(header.lower(), unused -> new Edited(header, parse(header, view.headers(header))));
    }

    private static List<SIPHeader> parse(SipHeaderName name, List<String> values) {
        List<SIPHeader> models = new ArrayList<>(Math.max(1, values.size()));
        HeaderFactoryImpl factory = new HeaderFactoryImpl();
        for (String value : values) {
            parse(factory, name, value, models);
        }
        return models;
    }

    /**
     * jain-sip-ri reads a header of a list type (P-Asserted-Identity, Privacy) only as a list and any other only
     * as a single header, and says which only by refusing the other way.
     */
    private static void parse(HeaderFactoryImpl factory, SipHeaderName name, String value, List<SIPHeader> into) {
        try {
            for (Object model : factory.createHeaders(name.canonical() + ": " + value)) {
                into.add((SIPHeader) model);
            }
            return;
        } catch (ParseException | RuntimeException notAList) {
            // tried as a single header below
        }
        try {
            into.add((SIPHeader) factory.createHeader(name.canonical(), value));
        } catch (ParseException | RuntimeException unreadable) {
            ExtensionHeaderImpl asText = new ExtensionHeaderImpl(name.canonical());
            asText.setValue(value);
            into.add(asText);
        }
    }
}
