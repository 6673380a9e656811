package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgesbc.fixtures.rfc4475.Rfc4475Vectors;
import org.edgesbc.transport.SipMessageParser;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.TransportConfig;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;
import org.junit.jupiter.api.Test;

/**
 * The relay's own reader against jain-sip-ri on the same gated bytes: both must accept and reject the same messages
 * and, where both accept, read the same method or status, Call-ID, CSeq, tags, top Via branch and sent-by, Contact
 * and Request-URI, Content-Length and body; for a request, what the relay's steps read of it as a
 * {@link SplicedRequest} too. Inputs: the 49 RFC 4475 torture messages and a seeded corpus of
 * generated and mutated messages, every one first put through the strict gate as the transport does.
 */
class SipMessageViewDifferentialTest {
    private static final int GENERATED = 8_000;
    private static final int MUTATED = 16_000;

    private final SipMessageGate gate = new SipMessageGate(TransportConfig.GateLimits.DEFAULTS);

    @Test
    void agreesWithJainSipOnTheRfc4475TortureMessages() {
        Path vectors = Rfc4475Vectors.find();
        assumeTrue(vectors != null, Rfc4475Vectors.howToProvide());
        Map<String, byte[]> messages = Rfc4475Vectors.read(vectors);
        assertThat(messages).hasSize(49);
        Comparison comparison = new Comparison();
        messages.forEach((name, bytes) -> comparison.compare(name, bytes, name.equals("longreq")));
        comparison.assertAgreement();
    }

    @Test
    void agreesWithJainSipOnGeneratedAndMutatedMessages() {
        SipMessageCorpus corpus = new SipMessageCorpus(4475);
        Comparison comparison = new Comparison();
        List<byte[]> messages = new ArrayList<>(corpus.wellFormed(GENERATED));
        messages.addAll(corpus.mutated(MUTATED));
        for (int i = 0; i < messages.size(); i++) {
            comparison.compare("#" + i, messages.get(i), false);
        }
        comparison.assertAgreement();
        assertThat(comparison.compared).as("messages the gate let through to both parsers").isGreaterThan(10_000);
        assertThat(comparison.bothAccepted).as("messages both parsers read").isGreaterThan(8_000);
        assertThat(comparison.readWithTheGatesIndex).as("messages read with the gate's index").isGreaterThan(8_000);
        assertThat(comparison.gateRejected).as("mutated messages the gate refused before either parser")
                .isGreaterThan(MUTATED / 4);
        System.out.printf("differential: %d messages, %d refused by the gate, %d read by both parsers, %d refused"
                + " by both, 0 disagreements%n", messages.size(), comparison.gateRejected, comparison.bothAccepted,
                comparison.bothRejected);
    }

    private final class Comparison {
        int gateRejected;
        int compared;
        int bothAccepted;
        int bothRejected;
        /** Messages read with the gate's index, as the relay reads them, rather than with the reader's own pass. */
        int readWithTheGatesIndex;
        final List<String> disagreements = new ArrayList<>();

        void compare(String name, byte[] raw, boolean stream) {
            GateResult gated = gate.check(raw.clone(), raw.length, stream);
            if (!gated.accepted()) {
                gateRejected++;
                return;
            }
            compared++;
            byte[] bytes = gated.message();
            if (gated.headers() != null) {
                readWithTheGatesIndex++;
            }
            SipMessageView view;
            String viewError = null;
            try {
                // As the relay reads it: with the header lines where the gate found them.
                view = SipMessageView.parse(bytes.clone(), gated.headers());
            } catch (SipParseException e) {
                view = null;
                viewError = e.getMessage();
            }
            String ownPass = sameAsOwnPass(view, bytes);
            if (ownPass != null) {
                disagree(name, bytes, ownPass);
                return;
            }
            SIPMessage reference;
            String referenceError = null;
            try {
                reference = SipMessageParser.parse(bytes.clone());
            } catch (SipParseException e) {
                reference = null;
                referenceError = e.getMessage();
            }
            if (view == null && reference == null) {
                bothRejected++;
                return;
            }
            if (view == null || reference == null) {
                disagree(name, bytes, view == null ? "only jain-sip-ri accepts; view: " + viewError
                        : "only the view accepts; jain-sip-ri: " + referenceError);
                return;
            }
            bothAccepted++;
            List<String> differences = differences(view, reference);
            if (!differences.isEmpty()) {
                disagree(name, bytes, String.join("; ", differences));
            }
        }

        /** Null when the view the reader's own pass over {@code bytes} makes has the same lines as {@code view}. */
        private String sameAsOwnPass(SipMessageView view, byte[] bytes) {
            SipMessageView own;
            try {
                own = SipMessageView.parse(bytes.clone());
            } catch (SipParseException e) {
                return view == null ? null : "only the gate's index is read; the reader's own pass: " + e.getMessage();
            }
            if (view == null) {
                return "only the reader's own pass is read";
            }
            if (own.headerCount() != view.headerCount() || own.bodyLength() != view.bodyLength()) {
                return "the gate's index and the reader's own pass differ in headers or body";
            }
            for (int h = 0; h < own.headerCount(); h++) {
                if (own.lineStart(h) != view.lineStart(h) || own.lineEnd(h) != view.lineEnd(h)
                        || !own.value(h).equals(view.value(h))) {
                    return "the gate's index and the reader's own pass differ at header " + h;
                }
            }
            return null;
        }

