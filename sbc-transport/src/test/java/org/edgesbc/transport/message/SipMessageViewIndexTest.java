package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Each view keeps its own index of its header lines; a message the SBC wrote has its routing headers decoded when
 * first read.
 */
class SipMessageViewIndexTest {
    @Test
    void messagesOfEverySizeReadOneAfterAnotherKeepTheirOwnHeaders() throws Exception {
        for (int extra : new int[] {0, 40, 0, 400, 3, 30, 0}) {
            SipMessageView view = parse(extra);
            assertThat(view.headerCount()).isEqualTo(extra + 6);
            assertThat(view.callId()).isEqualTo("call-" + extra);
            assertThat(view.headers(SipHeaderName.of("X-Extra")))
                    .containsExactlyElementsOf(IntStream.range(0, extra).mapToObj(i -> "v" + i).toList());
            assertThat(view.header(SipHeaderName.CONTENT_LENGTH)).isEqualTo("0");
        }
    }

    @Test
    void aViewIsNotChangedByTheMessagesReadAfterIt() throws Exception {
        SipMessageView first = parse(2);
        parse(50);
        parse(0);
        assertThat(first.headers(SipHeaderName.of("X-Extra"))).containsExactly("v0", "v1");
        assertThat(first.callId()).isEqualTo("call-2");
    }

    @Test
    void aWrittenMessageReadsAsAReceivedOne() throws Exception {
        byte[] bytes = text(3).getBytes(StandardCharsets.UTF_8);
        SipMessageView written = SipMessageView.parseWritten(bytes);
        SipMessageView received = SipMessageView.parse(bytes);
        assertThat(written.callId()).isEqualTo(received.callId()).isEqualTo("call-3");
        assertThat(written.method()).isEqualTo("OPTIONS");
        assertThat(written.cseqNumber()).isEqualTo(received.cseqNumber());
        assertThat(written.from().tag()).isEqualTo("1");
        assertThat(written.to().tag()).isNull();
        assertThat(written.topVia().branch()).isEqualTo("z9hG4bK-3");
    }

    @Test
    void aWrittenMessageWithABadRoutingHeaderFailsWhenItIsRead() throws Exception {
        byte[] bytes = text(0).replace("From: <sip:a@192.0.2.1>;tag=1", "From: <sip:a@192.0.2.1;tag=1")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SipMessageView.parse(bytes)).hasMessageContaining("From");
        SipMessageView written = SipMessageView.parseWritten(bytes);
        assertThat(written.headerCount()).as("its lines are indexed").isEqualTo(6);
        assertThatThrownBy(written::from).isInstanceOf(IllegalStateException.class).hasMessageContaining("From");
    }

    private static SipMessageView parse(int extra) throws Exception {
        return SipMessageView.parse(text(extra).getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(int extra) {
        String extras = IntStream.range(0, extra).mapToObj(i -> "X-Extra: v" + i + "\r\n").collect(Collectors.joining());
        return "OPTIONS sip:b@192.0.2.2 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-" + extra + "\r\n"
                + "From: <sip:a@192.0.2.1>;tag=1\r\n"
                + "To: <sip:b@192.0.2.2>\r\n"
                + "Call-ID: call-" + extra + "\r\n"
                + extras
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
