package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;
import static org.edgesbc.fixtures.sip.SipTestPeer.headers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;

/**
 * An answered call through the SBC between two UDP test peers, as each side knows it: its own Call-ID and tags (each
 * side's dialog has its own: the SBC's tag on one side is not the other side's), and the SBC's Contact as the target
 * of its in-dialog requests. Sends in-dialog requests from either side with CSeqs counting up, and checks that what
 * reaches a side carries nothing that only the other side knows.
 */
final class RelayedCall {
    static final long WAIT = 5_000;
    /**
     * Every tag a message carries: From/To {@code tag}, Replaces {@code to-tag}/{@code from-tag} and Target-Dialog
     * {@code local-tag}/{@code remote-tag}, written plainly or %-escaped in a Refer-To, in headers and bodies.
     */
    private static final Pattern TAG = Pattern.compile(
            "(?i)(?:to-|from-|local-|remote-)?tag(?:=|%3D)([^;>&%\\s,\"]+)");

    final SipTestPeer caller;
    final SipTestPeer callee;
    final String callerCallId;
    final String calleeCallId;
    /** The caller's From and the To it got back, both tagged: its in-dialog requests use them as From and To. */
    final String callerFrom;
    final String callerTo;
    final String calleeFrom;
    final String calleeTo;
    final String callerTarget;
    final String calleeTarget;
    /** The INVITE as the callee got it and the 200 as the caller got it. */
    String inviteToCallee;
    String okToCaller;
    private int callerCSeq = 1;
    private int calleeCSeq = 100;
    private int branches;

    private RelayedCall(SipTestPeer caller, SipTestPeer callee, String callerCallId, String calleeCallId,
            String callerFrom, String callerTo, String calleeFrom, String calleeTo, String callerTarget,
            String calleeTarget) {
        this.caller = caller;
        this.callee = callee;
        this.callerCallId = callerCallId;
        this.calleeCallId = calleeCallId;
        this.callerFrom = callerFrom;
        this.callerTo = callerTo;
        this.calleeFrom = calleeFrom;
        this.calleeTo = calleeTo;
        this.callerTarget = callerTarget;
        this.calleeTarget = calleeTarget;
    }

    /** INVITE with SDP to {@code user}, 200 with SDP, ACK; the call is up when this returns. */
    static RelayedCall establish(SipTestPeer caller, SipTestPeer callee, InetSocketAddress sbc, String user,
            String callId, String callerTag, String calleeTag) throws IOException {
        return establish(caller, callee, sbc, user, callId, callerTag, calleeTag, 40_000, 42_000);
    }

    /** As above with the media ports each side's SDP announces. */
    static RelayedCall establish(SipTestPeer caller, SipTestPeer callee, InetSocketAddress sbc, String user,
            String callId, String callerTag, String calleeTag, int callerRtpPort, int calleeRtpPort)
            throws IOException {
        String invite = deliverInvite(caller, callee, SipMessages.invite("UDP", caller.localAddress(), sbc, user,
                callId, "z9hG4bK-" + Integer.toHexString(callId.hashCode()), callerTag)
                .replace("sip:caller@", "sip:" + callerTag + "@")
                .replace("m=audio 40000 ", "m=audio " + callerRtpPort + " "));
        assertThat(invite).as("INVITE for %s relayed", user).isNotNull();
        String calleeHost = callee.localAddress().getAddress().getHostAddress();
        String contact = "<sip:" + calleeTag + "@" + calleeHost + ":" + callee.localAddress().getPort() + ">";
        String ok200 = SipMessages.answer(invite, 200, "OK", calleeTag, contact,
                SipMessages.sdp(calleeHost, calleeRtpPort));
        callee.send(ok200);
        String ok = caller.receiveStartingWith("SIP/2.0 200 ", WAIT);
        assertThat(ok).as("200 for %s relayed", user).isNotNull();
        String calleeCallId = header(invite, "Call-ID");
        RelayedCall call = new RelayedCall(caller, callee, callId, calleeCallId, header(ok, "From"), header(ok, "To"),
                header(headers(ok200), "To"), header(invite, "From"), uriOf(header(ok, "Contact")),
                uriOf(header(invite, "Contact")));
        assertThat(call.callerSideTags()).as("the caller's dialog has the SBC's To-tag")
                .doesNotContainAnyElementsOf(call.calleeSideTags());
        call.assertCallerSees(ok);
        call.assertCalleeSees(invite);
        call.ack(true, 1);
        call.assertCalleeSees(callee.receiveStartingWith("ACK ", WAIT));
        call.inviteToCallee = invite;
        call.okToCaller = ok;
        return call;
    }

    /**
     * Sends an initial INVITE as a UDP user agent does (RFC 3261 §17.1.1.2): retransmitted on Timer A until the
     * callee has it, and sent anew under a new branch after a 503 (a daemon just started on a loaded machine may
     * drop or shed its first INVITEs while the JIT compiles). Returns the INVITE as the callee got it, or null.
     */
    static String deliverInvite(SipTestPeer caller, SipTestPeer callee, String invite) throws IOException {
        long deadline = System.currentTimeMillis() + WAIT;
        String sent = invite;
        long interval = 500;
        for (int attempt = 0; System.currentTimeMillis() < deadline; attempt++) {
            caller.send(sent);
            String received = callee.receiveStartingWith("INVITE ", interval);
            if (received != null) {
                return received;
            }
            String answer = caller.receive(1);
            if (answer != null && answer.startsWith("SIP/2.0 503 ")) {
                String branch = SipTestPeer.topBranch(invite);
                sent = invite.replace(branch, branch + "-retry" + attempt);
            }
            interval = Math.min(interval * 2, 4_000);
        }
        return null;
    }

