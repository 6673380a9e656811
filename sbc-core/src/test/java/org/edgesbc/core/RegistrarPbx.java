package org.edgesbc.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgesbc.fixtures.sip.SipDigest;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;

/**
 * A PBX on loopback UDP for registration tests: it accepts every REGISTER with 200 (granting what was asked, as a
 * registrar's table would keep it) and records it; every other message waits in a queue for the test.
 */
final class RegistrarPbx implements AutoCloseable {
    final UdpSipPeer peer;
    final List<String> registers = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<String> others = new LinkedBlockingQueue<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final Thread reader;
    private volatile boolean open = true;
    /** Realm, user and password a challenging PBX accepts; null while it does not challenge. */
    private volatile String[] challenge;

    RegistrarPbx(String host) throws IOException {
        this.peer = new UdpSipPeer(new InetSocketAddress(host, 0));
        this.reader = new Thread(this::serve, "fixture-pbx");
        reader.setDaemon(true);
        reader.start();
    }

    InetSocketAddress address() {
        return peer.localAddress();
    }

    /**
     * From now on challenges every REGISTER without credentials with 401 (MD5, qop=auth) and accepts only
     * credentials of {@code user} with {@code password} in {@code realm}, checked with RFC 7616's formulas here.
     */
    void challenge(String realm, String user, String password) {
        challenge = new String[] {realm, user, password};
    }

    /** The status for a REGISTER of a challenging PBX: 401 without credentials, 200 or 403 with them. */
    private int checkCredentials(String register, String[] expected) {
        String credentials = SipTestPeer.header(register, "Authorization");
        if (credentials == null) {
            return 401;
        }
        String ha1 = SipDigest.md5(expected[1] + ":" + expected[0] + ":" + expected[2]);
        String response = SipDigest.md5(ha1 + ":" + TrunkAuthIT.parameter(credentials, "nonce") + ":"
                + TrunkAuthIT.parameter(credentials, "nc") + ":" + TrunkAuthIT.parameter(credentials, "cnonce")
                + ":auth:" + SipDigest.md5("REGISTER:" + TrunkAuthIT.parameter(credentials, "uri")));
        return expected[1].equals(TrunkAuthIT.parameter(credentials, "username"))
                && response.equals(TrunkAuthIT.parameter(credentials, "response")) ? 200 : 403;
    }

    /** Answers later REGISTERs with {@code code} instead of 200. */
    void answerRegistersWith(int code) {
        status.set(code);
    }

    private void serve() {
        while (open) {
            try {
                String message = peer.receive(200);
                if (message == null) {
                    continue;
                }
                if (message.startsWith("REGISTER ")) {
                    synchronized (registers) {
                        registers.add(message);
                        registers.notifyAll();
                    }
                    String[] expected = challenge;
                    int code = expected == null ? status.get() : checkCredentials(message, expected);
                    String contact = SipTestPeer.header(message, "Contact");
                    String expires = SipTestPeer.header(message, "Expires");
                    String answer = SipMessages.answer(message, code, code == 200 ? "OK" : "Refused", "pbx"
                            + registers.size(), code == 200 && contact != null ? contact + ";expires=" + expires
                            : null);
                    if (code == 401) {
                        answer = answer.replace("Content-Length: 0\r\n", "WWW-Authenticate: Digest realm=\""
                                + expected[0] + "\", nonce=\"pbx-" + registers.size()
                                + "\", algorithm=MD5, qop=\"auth\"\r\nContent-Length: 0\r\n");
                    }
                    synchronized (peer) {
                        peer.towards(from(message)).send(answer);
                    }
                } else {
                    others.add(message);
                }
            } catch (IOException e) {
                if (open) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Where the SBC sent from: the received/rport of its Via, else its sent-by. */
    private static InetSocketAddress from(String message) {
        String via = SipTestPeer.header(message, "Via");
        String sentBy = via.split("\\s+")[1].split(";")[0];
        int colon = sentBy.lastIndexOf(':');
        return new InetSocketAddress(sentBy.substring(0, colon), Integer.parseInt(sentBy.substring(colon + 1)));
    }

    /**
     * Waits until {@code count} REGISTERs have arrived, at most {@code millis}: the SBC's de-registrations go out
     * beside its answer to the phone, not before it.
     */
    List<String> awaitRegisters(int count, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (registers) {
            while (registers.size() < count && System.currentTimeMillis() < deadline) {
                registers.wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }
        return registers;
    }

    /** The next non-REGISTER message within {@code millis}, or null. */
    String next(long millis) throws InterruptedException {
        return others.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The next message whose start line begins with {@code prefix}; others before it are discarded. */
    String next(String prefix, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        String message;
        while ((message = next(Math.max(1, deadline - System.currentTimeMillis()))) != null) {
            if (message.startsWith(prefix)) {
                return message;
            }
        }
        return null;
    }

    /** Sends a message to the SBC. */
    void send(InetSocketAddress sbc, String message) throws IOException {
        synchronized (peer) {
            peer.towards(sbc).send(message);
        }
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        reader.join(2_000);
        peer.close();
    }
}
