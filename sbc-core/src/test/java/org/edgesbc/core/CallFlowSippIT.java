package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.net.FreePorts;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sipp.Sipp;
import org.edgesbc.policy.interconnect.DirectionRules;
import org.edgesbc.policy.interconnect.NumberFormat;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The call flows of issue 14 with SIPp on both sides of one daemon: a SIPp process plays the carrier at 127.0.0.2
 * and another the PBX at 127.0.0.3, each with a scenario (src/test/resources/sipp/flows) that checks what its side
 * receives, including that no Call-ID, Via or Contact of the other side (all of which hold the other side's
 * address) ever reaches it. The test then reads both message traces and checks that no Call-ID one side used
 * appears in anything the other received. One daemon serves every flow, with a T1 of 2 s
 * ({@link TestConfigs#withT1}) so that a loaded machine does not make it shed the flows' first INVITEs.
 */
class CallFlowSippIT {
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path work;
    private static SbcDaemon sbc;
    private static InetSocketAddress sbcUdp;
    private static int trunkPort;
    private static int pbxPort;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Sipp.available()).as("sipp on the PATH (Debian package sip-tester; .ci/run installs it)").isTrue();
        trunkPort = FreePorts.udp("127.0.0.2");
        pbxPort = FreePorts.udp("127.0.0.3");
        SbcConfig config = TestConfigs.withT1(TestConfigs.loopbackUdp(work,
                new InetSocketAddress("127.0.0.2", trunkPort), new InetSocketAddress("127.0.0.3", pbxPort)),
                Duration.ofSeconds(2));
        // The carrier's zone honours RFC 3323 privacy: the blind transfer from the PBX asks for it.
        DirectionRules honourPrivacy = new DirectionRules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED,
                DirectionRules.AssertedIdentity.KEEP, false, null, true, Map.of(), List.of());
        config = TestConfigs.withRules(config, "trunk", new ZoneConfig.Rules(null, DirectionRules.NONE,
                honourPrivacy));
        sbc = SbcDaemon.start(config);
        sbcUdp = sbc.sipAddress(SipTransport.UDP);
    }

    @AfterAll
    static void stop() {
        if (sbc != null) {
            sbc.close();
        }
    }

    /**
     * The carrier calls 200 at the PBX; each row names the flow, its scenario for the carrier's side and for the
     * PBX's side, and both must pass every check of theirs.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "hold and resume both ways and INFO DTMF (RFC 3264 and RFC 2976), hold-dtmf-trunk.xml, hold-dtmf-pbx.xml",
        "re-INVITE glare: 491 relayed and from the SBC then retried (RFC 3261 section 14), glare-trunk.xml, "
                + "glare-pbx.xml",
        "UPDATE glare: 491 and 500 with Retry-After (RFC 3311 section 5.2), update-glare-trunk.xml, "
                + "update-glare-pbx.xml",
        "reliable early media with PRACK and an early UPDATE (RFC 3262 and 3311), early-media-trunk.xml, "
                + "early-media-pbx.xml",
        "offer in a reliable 183 and answer in the PRACK (RFC 3262 section 5), delayed-offer-prack-trunk.xml, "
                + "delayed-offer-prack-pbx.xml",
        "T.38 re-INVITE from audio to image and back, t38-trunk.xml, t38-pbx.xml",
        "session timers per leg with 422 on both legs and a relayed refresh (RFC 4028), session-timer-trunk.xml, "
                + "session-timer-pbx.xml",
        "a 302 from the PBX recursed without the caller seeing it, call-trunk.xml, redirect-pbx.xml",
        "a 302 to targets outside the PBX relayed with the SBC's Contacts, redirect-relayed-trunk.xml, "
                + "redirect-relayed-pbx.xml",
        "a REFER to a premium-rate number refused with 403 by the toll-fraud rules and never relayed, "
                + "refer-to-premium-trunk.xml, refer-to-premium-pbx.xml",
    })
    void flowBetweenCarrierAndPbx(String flow, String trunkScenario, String pbxScenario) throws Exception {
        carrierCallsPbx(trunkScenario, pbxScenario, (trunk, pbx) -> { });
    }

    /** What a test checks of a flow beyond its scenarios, from what each side's SIPp received. */
    private interface FlowCheck {
        void check(Sipp trunk, Sipp pbx) throws Exception;
    }

    /**
     * The carrier calls 200 at the PBX with {@code trunkScenario} against {@code pbxScenario}: both must pass, no
     * Call-ID may cross, then {@code check} runs; the SBC keeps no dialog afterwards.
     */
    private static void carrierCallsPbx(String trunkScenario, String pbxScenario, FlowCheck check) throws Exception {
        Path dir = work.resolve(pbxScenario.replace(".xml", ""));
        try (Sipp pbx = uas(dir.resolve("pbx"), pbxScenario, "127.0.0.3", pbxPort, 1);
                Sipp trunk = uac(dir.resolve("trunk"), trunkScenario, "127.0.0.2", trunkPort, "200")) {
            assertPassed(trunk, "trunk " + trunkScenario);
            assertPassed(pbx, "PBX " + pbxScenario);
            assertNoCallIdCrosses(trunk, pbx);
            assertNoCallIdCrosses(pbx, trunk);
            check.check(trunk, pbx);
        }
        SbcDaemonIT.awaitDialogs(sbc, 0);
    }

    /**
     * A PBX that forks (RFC 3261 §13.2.2.4): two early dialogs reach the carrier, each with a To-tag of the SBC's,
     * and the answer comes in the second; nothing more of the first reaches either side.
     */
    @Test
    void aForkingPbxGivesTheCarrierTwoEarlyDialogsAndAnswersInTheSecond() throws Exception {
        carrierCallsPbx("call-trunk.xml", "forking-pbx.xml", (trunk, pbx) -> {
            String ringing = tag(header(awaitReceived(trunk, "SIP/2.0 180 "), "To"));
            String progress = tag(header(awaitReceived(trunk, "SIP/2.0 183 "), "To"));
            String answer = tag(header(awaitReceived(trunk, "SIP/2.0 200 "), "To"));
            assertThat(ringing).as("two early dialogs").isNotEqualTo(progress);
            assertThat(List.of(ringing, progress)).as("the SBC's own To-tags").noneMatch(t -> t.contains("phone"));
            assertThat(answer).as("answered in the second early dialog").isEqualTo(progress);
            assertNothingNames(trunk, "127.0.0.3");
        });
    }

    /**
     * RFC 3264 §8.3.2: the carrier changes codec by re-INVITE; each side's scenario checks the codec, and here the
     * SBC's media ports on both legs stay the ones of the call's first offer and answer.
     */
    @Test
    void aCodecChangeByReInviteKeepsTheAnchoredPorts() throws Exception {
        carrierCallsPbx("codec-change-trunk.xml", "codec-change-pbx.xml", (trunk, pbx) -> {
            List<String> towardTrunk = mediaPorts(trunk, "SIP/2.0 200 ", "INVITE");
            List<String> towardPbx = mediaPorts(pbx, "INVITE ", "INVITE");
            assertThat(towardTrunk).as("the SBC's port in both answers to the carrier").hasSize(2)
                    .containsOnly(towardTrunk.get(0));
            assertThat(towardPbx).as("the SBC's port in both offers to the PBX").hasSize(2)
                    .containsOnly(towardPbx.get(0));
        });
    }

    /** The m=audio ports of the messages {@code sipp} received that start with {@code startLine} for {@code method}. */
    private static List<String> mediaPorts(Sipp sipp, String startLine, String method) throws IOException {
        List<String> ports = new ArrayList<>();
        for (String message : sipp.receivedMessages()) {
            Matcher port = Pattern.compile("(?m)^m=audio (\\d+) ").matcher(message);
            if (message.startsWith(startLine) && header(message, "CSeq").endsWith(method) && port.find()) {
                ports.add(port.group(1));
            }
        }
        return ports;
    }

    /** Whatever the SBC sends the PBX lands on a socket in its place: nothing of the refused REFER may. */
    @Test
    void referOutsideADialogIsRefusedAndNotRelayed() throws Exception {
        Path dir = work.resolve("refer-outside-dialog");
        try (DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.3", pbxPort));
                Sipp trunk = uac(dir, "refer-outside-dialog-trunk.xml", "127.0.0.2", trunkPort, "200")) {
            assertPassed(trunk, "trunk refer-outside-dialog");
            pbx.setSoTimeout(500);
            DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
            assertThatThrownBy(() -> pbx.receive(packet)).as("anything reaching the PBX")
                    .isInstanceOf(SocketTimeoutException.class);
        }
        SbcDaemonIT.awaitDialogs(sbc, 0);
    }

    /**
     * The transferee's new call is a second SIPp on the carrier's address, started once the first has the REFER,
     * calling the user its Refer-To names at the SBC; the PBX's scenario, transferor and target, takes both calls.
     */
    @Test
    void blindTransferFromThePbx() throws Exception {
        Path dir = work.resolve("blind-transfer");
        try (Sipp transferor = uas(dir.resolve("pbx"), "blind-transfer-pbx.xml", "127.0.0.3", pbxPort, 2);
                Sipp transferee = uac(dir.resolve("transferee"), "blind-transfer-trunk.xml", "127.0.0.2", trunkPort,
                        "200")) {
            try (Sipp newCall = uac(dir.resolve("new-call"), "call-trunk.xml", "127.0.0.2",
                    FreePorts.udp("127.0.0.2"), referredUser(transferee))) {
                assertTransferred(transferor, transferee, newCall);
            }
        }
        SbcDaemonIT.awaitDialogs(sbc, 0);
    }

    /**
     * The mirror image: the PBX calls the carrier and is referred by it. The carrier's scenario is transferor and
     * target; the PBX's new call comes from a second SIPp on the PBX's address.
     */
    @Test
    void blindTransferFromTheCarrier() throws Exception {
        Path dir = work.resolve("blind-transfer-from-trunk");
        try (Sipp transferor = uas(dir.resolve("trunk"), "blind-transfer-from-trunk-trunk.xml", "127.0.0.2",
                trunkPort, 2);
                Sipp transferee = uac(dir.resolve("transferee"), "blind-transfer-from-trunk-pbx.xml", "127.0.0.3",
                        pbxPort, "5551234")) {
            try (Sipp newCall = uac(dir.resolve("new-call"), "call-pbx.xml", "127.0.0.3", FreePorts.udp("127.0.0.3"),
                    referredUser(transferee))) {
                assertTransferred(transferor, transferee, newCall);
            }
        }
        SbcDaemonIT.awaitDialogs(sbc, 0);
    }

    /**
     * RFC 5589 §7.1 with the PBX as transferor: the carrier's caller (transferee) and the consultation's target are
     * both on the carrier's side, so the transferee's INVITE with Replaces goes to the target there, naming the
     * consultation as the carrier knows it.
     */
    @Test
    void attendedTransferFromThePbx() throws Exception {
        attendedTransfer(work.resolve("attended-transfer"), new Side("127.0.0.3", pbxPort, "200"),
                new Side("127.0.0.2", trunkPort, "4930123"), "030999");
    }

    /** The mirror image: the carrier transfers the PBX's caller to a PBX extension it consulted. */
    @Test
    void attendedTransferFromTheCarrier() throws Exception {
        attendedTransfer(work.resolve("attended-transfer-from-trunk"), new Side("127.0.0.2", trunkPort, "4930123"),
                new Side("127.0.0.3", pbxPort, "200"), "201");
    }

    /** One side of the SBC in a transfer: the host its SIPps use, its peer port (where the SBC sends), its number. */
    private record Side(String host, int port, String number) { }

    /**
     * The SBC sends every request toward a side to that side's peer address, so each side's peer address holds one
     * SIPp playing both of its parties: the transferee with the target as its out-of-call scenario, and the
     * consultation with the transferor as its (the transferor reads the consultation's identifiers from global
     * variables and sends its REFER once the consultation is answered). The
     * transferee's INVITE with the Replaces the SBC wrote comes from a SIPp on its own host and goes straight to
     * the target there, which hangs up the consultation through the SBC.
     */
    private static void attendedTransfer(Path dir, Side transferorSide, Side transfereeSide, String target)
            throws Exception {
        try (Sipp transfereeAndTarget = uac(dir.resolve("transferee"), "attended-transferee.xml",
                        transfereeSide.host(), transfereeSide.port(), transferorSide.number(),
                        "-oocsf", scenario(dir.resolve("transferee"), "attended-target.xml"),
                        "-key", "caller", transfereeSide.number(), "-key", "target", target);
                Sipp consultationAndTransferor = uac(dir.resolve("transferor"), "attended-consultation.xml",
                        transferorSide.host(), transferorSide.port(), target,
                        "-oocsf", scenario(dir.resolve("transferor"), "attended-transferor.xml"),
                        "-cid_str", "%u-%p-consultation", "-key", "caller", transferorSide.number(),
                        "-key", "target", target)) {
            String referTo = header(awaitReceived(transfereeAndTarget, "REFER "), "Refer-To");
            Matcher named = Pattern.compile("<sip:" + target + "@" + Pattern.quote(transfereeSide.host()) + ":"
                    + transfereeSide.port() + "\\?Replaces=([^>]+)>").matcher(referTo);
            assertThat(named.matches()).as("Refer-To names the target on the transferee's side: %s", referTo)
                    .isTrue();
            String mapped = URLDecoder.decode(named.group(1), StandardCharsets.UTF_8);
            // The consultation as the target knows it: its Call-ID, the target's tag, the SBC's tag there.
            String consulted = awaitReceived(transfereeAndTarget, "INVITE ");
            String targetTag = transfereeAndTarget.messageTrace().lines().map(String::strip)
                    .filter(l -> l.startsWith("To:") && l.contains("target")).map(CallFlowSippIT::tag)
                    .findFirst().orElseThrow();
            assertThat(mapped).isEqualTo(header(consulted, "Call-ID") + ";to-tag=" + targetTag + ";from-tag="
                    + tag(header(consulted, "From")));
            try (Sipp replacing = Sipp.start(dir.resolve("replacing"), List.of("-sf",
                    scenario(dir.resolve("replacing"), "attended-replacing-call.xml"),
                    transfereeSide.host() + ":" + transfereeSide.port(), "-i", transfereeSide.host(),
                    "-p", Integer.toString(FreePorts.udp(transfereeSide.host())), "-s", target,
                    "-m", "1", "-timeout", "30s", "-key", "replaces", mapped,
                    "-key", "caller", transfereeSide.number()))) {
                assertPassed(replacing, "transferee's INVITE with Replaces");
                assertPassed(transfereeAndTarget, "transferee and target");
                assertPassed(consultationAndTransferor, "consultation and transferor");
                // The target's BYE for the replaced consultation was answered from the transferor's side.
                assertThat(transfereeAndTarget.receivedMessages()).anySatisfy(m -> assertThat(m)
                        .startsWith("SIP/2.0 200 ").contains("BYE").contains(header(consulted, "Call-ID")));
                for (Sipp near : List.of(transfereeAndTarget, replacing)) {
                    assertNoCallIdCrosses(near, consultationAndTransferor);
                    assertNoCallIdCrosses(consultationAndTransferor, near);
                    assertNothingNames(near, transferorSide.host());
                }
                assertNothingNames(consultationAndTransferor, transfereeSide.host());
            }
        }
        SbcDaemonIT.awaitDialogs(sbc, 0);
    }

    private static void assertNothingNames(Sipp side, String host) throws IOException {
        for (String message : side.receivedMessages()) {
            assertThat(message).as("a message received").doesNotContain(host);
        }
    }

    /** The first message starting with {@code startLine} that {@code sipp} got, once it has. */
    private static String awaitReceived(Sipp sipp, String startLine) throws Exception {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (String message : sipp.receivedMessages()) {
                if (message.startsWith(startLine)) {
                    return message;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(startLine + "never reached SIPp\n" + sipp.diagnostics());
    }

    /** The tag of a From or To value, which must have one. */
    private static String tag(String nameAddr) {
        String tag = SipTestPeer.tag(nameAddr);
        assertThat(tag).as("a tag in %s", nameAddr).isNotNull();
        return tag;
    }

    /** The user part of the Refer-To the transferee got, which must be the SBC's URI. */
    private static String referredUser(Sipp transferee) throws Exception {
        String referTo = header(awaitReceived(transferee, "REFER "), "Refer-To");
        Matcher user = Pattern.compile("<sip:([^@]+)@127\\.0\\.0\\.1:" + sbcUdp.getPort() + ">").matcher(referTo);
        assertThat(user.find()).as("Refer-To names the SBC: %s", referTo).isTrue();
        return user.group(1);
    }

    private static void assertTransferred(Sipp transferor, Sipp transferee, Sipp newCall) throws Exception {
        assertPassed(newCall, "transferee's new call");
        assertPassed(transferee, "transferee");
        assertPassed(transferor, "transferor and target");
        assertNoCallIdCrosses(transferee, transferor);
        assertNoCallIdCrosses(newCall, transferor);
        assertNoCallIdCrosses(transferor, transferee);
        assertNoCallIdCrosses(transferor, newCall);
    }

    /**
     * A SIPp answering calls. Nothing waits for it to bind its port: an INVITE the SBC sends before that is
     * retransmitted on Timer A (RFC 3261 section 17.1.1.2), as it would be to a PBX that lost the first datagram.
     */
    private static Sipp uas(Path dir, String scenario, String host, int port, int calls) throws IOException {
        return Sipp.start(dir, List.of("-sf", scenario(dir, scenario), "-i", host, "-p", Integer.toString(port),
                "-m", Integer.toString(calls), "-timeout", "30s"));
    }

    /** A SIPp placing one call to {@code service} at the SBC from {@code host:port}. */
    private static Sipp uac(Path dir, String scenario, String host, int port, String service, String... more)
            throws IOException {
        List<String> arguments = new ArrayList<>(List.of("-sf", scenario(dir, scenario),
                sbcUdp.getAddress().getHostAddress() + ":" + sbcUdp.getPort(), "-i", host,
                "-p", Integer.toString(port), "-s", service, "-m", "1", "-timeout", "30s"));
        arguments.addAll(List.of(more));
        return Sipp.start(dir, arguments);
    }

    private static void assertPassed(Sipp sipp, String what) throws Exception {
        assertThat(sipp.await(RUN_LIMIT)).as("%s scenario\n%s", what, sipp.diagnostics()).isZero();
    }

    /** No Call-ID that {@code other} sent or received appears in anything {@code side} received. */
    private static void assertNoCallIdCrosses(Sipp side, Sipp other) throws IOException {
        List<String> otherCallIds = new ArrayList<>();
        for (String line : other.messageTrace().split("\r?\n")) {
            String trimmed = line.strip();
            if (trimmed.regionMatches(true, 0, "Call-ID:", 0, 8)) {
                otherCallIds.add(trimmed.substring(8).strip());
            }
        }
        assertThat(otherCallIds).isNotEmpty();
        List<String> received = side.receivedMessages();
        assertThat(received).isNotEmpty();
        for (String message : received) {
            for (String callId : otherCallIds) {
                assertThat(message).as("a message received").doesNotContain(callId);
            }
        }
    }

    /** The flow scenario {@code name} (src/test/resources/sipp/flows) copied into {@code dir}; its path. */
    static String scenario(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        try (InputStream in = CallFlowSippIT.class.getResourceAsStream("/sipp/flows/" + name)) {
            assertThat(in).as("scenario %s", name).isNotNull();
            Files.copy(in, file);
        }
        return file.toString();
    }
}
