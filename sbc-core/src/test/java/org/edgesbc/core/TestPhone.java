package org.edgesbc.core;

import java.io.IOException;
import org.edgesbc.fixtures.sip.SipDigest;
import org.edgesbc.fixtures.sip.SipTestPeer;

/**
 * A remote phone behind NAT for daemon tests: it registers through the SBC with digest authentication and a
 * Contact naming its private address (never the address the SBC sees it at), and keeps its Call-ID and CSeq
 * across refreshes as RFC 3261 §10.2.4 asks.
 */
final class TestPhone implements AutoCloseable {
    final SipTestPeer peer;
    final String user;
    final String contact;
    private final String realm;
    private final String password;
    private final String transport;
    private final String callId;
    private int cseq;
    private int nonceCount;
    private String challenge;

    /**
     * @param contact the URI the phone puts in its Contact, e.g. {@code sip:1001@192.168.1.10:5062}
     */
    TestPhone(SipTestPeer peer, String transport, String realm, String user, String password, String contact) {
        this.peer = peer;
        this.transport = transport;
        this.realm = realm;
        this.user = user;
        this.password = password;
        this.contact = contact;
        this.callId = "reg-" + user + "-" + Integer.toHexString(contact.hashCode()) + "@phone.example";
    }

    /** Registers (or refreshes) for {@code expires} seconds and returns the final answer, or null on silence. */
    String register(int expires) throws IOException {
        return register("<" + contact + ">", "Expires: " + expires + "\r\n");
    }

    /**
     * Sends a REGISTER with the given Contact header value (null for none) and extra header lines, answering a
     * 401 challenge once, and returns the final answer or null.
     */
    String register(String contactValue, String extraHeaders) throws IOException {
        String uri = "sip:" + realm;
        if (challenge != null) {
            peer.send(request(contactValue, extraHeaders, SipDigest.credentials(challenge, realm, user, password,
                    "REGISTER", uri, ++nonceCount)));
        } else {
            peer.send(request(contactValue, extraHeaders, null));
        }
        String answer = finalAnswer();
        if (answer != null && answer.startsWith("SIP/2.0 401 ")) {
            challenge = SipDigest.md5Challenge(answer);
            nonceCount = 0;
            peer.send(request(contactValue, extraHeaders, SipDigest.credentials(challenge, realm, user, password,
                    "REGISTER", uri, ++nonceCount)));
            answer = finalAnswer();
        }
        return answer;
    }

    private String finalAnswer() throws IOException {
        String answer;
        do {
            answer = peer.receiveStartingWith("SIP/2.0 ", 5_000);
        } while (answer != null && answer.startsWith("SIP/2.0 1"));
        return answer;
    }

    private String request(String contactValue, String extraHeaders, String authorization) {
        cseq++;
        String host = peer.localAddress().getAddress().getHostAddress();
        int port = peer.localAddress().getPort();
        return "REGISTER sip:" + realm + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + host + ":" + port + ";branch=z9hG4bK-" + user + "-" + cseq
                + "-" + Integer.toHexString(contact.hashCode()) + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@" + realm + ">;tag=ph" + Integer.toHexString(callId.hashCode()) + "\r\n"
                + "To: <sip:" + user + "@" + realm + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + (contactValue == null ? "" : "Contact: " + contactValue + "\r\n")
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "User-Agent: FixturePhone/1.0\r\n"
                + extraHeaders
                + "Content-Length: 0\r\n\r\n";
    }

    /**
     * Sends an INVITE as this phone (From {@code fromUser}, any extra header lines), answering the 407 challenge,
     * and returns the first answer after it that is not 100 Trying.
     */
    String invite(String fromUser, String target, String extraHeaders, String inviteCallId) throws IOException {
        String host = peer.localAddress().getAddress().getHostAddress();
        int port = peer.localAddress().getPort();
        String uri = "sip:" + target + "@" + realm;
        String sdp = "v=0\r\no=phone 1 1 IN IP4 192.168.1.10\r\ns=-\r\nc=IN IP4 192.168.1.10\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        java.util.function.IntFunction<String> invite = n -> "INVITE " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + host + ":" + port + ";branch=z9hG4bK-inv" + n
                + Integer.toHexString(inviteCallId.hashCode()) + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + fromUser + "@" + realm + ">;tag=inv" + Integer.toHexString(inviteCallId.hashCode())
                + "\r\n"
                + "To: <" + uri + ">\r\n"
                + "Call-ID: " + inviteCallId + "\r\n"
                + "CSeq: " + n + " INVITE\r\n"
                + "Contact: <" + contact + ">\r\n"
                + extraHeaders
                + (n > 1 ? "Proxy-Authorization: " + SipDigest.credentials(challenge, realm, user, password,
                        "INVITE", uri, ++nonceCount) + "\r\n" : "")
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
        peer.send(invite.apply(1));
        String answer = peer.receiveStartingWith("SIP/2.0 407 ", 5_000);
        if (answer == null) {
            return null;
        }
        peer.send("ACK " + uri + " SIP/2.0\r\n" + SipTestPeer.headers(answer).lines()
                .filter(l -> l.startsWith("Via:") || l.startsWith("From:") || l.startsWith("To:")
                        || l.startsWith("Call-ID:"))
                .map(l -> l + "\r\n").reduce("", String::concat)
                + "CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        challenge = SipDigest.md5Challenge(answer);
        nonceCount = 0;
        peer.send(invite.apply(2));
        String next;
        do {
            next = peer.receiveStartingWith("SIP/2.0 ", 5_000);
        } while (next != null && next.startsWith("SIP/2.0 100 "));
        return next;
    }

    @Override
    public void close() throws Exception {
        peer.close();
    }
}
