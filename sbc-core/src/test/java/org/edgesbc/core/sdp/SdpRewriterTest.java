package org.edgesbc.core.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.media.srtp.SrtpSuite;
import org.junit.jupiter.api.Test;

class SdpRewriterTest {
    private static final String SBC = "203.0.113.5";
    private static final String PHONE_KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

    private static final String AUDIO_VIDEO = lines(
            "v=0",
            "o=phone 2890844526 2890844527 IN IP4 192.0.2.10",
            "s=Acme SoftPhone 4.2",
            "c=IN IP4 192.0.2.10",
            "t=0 0",
            "a=ice-options:trickle",
            "a=group:BUNDLE 0 1",
            "m=audio 49170 RTP/AVP 0 8 101",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-16",
            "a=rtcp:49181",
            "a=ice-ufrag:8hhY",
            "a=ice-pwd:asd88fgpdd777uzjYhagZg",
            "a=candidate:1 1 UDP 2130706431 192.0.2.10 49170 typ host",
            "a=candidate:2 1 UDP 1694498815 198.51.100.7 61665 typ srflx raddr 192.0.2.10 rport 49170",
            "a=end-of-candidates",
            "a=ssrc-group:FID 3735928559 3735928560",
            "a=ssrc:3735928559 cname:alice@192.0.2.10",
            "a=sendrecv",
            "m=video 51372 RTP/AVP 96",
            "c=IN IP4 192.0.2.11",
            "a=rtpmap:96 H264/90000",
            "a=sendrecv");

    private static String lines(String... lines) {
        return String.join("\r\n", lines) + "\r\n";
    }

    private static SdesCrypto sbcKeys() {
        return new SdesCrypto(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(new SecureRandom()));
    }

    private static SdpRewriteParams plain(SdpOrigin previous, int... ports) {
        List<StreamPlan> plans = new java.util.ArrayList<>();
        for (int port : ports) {
            plans.add(new StreamPlan(port, null, null));
        }
        return new SdpRewriteParams(SBC, plans, SrtpPolicy.OFF, SrtpPolicy.OFF, previous);
    }

    @Test
    void audioAndVideoPointAtTheSbcWithCodecsKeptAndIceAndSourceAttributesRemoved() {
        SdpRewrite result = rewrite(AUDIO_VIDEO, plain(null, 10000, 10002));

        assertThat(result.status()).isEqualTo(SdpStatus.OK);
        assertThat(result.sdp()).isEqualTo(lines(
                "v=0",
                "o=- 2890844526 2890844527 IN IP4 203.0.113.5",
                "s=-",
                "c=IN IP4 203.0.113.5",
                "t=0 0",
                "m=audio 10000 RTP/AVP 0 8 101",
                "a=rtpmap:0 PCMU/8000",
                "a=rtpmap:8 PCMA/8000",
                "a=rtpmap:101 telephone-event/8000",
                "a=fmtp:101 0-16",
                "a=rtcp:10001",
                "a=sendrecv",
                "m=video 10002 RTP/AVP 96",
                "c=IN IP4 203.0.113.5",
                "a=rtpmap:96 H264/90000",
                "a=sendrecv"));
        assertThat(result.sdp()).doesNotContain("192.0.2.", "198.51.100.", "Acme");
        assertThat(result.announced()).hasSize(2);
        AnnouncedMedia audio = result.announced().get(0);
        assertThat(audio.rtp()).isEqualTo(new InetSocketAddress("192.0.2.10", 49170));
        assertThat(audio.rtcp()).as("a=rtcp").isEqualTo(new InetSocketAddress("192.0.2.10", 49181));
        AnnouncedMedia video = result.announced().get(1);
        assertThat(video.rtp()).as("media-level c=").isEqualTo(new InetSocketAddress("192.0.2.11", 51372));
        assertThat(video.rtcp()).isEqualTo(new InetSocketAddress("192.0.2.11", 51373));
        assertThat(result.hold()).isFalse();
    }