    /** Sends an in-dialog request from the caller (CSeq counted up, or {@code cseq} for an ACK). */
    String fromCaller(String method, String extraHeaders, String contentType, String body) throws IOException {
        return fromCaller(method, extraHeaders, contentType, body, ++callerCSeq);
    }

    String fromCaller(String method, String extraHeaders, String contentType, String body, int cseq)
            throws IOException {
        String request = request(method, callerTarget, caller, callerCallId, callerFrom, callerTo, cseq,
                extraHeaders, contentType, body);
        caller.send(request);
        return request;
    }

    String fromCallee(String method, String extraHeaders, String contentType, String body) throws IOException {
        String request = request(method, calleeTarget, callee, calleeCallId, calleeFrom, calleeTo, ++calleeCSeq,
                extraHeaders, contentType, body);
        callee.send(request);
        return request;
    }

    /** The ACK of an INVITE the caller ({@code fromCaller} true) or the callee sent and got a 2xx for. */
    void ack(boolean fromCaller, int cseq) throws IOException {
        if (fromCaller) {
            caller.send(request("ACK", callerTarget, caller, callerCallId, callerFrom, callerTo, cseq, "", null,
                    null));
        } else {
            callee.send(request("ACK", calleeTarget, callee, calleeCallId, calleeFrom, calleeTo, cseq, "", null,
                    null));
        }
    }

    /** RFC 3261 §17.1.1.3: the ACK of a failure answer, under the INVITE's own branch, To as answered. */
    static String ackOfFailure(String invite, String failure) {
        String head = headers(invite);
        String requestUri = head.substring("INVITE ".length(), head.indexOf(" SIP/2.0"));
        String cseq = header(invite, "CSeq");
        return "ACK " + requestUri + " SIP/2.0\r\n"
                + "Via: " + header(invite, "Via") + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + header(invite, "From") + "\r\n"
                + "To: " + header(failure, "To") + "\r\n"
                + "Call-ID: " + header(invite, "Call-ID") + "\r\n"
                + "CSeq: " + cseq.substring(0, cseq.indexOf(' ')) + " ACK\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    int callerCSeq() {
        return callerCSeq;
    }

    int calleeCSeq() {
        return calleeCSeq;
    }

    private String request(String method, String target, SipTestPeer from, String callId, String localFrom,
            String remoteTo, int cseq, String extraHeaders, String contentType, String body) {
        String host = from.localAddress().getAddress().getHostAddress();
        String bytes = body == null ? "" : body;
        return method + " " + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ":" + from.localAddress().getPort() + ";branch=z9hG4bK-" + method
                + "-" + callId.hashCode() + "-" + (branches++) + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + localFrom + "\r\n"
                + "To: " + remoteTo + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:party@" + host + ":" + from.localAddress().getPort() + ">\r\n"
                + extraHeaders
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + bytes.length() + "\r\n\r\n" + bytes;
    }

    /** Answers {@code request} as the side that received it (Via, From, To, Call-ID, CSeq echoed). */
    static void answer(SipTestPeer side, String request, int status, String reason, String sdp) throws IOException {
        String host = side.localAddress().getAddress().getHostAddress();
        side.send(SipMessages.answer(request, status, reason, null,
                "<sip:party@" + host + ":" + side.localAddress().getPort() + ">", sdp));
    }

    /**
     * Checks a message that reached the caller's side: it knows the caller's Call-ID and nothing of the callee's
     * (Call-ID, address) — or the other way round.
     */
    void assertCallerSees(String message) {
        assertThat(message).isNotNull();
        String calleeHost = callee.localAddress().getAddress().getHostAddress();
        assertThat(message).contains(callerCallId).doesNotContain(calleeCallId, calleeHost, "FixtureCallee");
        assertThat(tagsIn(message)).as("tags reaching the caller's side in%n%s", message)
                .doesNotContainAnyElementsOf(calleeSideTags());
    }

    void assertCalleeSees(String message) {
        assertThat(message).isNotNull();
        String callerHost = caller.localAddress().getAddress().getHostAddress();
        assertThat(message).contains(calleeCallId).doesNotContain(callerCallId, callerHost, "FixtureCaller");
        assertThat(tagsIn(message)).as("tags reaching the callee's side in%n%s", message)
                .doesNotContainAnyElementsOf(callerSideTags());
    }

    /** The caller's own tag and the To-tag the SBC gave the caller's dialog. */
    Set<String> callerSideTags() {
        return Set.of(SipTestPeer.tag(callerFrom), SipTestPeer.tag(callerTo));
    }

    /** The callee's own tag and the From-tag the SBC gave the callee's dialog. */
    Set<String> calleeSideTags() {
        return Set.of(SipTestPeer.tag(calleeFrom), SipTestPeer.tag(calleeTo));
    }

    /** Every tag value in {@code message}, wherever it stands (see {@link #TAG}). */
    static List<String> tagsIn(String message) {
        List<String> tags = new ArrayList<>();
        Matcher matcher = TAG.matcher(message);
        while (matcher.find()) {
            tags.add(matcher.group(1));
        }
        return tags;
    }

    static String uriOf(String nameAddr) {
        return nameAddr.substring(nameAddr.indexOf('<') + 1, nameAddr.indexOf('>'));
    }
}
