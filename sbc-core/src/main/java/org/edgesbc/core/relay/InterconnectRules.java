package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.SIPHeader;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.HeaderAddress;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.interconnect.DirectionRules;
import org.edgesbc.policy.interconnect.NumberFormat;
import org.edgesbc.policy.interconnect.NumberFormatter;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * Number and header rules between zones (zones.*.number-plan, inbound, outbound): an initial request gets the
 * inbound rules of the zone it came from, then the outbound rules of the zone it goes to, each in the order
 * {@link DirectionRules} documents (removed headers, calling and called numbers, P-Asserted-Identity, Diversion,
 * From host, privacy, added headers). Numbers are read with the plan of the zone they were written for (the source
 * zone's for inbound rules and for the numbers as received, the target's after its outbound rules wrote them).
 *
 * <p>Two moments, because topology hiding rewrites From per branch: {@link #apply} edits jain-sip-ri's model after
 * routing (and the branches' Request-URI and To follow the called number), {@link #callerAddress} finishes the From
 * the far side sees (its host and RFC 3323 anonymity). Immutable; shared by the shards.
 */
final class InterconnectRules {
    /** No zone has rules: plans and host are never read. */
    static final InterconnectRules NONE = new InterconnectRules(Map.of(), null, null);
    /** RFC 3323 §4.1.1.3: the From of a request whose sender asked for privacy. */
    private static final String ANONYMOUS_USER = "anonymous";
    private static final String ANONYMOUS_HOST = "anonymous.invalid";
    private static final String ASSERTED = "P-Asserted-Identity";
    private static final SipHeaderName PRIVACY = SipHeaderName.of("Privacy");

    private final Map<String, ZoneConfig.Rules> rules;
    private final DialPlan operatorPlan;
    private final String sbcHost;

    /**
     * @param rules by zone name; zones without are left alone
     * @param operatorPlan the plan of zones that name none (fraud.dial-plan)
     * @param sbcHost the host topology hiding puts in From, for a P-Asserted-Identity made from it
     */
    InterconnectRules(Map<String, ZoneConfig.Rules> rules, DialPlan operatorPlan, String sbcHost) {
        this.rules = Map.copyOf(rules);
        this.operatorPlan = operatorPlan;
        this.sbcHost = sbcHost;
    }

    /**
     * Applies the source zone's inbound and the target zone's outbound rules to {@code request} and returns the
     * branches with the called number in their Request-URI and To where they carry the called number.
     */
    List<DialogLayer.Branch> apply(SplicedRequest request, String fromZone, List<DialogLayer.Branch> branches) {
        String toZone = branches.get(0).zone();
        ZoneConfig.Rules source = rulesOf(fromZone);
        ZoneConfig.Rules target = rulesOf(toZone);
        if (source.inbound().changesNothing() && target.outbound().changesNothing()) {
            return branches;
        }
        String calledBefore = TopologyHiding.userOf(request.requestUri());
        DialPlan sourcePlan = planOf(source);
        applyDirection(request, source.inbound(), sourcePlan, sourcePlan);
        applyDirection(request, target.outbound(), sourcePlan, planOf(target));
        String calledAfter = TopologyHiding.userOf(request.requestUri());
        if (calledBefore == null || calledBefore.equals(calledAfter)) {
            return branches;
        }
        List<DialogLayer.Branch> rewritten = new ArrayList<>(branches.size());
        for (DialogLayer.Branch branch : branches) {
            URI requestUri = branch.requestUri();
            Address callee = branch.callee();
            if (calledBefore.equals(TopologyHiding.userOf(requestUri))) {
                requestUri = (URI) requestUri.clone();
                setUser(requestUri, calledAfter);
            }
            if (calledBefore.equals(TopologyHiding.userOf(callee.getURI()))) {
                callee = (Address) callee.clone();
                setUser(callee.getURI(), calledAfter);
            }
            rewritten.add(new DialogLayer.Branch(branch.zone(), branch.flow(), requestUri, callee, branch.peer()));
        }
        return rewritten;
    }

    /**
     * The From the far side sees, after topology hiding put the SBC's host in {@code hidden}: the rules' From
     * host (the target's outbound over the source's inbound), or RFC 3323's anonymous From when a zone honours
     * privacy and the request asks for it.
     */
    Address callerAddress(Address hidden, SplicedRequest request, String fromZone, String toZone) {
        DirectionRules inbound = rulesOf(fromZone).inbound();
        DirectionRules outbound = rulesOf(toZone).outbound();
        if ((inbound.honourPrivacy() || outbound.honourPrivacy()) && asksForIdentityPrivacy(request)) {
            return anonymous();
        }
        String host = outbound.fromHost() != null ? outbound.fromHost() : inbound.fromHost();
        return host == null ? hidden : TopologyHiding.withHost(hidden, host, -1);
    }

    private void applyDirection(SplicedRequest request, DirectionRules direction, DialPlan readPlan, DialPlan writePlan) {
        if (direction.changesNothing()) {
            return;
        }
        for (String name : direction.removeHeaders()) {
            request.removeHeader(name);
        }
        formatNumbers(request, direction, readPlan, writePlan);
        switch (direction.assertedIdentity()) {
            case STRIP -> request.removeHeader(ASSERTED);
            case FROM -> {
                request.removeHeader(ASSERTED);
                String host = direction.fromHost() != null ? direction.fromHost() : sbcHost;
                String user = TopologyHiding.userOf(request.fromAddress().getURI());
                request.addHeader(ASSERTED, "<sip:" + (user == null ? ANONYMOUS_USER : user) + "@" + host + ">");
            }
            default -> { }
        }
        if (direction.stripDiversion()) {
            request.removeHeader("Diversion");
        }
        if (direction.honourPrivacy() && asksForIdentityPrivacy(request)) {
            // RFC 3325 §9.3: an asserted identity the caller wants private does not leave the trust domain.
            request.removeHeader(ASSERTED);
            request.removeHeader("P-Preferred-Identity");
        }
        direction.addHeaders().forEach((name, value) -> {
            request.removeHeader(name);
            request.addHeader(name, value);
        });
    }

    private static void formatNumbers(SplicedRequest request, DirectionRules direction, DialPlan readPlan,
            DialPlan writePlan) {
        if (direction.callingNumber() != NumberFormat.AS_DIALLED) {
            reformat(request.fromAddress().getURI(), direction.callingNumber(), readPlan, writePlan);
            for (SIPHeader asserted : request.models(ASSERTED)) {
                if (asserted instanceof HeaderAddress header) {
                    reformat(header.getAddress().getURI(), direction.callingNumber(), readPlan, writePlan);
                }
            }
        }
        if (direction.calledNumber() != NumberFormat.AS_DIALLED) {
            reformat(request.requestUri(), direction.calledNumber(), readPlan, writePlan);
            reformat(request.toAddress().getURI(), direction.calledNumber(), readPlan, writePlan);
        }
    }

    private static void reformat(URI uri, NumberFormat format, DialPlan readPlan, DialPlan writePlan) {
        String user = TopologyHiding.userOf(uri);
        if (user != null && uri instanceof SipURI) {
            setUser(uri, NumberFormatter.format(user, readPlan, writePlan, format));
        }
    }

    private static void setUser(URI uri, String user) {
        if (uri instanceof SipURI sip) {
            try {
                sip.setUser(user);
            } catch (ParseException e) {
                throw new IllegalStateException("cannot set a formatted number", e);
            }
        }
    }

    /**
     * Whether the Referred-By of a REFER from {@code fromZone} toward {@code toZone} must be anonymous: a zone on
     * the way honours privacy (the same {@code privacy: honour} as for From) and the referrer asked for it with
     * {@code Privacy: id} (RFC 3325 §9.3) or {@code user} (RFC 3323 §4.2, the user-level headers naming it).
     */
    boolean hidesReferrer(SipMessageView refer, String fromZone, String toZone) {
        boolean honoured = rulesOf(fromZone).inbound().honourPrivacy() || rulesOf(toZone).outbound().honourPrivacy();
        if (!honoured) {
            return false;
        }
        for (String value : refer.headers(PRIVACY)) {
            if (asks(value, "id") || asks(value, "user")) {
                return true;
            }
        }
        return false;
    }

    /** The anonymous name-addr of RFC 3323 §4.1.1.3, as header text. */
    static String anonymousNameAddr() {
        return "\"Anonymous\" <sip:" + ANONYMOUS_USER + "@" + ANONYMOUS_HOST + ">";
    }

    /** RFC 3323 §4.2 / RFC 3325 §9.3: a Privacy header with the {@code id} value. */
    private static boolean asksForIdentityPrivacy(SplicedRequest request) {
        for (String value : request.values("Privacy")) {
            if (asks(value, "id")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a Privacy header value ({@code priv-value *(";" priv-value)}) names {@code wanted}. */
    private static boolean asks(String value, String wanted) {
        for (String token : value.split("[;,]")) {
            if (token.trim().toLowerCase(Locale.ROOT).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static Address anonymous() {
        AddressImpl address = new AddressImpl();
        SipUri uri = new SipUri();
        try {
            uri.setUser(ANONYMOUS_USER);
            uri.setHost(ANONYMOUS_HOST);
            address.setAddess(uri);
            address.setDisplayName("Anonymous");
        } catch (ParseException e) {
            throw new IllegalStateException("cannot write the anonymous From", e);
        }
        return address;
    }


    private ZoneConfig.Rules rulesOf(String zone) {
        ZoneConfig.Rules zoneRules = rules.get(zone);
        return zoneRules == null ? ZoneConfig.Rules.NONE : zoneRules;
    }

    private DialPlan planOf(ZoneConfig.Rules zoneRules) {
        return zoneRules.numberPlan() != null ? zoneRules.numberPlan() : operatorPlan;
    }
}