        private void disagree(String name, byte[] bytes, String what) {
            if (disagreements.size() < 25) {
                disagreements.add(name + ": " + what + "\n" + new String(bytes, StandardCharsets.UTF_8));
            } else if (disagreements.size() == 25) {
                disagreements.add("...");
            }
        }

        void assertAgreement() {
            assertThat(disagreements).as("disagreements").isEmpty();
        }
    }

    private static List<String> differences(SipMessageView view, SIPMessage reference) {
        List<String> out = new ArrayList<>();
        if (reference instanceof SIPRequest request) {
            same(out, "request", true, view.isRequest());
            same(out, "method", request.getMethod(), view.method());
            same(out, "Request-URI", request.getRequestURI().toString(), asJainSipWritesIt(view.requestUri()));
            splicedModels(out, view, request);
        } else {
            SIPResponse response = (SIPResponse) reference;
            same(out, "request", false, view.isRequest());
            same(out, "status", response.getStatusCode(), view.statusCode());
        }
        same(out, "Call-ID", reference.getCallId().getCallId(), view.callId());
        same(out, "CSeq number", reference.getCSeq().getSeqNumber(), view.cseqNumber());
        same(out, "CSeq method", reference.getCSeq().getMethod(), view.cseqMethod());
        same(out, "From tag", reference.getFromTag(), view.from().tag());
        same(out, "To tag", reference.getToTag(), view.to().tag());
        Via top = reference.getTopmostVia();
        same(out, "Via branch", top.getBranch(), view.topVia().branch());
        same(out, "Via host", top.getHost(), view.topVia().host());
        same(out, "Via port", top.getPort(), view.topVia().port());
        Contact contact = reference.getContactHeader();
        List<NameAddress> contacts = view.contacts();
        String referenceContact = contact == null ? null : contact.getAddress() == null
                || ((AddressImpl) contact.getAddress()).getAddressType() == AddressImpl.WILD_CARD ? "*"
                : contact.getAddress().getURI().toString();
        String viewContact = contacts == null ? "(malformed)" : contacts.isEmpty() ? null
                : contacts.get(0).isWildcard() ? "*" : asJainSipWritesIt(contacts.get(0).uri());
        same(out, "Contact", referenceContact, viewContact);
        same(out, "Content-Length", reference.getContentLength().getContentLength(), view.bodyLength());
        byte[] body = reference.getRawContent();
        if (!Arrays.equals(body == null ? new byte[0] : body, view.body())) {
            out.add("body differs");
        }
        return out;
    }

    /**
     * What the relay's steps read of an initial request ({@link SplicedRequest}: jain-sip-ri models of the
     * Request-URI, From and To taken from the view) is what jain-sip-ri read of the whole message, and a request
     * spliced without edits reads as the one received.
     */
    private static void splicedModels(List<String> out, SipMessageView view, SIPRequest request) {
        SplicedRequest spliced;
        SipMessageView rewritten;
        try {
            spliced = SplicedRequest.of(view);
            rewritten = SipMessageView.parse(spliced.writer().toBytes());
        } catch (SipParseException e) {
            out.add("spliced request refused: " + e.getMessage());
            return;
        }
        same(out, "Request-URI model", request.getRequestURI().toString(), spliced.requestUri().toString());
        // The view hands an addr-spec over in angle brackets (see NameAddress#address): the same URI and display
        // name, written as a name-addr.
        same(out, "From URI", request.getFrom().getAddress().getURI().toString(),
                spliced.fromAddress().getURI().toString());
        same(out, "From display name", request.getFrom().getAddress().getDisplayName(),
                spliced.fromAddress().getDisplayName());
        same(out, "To URI", request.getTo().getAddress().getURI().toString(), spliced.toAddress().getURI().toString());
        same(out, "To display name", request.getTo().getAddress().getDisplayName(),
                spliced.toAddress().getDisplayName());
        // The writer states Content-Length itself, last; every other line must come back as it was.
        same(out, "spliced without edits", withoutContentLength(view), withoutContentLength(rewritten));
    }

    private static String withoutContentLength(SipMessageView message) {
        return new String(message.bytes(), StandardCharsets.UTF_8)
                .replaceAll("(?im)^(content-length|l)[ \\t]*:[^\\r]*\\r\\n", "");
    }

    /**
     * A URI as jain-sip-ri writes it back, to compare what it read: the scheme in lower case (schemes compare
     * case-insensitively, RFC 3261 §19.1.4) and the port without leading zeros.
     */
    private static String asJainSipWritesIt(String uri) {
        int colon = uri.indexOf(':');
        return (uri.substring(0, colon).toLowerCase(java.util.Locale.ROOT) + uri.substring(colon))
                .replaceFirst(":0+(\\d+)(?=[;?]|$)", ":$1");
    }

    private static void same(List<String> out, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            out.add(what + ": jain-sip-ri " + expected + ", view " + actual);
        }
    }
}