    @Test
    void holdKeepsTheDirectionAndTheZeroAddressAndResumeBumpsTheVersion() {
        String offer = lines("v=0", "o=pbx 7 1 IN IP4 192.0.2.20", "s=-", "c=IN IP4 192.0.2.20", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "a=sendrecv");
        SdpRewrite first = rewrite(offer, plain(null, 12000));
        assertThat(first.hold()).isFalse();

        String sendonly = offer.replace("o=pbx 7 1", "o=pbx 7 2").replace("a=sendrecv", "a=sendonly");
        SdpRewrite held = rewrite(sendonly, plain(first.origin(), 12000));
        assertThat(held.sdp()).contains("a=sendonly\r\n").contains("o=- 7 2 IN IP4 203.0.113.5");
        assertThat(held.announced().get(0).direction()).isEqualTo(MediaDirection.SENDONLY);
        assertThat(held.hold()).isTrue();

        String zero = offer.replace("c=IN IP4 192.0.2.20", "c=IN IP4 0.0.0.0");
        SdpRewrite oldStyle = rewrite(zero, plain(held.origin(), 12000));
        assertThat(oldStyle.sdp()).contains("c=IN IP4 0.0.0.0\r\n").doesNotContain("203.0.113.5\r\nt=");
        assertThat(oldStyle.announced().get(0).rtp()).as("nowhere to latch").isNull();
        assertThat(oldStyle.announced().get(0).zeroAddress()).isTrue();
        assertThat(oldStyle.hold()).isTrue();

        SdpRewrite resumed = rewrite(offer, plain(oldStyle.origin(), 12000));
        assertThat(resumed.hold()).isFalse();
        assertThat(resumed.sdp()).contains("c=IN IP4 203.0.113.5", "a=sendrecv", "o=- 7 4 IN IP4 203.0.113.5");
    }

    @Test
    void aReOfferWithTheSamePortsKeepsTheVersionAndAChangeIncrementsIt() {
        SdpRewrite first = rewrite(AUDIO_VIDEO, plain(null, 10000, 10002));
        // The sender's own version moved (a session refresh), but nothing the receiver sees changed.
        String refreshed = AUDIO_VIDEO.replace("2890844527", "2890844599");
        SdpRewrite same = rewrite(refreshed, plain(first.origin(), 10000, 10002));
        assertThat(same.sdp()).isEqualTo(first.sdp());
        assertThat(same.origin().version()).isEqualTo(2890844527L);

        String newCodecs = AUDIO_VIDEO.replace("m=audio 49170 RTP/AVP 0 8 101", "m=audio 49170 RTP/AVP 8 101");
        SdpRewrite changed = rewrite(newCodecs, plain(same.origin(), 10000, 10002));
        assertThat(changed.sdp()).contains("o=- 2890844526 2890844528 IN IP4 203.0.113.5", "m=audio 10000 ");
        assertThat(changed.origin().sessionId()).isEqualTo("2890844526");
    }

    @Test
    void rtcpMuxPassesAndTheSendersRtcpGoesToItsRtpAddress() {
        String offer = lines("v=0", "o=- 1 1 IN IP4 192.0.2.30", "s=-", "c=IN IP4 192.0.2.30", "t=0 0",
                "m=audio 5004 RTP/AVPF 111", "a=rtpmap:111 opus/48000/2", "a=rtcp:5005", "a=rtcp-mux");
        SdpRewrite result = rewrite(offer, plain(null, 14000));
        assertThat(result.sdp()).contains("a=rtcp-mux\r\n", "a=rtcp:14001\r\n");
        assertThat(result.announced().get(0).rtcpMux()).isTrue();
        assertThat(result.announced().get(0).rtcp()).as("with rtcp-mux, a=rtcp is only a fallback")
                .isEqualTo(new InetSocketAddress("192.0.2.30", 5004));
        SdpRewrite without = rewrite(offer.replace("a=rtcp-mux\r\n", ""), plain(null, 14000));
        assertThat(without.announced().get(0).rtcpMux()).isFalse();
        assertThat(without.announced().get(0).rtcp()).isEqualTo(new InetSocketAddress("192.0.2.30", 5005));
    }

