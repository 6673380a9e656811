package org.edgesbc.core.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.edgesbc.core.registrar.RegisterRequest.Parsed;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.message.SipMessageView;
import org.junit.jupiter.api.Test;

/** Reading a phone's REGISTER as RFC 3261 §10.3 steps 6 and 7 and RFC 5626 describe. */
class RegisterRequestTest {
    private final TestFlow flow = TestFlow.tcp("198.51.100.20", 40001);

    @Test
    void readsCallIdCseqAorFlowAndZone() throws Exception {
        Parsed parsed = parse(register("Contact: <sip:1001@192.168.1.10:5060>\r\nExpires: 300\r\n"));

        assertThat(parsed.status()).isEqualTo(200);
        assertThat(parsed.reason()).isNull();
        RegisterRequest request = parsed.request();
        assertThat(request.aor()).isEqualTo("1001");
        assertThat(request.callId()).isEqualTo("reg-1@192.168.1.10");
        assertThat(request.cseq()).isEqualTo(7);
        assertThat(request.flow()).isSameAs(flow);
        assertThat(request.zone()).isEqualTo("access");
        assertThat(request.wildcard()).isFalse();
        assertThat(request.query()).isFalse();
        assertThat(request.outbound()).isFalse();
        assertThat(request.contacts()).singleElement().satisfies(c -> {
            assertThat(c.uri().toString()).isEqualTo("sip:1001@192.168.1.10:5060");
            assertThat(c.key()).isEqualTo("sip:1001@192.168.1.10:5060");
            assertThat(c.expires()).isEqualTo(300);
        });
    }

    @Test
    void contactExpiresParameterWinsOverTheExpiresHeader() throws Exception {
        Parsed parsed = parse(register("Contact: <sip:1001@192.168.1.10:5060>;expires=120, "
                + "<sip:1001@192.168.1.10:5070>\r\nExpires: 300\r\n"));

        assertThat(parsed.request().contacts()).extracting(RequestedContact::expires).containsExactly(120L, 300L);
    }

