package org.edgesbc.core.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SdpBodyTest {
    private static final String OFFER = String.join("\r\n",
            "v=0",
            "o=alice 2890844526 2890844526 IN IP4 192.0.2.10",
            "s=-",
            "c=IN IP4 192.0.2.10",
            "t=0 0",
            "m=audio 49170 RTP/AVP 0 8 101",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-16",
            "a=rtcp:49181",
            "a=ice-ufrag:8hhY",
            "a=ice-pwd:asd88fgpdd777uzjYhagZg",
            "a=candidate:1 1 UDP 2130706431 192.0.2.10 49170 typ host",
            "a=sendrecv",
            "m=video 51372 RTP/AVP 96",
            "c=IN IP4 192.0.2.11",
            "a=rtpmap:96 H264/90000",
            "") ;

    @Test
    void announcedAddressesArePerStream() {
        SdpBody sdp = SdpBody.parse(OFFER);
        assertThat(sdp.streams()).hasSize(2);
        assertThat(sdp.streams().get(0).rtp()).isEqualTo(new InetSocketAddress("192.0.2.10", 49170));
        assertThat(sdp.streams().get(0).rtcp()).isEqualTo(new InetSocketAddress("192.0.2.10", 49181));
        assertThat(sdp.streams().get(1).rtp()).isEqualTo(new InetSocketAddress("192.0.2.11", 51372));
        assertThat(sdp.streams().get(1).rtcp()).isEqualTo(new InetSocketAddress("192.0.2.11", 51373));
        assertThat(sdp.onHold()).isFalse();
    }

    @Test
    void rewriteHidesEveryAddressKeepsCodecsAndStripsIce() {
        String rewritten = SdpBody.parse(OFFER).rewrite("203.0.113.5", new int[] {10000, 10004}, new String[2]);
        assertThat(rewritten).doesNotContain("192.0.2.10", "192.0.2.11", "ice-", "candidate")
                .contains("o=alice 2890844526 2890844526 IN IP4 203.0.113.5\r\n")
                .contains("c=IN IP4 203.0.113.5\r\n")
                .contains("m=audio 10000 RTP/AVP 0 8 101\r\n", "m=video 10004 RTP/AVP 96\r\n")
                .contains("a=rtcp:10001\r\n", "a=rtpmap:101 telephone-event/8000\r\n", "a=fmtp:101 0-16\r\n");
    }

    @Test
    void holdKeepsItsMeaningAndRejectedStreamsStayRejected() {
        String hold = OFFER.replace("c=IN IP4 192.0.2.10", "c=IN IP4 0.0.0.0").replace("a=sendrecv", "a=sendonly")
                .replace("m=video 51372", "m=video 0");
        SdpBody sdp = SdpBody.parse(hold);
        assertThat(sdp.streams().get(0).hold()).isTrue();
        assertThat(sdp.streams().get(0).rtp()).isNull();
        assertThat(sdp.streams().get(1).rejected()).isTrue();
        assertThat(sdp.onHold()).isTrue();
        String rewritten = sdp.rewrite("203.0.113.5", new int[] {10000, 10004}, new String[2]);
        assertThat(rewritten).contains("c=IN IP4 0.0.0.0\r\n", "a=sendonly", "m=video 0 RTP/AVP 96");
    }

    @Test
    void unusableSdpIsRefused() {
        assertThatThrownBy(() -> SdpBody.parse("v=0\r\ns=-\r\n")).hasMessageContaining("no m= line");
        assertThatThrownBy(() -> SdpBody.parse(OFFER.replace("c=IN IP4 192.0.2.10", "c=IN IP4 evil.example")))
                .hasMessageContaining("not an IP literal");
        assertThatThrownBy(() -> SdpBody.parse(OFFER.replace("49170", "99999"))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> SdpBody.parse("v=0\r\nc=IN IP4 192.0.2.1\r\n" + "m=audio 1 RTP/AVP 0\r\n".repeat(17)))
                .hasMessageContaining("more than 16");
    }
}