    @Test
    void anRtcpAttributeWithItsOwnAddressIsReadAndRewritten() {
        String offer = lines("v=0", "o=- 1 1 IN IP4 192.0.2.31", "s=-", "c=IN IP4 192.0.2.31", "t=0 0",
                "m=audio 5004 RTP/AVP 0", "a=rtcp:6000 IN IP4 192.0.2.32");
        SdpRewrite result = rewrite(offer, plain(null, 14000));
        assertThat(result.announced().get(0).rtcp()).isEqualTo(new InetSocketAddress("192.0.2.32", 6000));
        assertThat(result.sdp()).contains("a=rtcp:14001 IN IP4 203.0.113.5\r\n").doesNotContain("192.0.2.");
    }

    @Test
    void srtpIsAddedTowardAZoneThatRequiresItAndTheSendersKeysNeverPass() {
        String plainOffer = lines("v=0", "o=pbx 1 1 IN IP4 192.0.2.40", "s=-", "c=IN IP4 192.0.2.40", "t=0 0",
                "m=audio 6000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000");
        SdesCrypto keys = sbcKeys();
        SdpRewrite toTrunk = rewrite(plainOffer, new SdpRewriteParams(SBC,
                List.of(new StreamPlan(16000, keys, null)), SrtpPolicy.OFF, SrtpPolicy.REQUIRED, null));
        assertThat(toTrunk.sdp()).contains("m=audio 16000 RTP/SAVP 0 101\r\n",
                "a=crypto:" + keys.format() + "\r\n");
        assertThat(toTrunk.announced().get(0).srtpTowardReceiver()).isTrue();
        assertThat(toTrunk.announced().get(0).senderKeys()).isNull();

        String srtpAnswer = lines("v=0", "o=trunk 9 9 IN IP4 198.51.100.1", "s=-", "c=IN IP4 198.51.100.1", "t=0 0",
                "m=audio 7000 RTP/SAVP 0 101", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + PHONE_KEY);
        SdpRewrite toPbx = rewrite(srtpAnswer, new SdpRewriteParams(SBC,
                List.of(new StreamPlan(16002, null, Boolean.FALSE)), SrtpPolicy.REQUIRED, SrtpPolicy.OFF,
                null));
        assertThat(toPbx.sdp()).contains("m=audio 16002 RTP/AVP 0 101\r\n").doesNotContain("crypto", PHONE_KEY);
        SdesCrypto trunkKeys = toPbx.announced().get(0).senderKeys();
        assertThat(trunkKeys).isNotNull();
        assertThat(trunkKeys.suite()).isEqualTo(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        assertThat(trunkKeys.keys().toInline()).isEqualTo(PHONE_KEY);
    }

    @Test
    void srtpPoliciesRefuseOfferOrIgnoreKeysAsConfigured() {
        String plainOffer = lines("v=0", "o=x 1 1 IN IP4 192.0.2.50", "s=-", "c=IN IP4 192.0.2.50", "t=0 0",
                "m=audio 6000 RTP/AVP 0");
        SdpRewrite refused = rewrite(plainOffer, new SdpRewriteParams(SBC,
                List.of(new StreamPlan(16000, sbcKeys(), null)), SrtpPolicy.REQUIRED, SrtpPolicy.OFF, null));
        assertThat(refused.status()).isEqualTo(SdpStatus.SRTP_REQUIRED);
        assertThat(refused.sdp()).isNull();

        String srtpOffer = plainOffer.replace("RTP/AVP 0", "RTP/SAVP 0\r\na=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:"
                + PHONE_KEY);
        SdpRewrite ignored = rewrite(srtpOffer, new SdpRewriteParams(SBC,
                List.of(new StreamPlan(16000, null, null)), SrtpPolicy.OFF, SrtpPolicy.OFF, null));
        assertThat(ignored.announced().get(0).senderKeys()).as("an OFF zone's keys are not used").isNull();
        assertThat(ignored.sdp()).contains("RTP/AVP 0").doesNotContain("crypto");

        // OFFERED toward a receiver that answered plain RTP before: plain again.
        SdpRewrite offered = rewrite(srtpOffer, new SdpRewriteParams(SBC,
                List.of(new StreamPlan(16000, sbcKeys(), Boolean.FALSE)), SrtpPolicy.OFFERED, SrtpPolicy.OFFERED,
                null));
        assertThat(offered.announced().get(0).senderKeys().tag()).isEqualTo(7);
        assertThat(offered.announced().get(0).srtpTowardReceiver()).isFalse();
        assertThat(offered.sdp()).contains("RTP/AVP 0").doesNotContain("crypto");
    }

    @Test
    void aRejectedStreamKeepsPortZeroAndGetsNoKeys() {
        String answer = lines("v=0", "o=x 1 1 IN IP4 192.0.2.60", "s=-", "c=IN IP4 192.0.2.60", "t=0 0",
                "m=audio 8000 RTP/AVP 0", "m=video 0 RTP/AVP 96");
        SdpRewrite result = rewrite(answer, new SdpRewriteParams(SBC,
                List.of(new StreamPlan(18000, sbcKeys(), null), new StreamPlan(18002, sbcKeys(), null)),
                SrtpPolicy.OFFERED, SrtpPolicy.OFFERED,
                null));
        assertThat(result.status()).isEqualTo(SdpStatus.OK);
        assertThat(result.sdp()).contains("m=audio 18000 RTP/SAVP 0\r\na=crypto:", "m=video 0 RTP/AVP 96\r\n");
        assertThat(result.sdp().indexOf("a=crypto")).isEqualTo(result.sdp().lastIndexOf("a=crypto"));
        AnnouncedMedia video = result.announced().get(1);
        assertThat(video.rejected()).isTrue();
        assertThat(video.rtp()).isNull();
        assertThat(result.hold()).as("a rejected stream does not make a hold").isFalse();
        SdpRewrite held = rewrite(answer.replace("m=audio 8000 RTP/AVP 0", "m=audio 8000 RTP/AVP 0\r\n"
                + "a=inactive"), plain(null, 18000, 18002));
        assertThat(held.hold()).as("every live stream held").isTrue();
    }

    @Test
    void anIpv6HoldStaysAnIpv6HoldTowardAnIpv4Sbc() {
        String offer = lines("v=0", "o=- 1 1 IN IP6 2001:db8::10", "s=-", "c=IN IP6 ::", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "m=video 4002 RTP/AVP 96", "c=IN IP6 2001:db8::11");
        SdpRewrite result = rewrite(offer, plain(null, 12000, 12002));
        assertThat(result.sdp()).contains("o=- 1 1 IN IP4 203.0.113.5\r\n", "c=IN IP6 ::\r\n",
                "m=video 12002 RTP/AVP 96\r\nc=IN IP4 203.0.113.5\r\n").doesNotContain("2001:db8");
        assertThat(result.announced().get(0).zeroAddress()).isTrue();
        assertThat(result.announced().get(1).rtp()).isEqualTo(new InetSocketAddress("2001:db8::11", 4002));
    }

    @Test
    void badOrOversizedSdpIsAStatusNeverAnException() {
        assertThat(rewrite("garbage", plain(null, 1000)).status()).isEqualTo(SdpStatus.MALFORMED);
        assertThat(rewrite("", plain(null, 1000)).status()).isEqualTo(SdpStatus.MALFORMED);
        assertThat(rewrite(lines("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0"),
                plain(null, 1000)).status()).isEqualTo(SdpStatus.NO_MEDIA);
        assertThat(rewrite(AUDIO_VIDEO.replace("c=IN IP4 192.0.2.11", "c=IN IP4 pbx.example.com"),
                plain(null, 1000, 1002)).status()).isEqualTo(SdpStatus.NOT_IP_LITERAL);
        assertThat(rewrite(AUDIO_VIDEO.replace("m=audio 49170", "m=audio 70000"),
                plain(null, 1000, 1002)).status()).isEqualTo(SdpStatus.MALFORMED);
        assertThat(rewrite(AUDIO_VIDEO.replace("o=phone 2890844526 2890844527 IN IP4 192.0.2.10",
                "o=phone"), plain(null, 1000, 1002)).status()).isEqualTo(SdpStatus.MALFORMED);
        assertThat(rewrite(AUDIO_VIDEO.replace("c=IN IP4 192.0.2.10\r\n", ""),
                plain(null, 1000, 1002)).status()).isEqualTo(SdpStatus.NO_CONNECTION);
        assertThat(rewrite(AUDIO_VIDEO, plain(null, 1000)).status())
                .isEqualTo(SdpStatus.STREAMS_NOT_PLANNED);
        assertThat(rewrite(AUDIO_VIDEO + "a=x:" + "y".repeat(SessionDescription.MAX_BYTES),
                plain(null, 1000, 1002)).status()).isEqualTo(SdpStatus.TOO_LARGE);
        StringBuilder many = new StringBuilder(lines("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1"));
        for (int i = 0; i <= SessionDescription.MAX_STREAMS; i++) {
            many.append("m=audio ").append(2000 + 2 * i).append(" RTP/AVP 0\r\n");
        }
        assertThat(rewrite(many.toString(), plain(null, new int[SessionDescription.MAX_STREAMS + 1]))
                .status()).isEqualTo(SdpStatus.TOO_MANY_STREAMS);
    }

    @Test
    void bareLineFeedsAndBlankLinesAreTolerated() {
        String lf = AUDIO_VIDEO.replace("\r\n", "\n") + "\n\n";
        SdpRewrite result = rewrite(lf, plain(null, 10000, 10002));
        assertThat(result.status()).isEqualTo(SdpStatus.OK);
        assertThat(result.sdp()).isEqualTo(rewrite(AUDIO_VIDEO, plain(null, 10000, 10002)).sdp());
    }

    /** Reads and rewrites a body as the media anchor does. */
    private static SdpRewrite rewrite(String sdp, SdpRewriteParams params) {
        SessionDescription.Parsed parsed = SessionDescription.parse(sdp);
        return parsed.status() != SdpStatus.OK ? SdpRewrite.failed(parsed.status())
                : SdpRewriter.rewrite(parsed.description(), params);
    }

    @Test
    void aT38ImageStreamIsAnchoredOverUdptlWithoutRtcpOrSrtpWhateverTheZonesAsk() {
        String fax = lines(
                "v=0",
                "o=gw 100 2 IN IP4 192.0.2.30",
                "s=-",
                "c=IN IP4 192.0.2.30",
                "t=0 0",
                "m=image 4600 udptl t38",
                "a=T38FaxVersion:0",
                "a=T38MaxBitRate:14400",
                "a=T38FaxRateManagement:transferredTCF",
                "a=T38FaxUdpEC:t38UDPRedundancy");
        SdpRewrite result = SdpRewriter.rewrite(SessionDescription.parse(fax).description(), new SdpRewriteParams(
                SBC, List.of(new StreamPlan(16000, sbcKeys(), Boolean.TRUE)), SrtpPolicy.REQUIRED,
                SrtpPolicy.REQUIRED, null));
        assertThat(result.status()).as("SDES protects RTP only: no a=crypto is asked of a fax stream")
                .isEqualTo(SdpStatus.OK);
        assertThat(result.sdp()).contains("m=image 16000 udptl t38\r\n", "c=IN IP4 " + SBC,
                "a=T38FaxVersion:0\r\n", "a=T38MaxBitRate:14400\r\n", "a=T38FaxUdpEC:t38UDPRedundancy\r\n")
                .doesNotContain("crypto", "SAVP", "192.0.2.30");
        AnnouncedMedia image = result.announced().get(0);
        assertThat(image.transport()).isEqualTo(org.edgesbc.media.MediaTransport.UDPTL);
        assertThat(image.rtp()).isEqualTo(new InetSocketAddress("192.0.2.30", 4600));
        assertThat(image.rtcp()).as("UDPTL has no RTCP").isNull();
        assertThat(image.senderKeys()).isNull();
        assertThat(image.srtpTowardReceiver()).isFalse();

        SdpRewrite audio = SdpRewriter.rewrite(SessionDescription.parse(AUDIO_VIDEO).description(),
                plain(null, 16000, 16002));
        assertThat(audio.announced().get(0).transport()).isEqualTo(org.edgesbc.media.MediaTransport.RTP);
    }
}
