package org.edgesbc.transport.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The lines an answer echoes, read in place from the request's octets. */
class ReplyLinesTest {
    private static final String LINES = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
            + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n";

    /** The same lines at other offsets of a longer message, as the gate finds them: ranges, not copies. */
    private static ReplyLines inPlace(String prefix, String lines) {
        byte[] message = (prefix + lines + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        ReplyLines parsed = ReplyLines.of(lines);
        int[] bounds = new int[10];
        int at = prefix.length();
        for (int line = 0, start = at; line < 5; line++) {
            int end = new String(message, StandardCharsets.UTF_8).indexOf("\r\n", start);
            bounds[2 * line] = start;
            bounds[2 * line + 1] = end;
            start = end + 2;
        }
        assertThat(parsed.text()).isEqualTo(lines);
        return new ReplyLines(message, bounds);
    }

    @Test
    void theLinesOfARetransmissionHashAlikeWhereverTheyStandAndOthersDoNot() {
        ReplyLines first = inPlace("INVITE sip:b@example.com SIP/2.0\r\n", LINES);
        ReplyLines again = inPlace("INVITE sip:b@example.com SIP/2.0\r\nMax-Forwards: 69\r\n", LINES);
        assertThat(again.hash(KeyHash.FNV_OFFSET)).isEqualTo(first.hash(KeyHash.FNV_OFFSET))
                .isEqualTo(ReplyLines.of(LINES).hash(KeyHash.FNV_OFFSET))
                .as("the text's hash, octet for octet").isEqualTo(KeyHash.of(LINES));
        assertThat(again.hash(42)).as("another seed").isNotEqualTo(again.hash(KeyHash.FNV_OFFSET));
        ReplyLines otherBranch = inPlace("INVITE sip:b@example.com SIP/2.0\r\n", LINES.replace("-1", "-2"));
        assertThat(otherBranch.hash(KeyHash.FNV_OFFSET)).isNotEqualTo(first.hash(KeyHash.FNV_OFFSET));
    }

    @Test
    void onlyAnUntaggedToNeedsATagAndItIsWrittenAfterTheToValue() {
        ReplyLines untagged = inPlace("INVITE sip:b@example.com SIP/2.0\r\n", LINES);
        assertThat(untagged.toNeedsTag()).isTrue();
        byte[] tag = "abcd".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[untagged.length(tag)];
        assertThat(untagged.writeTo(out, 0, tag)).isEqualTo(out.length);
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo(LINES.replace("To: <sip:b@example.com>", "To: <sip:b@example.com>;tag=abcd"));

        String taggedLines = LINES.replace("To: <sip:b@example.com>", "To: <sip:b@example.com>;tag=x");
        assertThat(ReplyLines.of(taggedLines).toNeedsTag()).isFalse();
        assertThat(ReplyLines.of(taggedLines).text()).isEqualTo(taggedLines);
        assertThat(ReplyLines.of(LINES.replace("To: <sip:b@example.com>", "To: <sip:tag=b@example.com>"))
                .toNeedsTag()).as("tag= inside the URI is not the header's tag").isTrue();
    }
}