    @Test
    void contactsInSeparateHeadersAreAllRead() throws Exception {
        Parsed parsed = parse(register("Contact: <sip:1001@192.168.1.10:5060>;expires=0\r\n"
                + "Contact: <sip:1001@192.168.1.10:5070>;expires=60\r\n"));

        assertThat(parsed.request().contacts()).extracting(c -> c.uri().toString(), RequestedContact::expires)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sip:1001@192.168.1.10:5060", 0L),
                        org.assertj.core.groups.Tuple.tuple("sip:1001@192.168.1.10:5070", 60L));
    }

    @Test
    void withoutAnyExpiryTheDefaultIsAnHour() throws Exception {
        Parsed parsed = parse(register("Contact: <sip:1001@192.168.1.10:5060>\r\n"));

        assertThat(parsed.request().contacts()).singleElement()
                .extracting(RequestedContact::expires).isEqualTo(RegisterRequest.DEFAULT_EXPIRES);
        assertThat(RegisterRequest.DEFAULT_EXPIRES).isEqualTo(3600);
    }

    @Test
    void expiresHeaderZeroRemovesEveryListedContact() throws Exception {
        Parsed parsed = parse(register("Contact: <sip:1001@192.168.1.10:5060>\r\nExpires: 0\r\n"));

        assertThat(parsed.request().contacts()).singleElement().extracting(RequestedContact::expires).isEqualTo(0L);
        assertThat(parsed.request().wildcard()).isFalse();
    }

    @Test
    void wildcardWithExpiresZeroRemovesAll() throws Exception {
        Parsed parsed = parse(register("Contact: *\r\nExpires: 0\r\n"));

        assertThat(parsed.status()).isEqualTo(200);
        assertThat(parsed.request().wildcard()).isTrue();
        assertThat(parsed.request().contacts()).isEmpty();
        assertThat(parsed.request().query()).isFalse();
    }

    @Test
    void wildcardWithAnotherContactIsRefused() throws Exception {
        Parsed parsed = parse(register("Contact: *\r\nContact: <sip:1001@192.168.1.10:5060>\r\nExpires: 0\r\n"));

        assertThat(parsed.status()).isEqualTo(400);
        assertThat(parsed.request()).isNull();
        assertThat(parsed.reason()).isNotBlank();
    }

    @Test
    void wildcardWithoutExpiresIsRefused() throws Exception {
        Parsed parsed = parse(register("Contact: *\r\n"));

        assertThat(parsed.status()).isEqualTo(400);
        assertThat(parsed.request()).isNull();
    }

    @Test
    void wildcardWithANonZeroExpiresIsRefused() throws Exception {
        Parsed parsed = parse(register("Contact: *\r\nExpires: 60\r\n"));

        assertThat(parsed.status()).isEqualTo(400);
    }

    @Test
    void noContactIsAQuery() throws Exception {
        Parsed parsed = parse(register(""));

        assertThat(parsed.status()).isEqualTo(200);
        assertThat(parsed.request().contacts()).isEmpty();
        assertThat(parsed.request().wildcard()).isFalse();
        assertThat(parsed.request().query()).isTrue();
    }

    @Test
    void outboundInstanceAndRegIdMakeTheKey() throws Exception {
        String instance = "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"";
        Parsed first = parse(register("Contact: <sip:1001@10.0.0.5:5060;transport=tcp;ob>;" + instance
                + ";reg-id=1\r\nSupported: path, outbound\r\n"));
        Parsed moved = parse(register("Contact: <sip:1001@10.0.0.99:5999;transport=tcp;ob>;" + instance
                + ";reg-id=1\r\nSupported: outbound\r\n"));
        Parsed secondFlow = parse(register("Contact: <sip:1001@10.0.0.5:5060;transport=tcp;ob>;" + instance
                + ";reg-id=2\r\nSupported: outbound\r\n"));

        String key = first.request().contacts().get(0).key();
        assertThat(key).startsWith("instance:").contains("urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF")
                .endsWith(";reg-id=1");
        assertThat(moved.request().contacts().get(0).key())
                .as("the same device and reg-id is the same binding whatever its address").isEqualTo(key);
        assertThat(secondFlow.request().contacts().get(0).key()).isNotEqualTo(key);
        assertThat(first.request().outbound()).isTrue();
    }

    @Test
    void instanceWithoutRegIdIsStillKeyedByInstance() throws Exception {
        Parsed parsed = parse(register("Contact: <sip:1001@10.0.0.5:5060>;"
                + "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"\r\n"));

        assertThat(parsed.request().contacts().get(0).key()).startsWith("instance:").endsWith(";reg-id=");
    }

    @Test
    void supportedOutboundIsRecognisedInAnyListPositionAndCase() throws Exception {
        assertThat(parse(register("Contact: <sip:1001@10.0.0.5:5060>\r\nSupported: replaces\r\n"
                + "Supported: path, OutBound\r\n")).request().outbound()).isTrue();
        assertThat(parse(register("Contact: <sip:1001@10.0.0.5:5060>\r\nSupported: replaces, path\r\n"))
                .request().outbound()).isFalse();
    }

    @Test
    void moreThanTheContactLimitIsRefused() throws Exception {
        String contacts = IntStream.range(0, RegisterRequest.MAX_CONTACTS + 1)
                .mapToObj(i -> "Contact: <sip:1001@192.168.1.10:" + (5000 + i) + ">\r\n")
                .collect(Collectors.joining());
        String atLimit = IntStream.range(0, RegisterRequest.MAX_CONTACTS)
                .mapToObj(i -> "Contact: <sip:1001@192.168.1.10:" + (5000 + i) + ">\r\n")
                .collect(Collectors.joining());

        assertThat(parse(register(contacts)).status()).isEqualTo(400);
        assertThat(parse(register(atLimit)).request().contacts()).hasSize(RegisterRequest.MAX_CONTACTS);
    }

    @Test
    void expiriesThatAreNotNumbersOfSecondsAreRefused() throws Exception {
        assertThat(parse(register("Contact: <sip:1001@192.168.1.10:5060>\r\nExpires: soon\r\n")).status())
                .isEqualTo(400);
        assertThat(parse(register("Contact: <sip:1001@192.168.1.10:5060>;expires=-5\r\n")).status())
                .isEqualTo(400);
    }

    @Test
    void aContactThatIsNoNameAddrOrAddrSpecIsRefused() throws Exception {
        Parsed parsed = parse(register("Contact: <sip:1001@192.168.1.10:5060\r\n"));

        assertThat(parsed.status()).isEqualTo(400);
        assertThat(parsed.reason()).isEqualTo("unreadable Contact");
    }

    @Test
    void compactContactsAndAddrSpecsWithHeaderParametersAreRead() throws Exception {
        Parsed parsed = parse(register("m: sip:1001@192.168.1.10:5060;expires=90, \"Desk\" <sip:1001@10.0.0.7>\r\n"));

        assertThat(parsed.request().contacts()).extracting(c -> c.uri().toString(), RequestedContact::key,
                RequestedContact::expires).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("sip:1001@192.168.1.10:5060", "sip:1001@192.168.1.10:5060",
                                90L),
                        org.assertj.core.groups.Tuple.tuple("sip:1001@10.0.0.7", "sip:1001@10.0.0.7",
                                RegisterRequest.DEFAULT_EXPIRES));
    }

    private Parsed parse(String text) throws SipParseException {
        return RegisterRequest.parse(SipMessageView.parse(text.getBytes(StandardCharsets.UTF_8)), "1001", flow,
                "access");
    }

    private static String register(String extraHeaders) {
        return "REGISTER sip:sbc.example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bK-reg-1;rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:1001@sbc.example.com>;tag=phone-tag\r\n"
                + "To: <sip:1001@sbc.example.com>\r\n"
                + "Call-ID: reg-1@192.168.1.10\r\n"
                + "CSeq: 7 REGISTER\r\n"
                + extraHeaders
                + "User-Agent: TestPhone/1.0\r\n"
                + "Content-Length: 0\r\n"
                + "\r\n";
    }
}
