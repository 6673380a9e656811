package org.edgesbc.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How many datagrams the kernel dropped at the SIP listeners' full receive queues, from Linux's socket tables
 * ({@code /proc/net/udp} and {@code udp6}, whose last column counts each socket's drops). Those are the only
 * signalling messages the SBC loses without seeing them: every SO_REUSEPORT socket of a listener is a line of its
 * own, and all of them are summed.
 *
 * <p>The tables list every UDP socket of the network namespace, the media relay's included, and the kernel takes
 * time in proportion to them to write them out (about 0.2 s of CPU for 19,000 sockets, measured here). So they are
 * read only when the namespace's own error counts ({@code InErrors} in {@code /proc/net/snmp}, {@code Udp6InErrors}
 * in {@code snmp6}, a few hundred bytes each), which every such drop also raises, have moved since the last read;
 * otherwise the last sum stands.
 */
public final class UdpReceiveDrops {
    private final Path procNet;
    /** The listeners' local addresses as the tables write them ({@code 0100007F:13C4}). */
    private final Set<String> localAddresses;
    private long errorsSeen = -1;
    private long drops = -1;

    /**
     * @param procNet the folder holding {@code udp}, {@code udp6}, {@code snmp} and {@code snmp6}: {@code /proc/net}
     *     (a test's own otherwise)
     * @param listeners the bound UDP listeners' addresses
     */
    public UdpReceiveDrops(Path procNet, List<InetSocketAddress> listeners) {
        this.procNet = procNet;
        this.localAddresses = listeners.stream().map(UdpReceiveDrops::tableForm)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The drops counted so far at the listeners' sockets, or -1 where the tables cannot be read (not Linux). Called
     * by the loss watch and by a metrics scrape, hence synchronized.
     */
    public synchronized long read() {
        try {
            long errors = namespaceErrors();
            if (errors != errorsSeen || drops < 0) {
                drops = sumDrops(procNet.resolve("udp")) + sumDrops(procNet.resolve("udp6"));
                errorsSeen = errors;
            }
            return drops;
        } catch (IOException | RuntimeException e) {
            // No tables (not Linux), or tables in a form this reader does not know: no count, which callers report.
            return -1;
        }
    }

    /** Udp InErrors plus Udp6InErrors: receive errors of every kind, full queues among them. */
    private long namespaceErrors() throws IOException {
        long errors = 0;
        String[] snmp = Files.readString(procNet.resolve("snmp"), StandardCharsets.US_ASCII).split("\n");
        for (int i = 0; i + 1 < snmp.length; i++) {
            if (snmp[i].startsWith("Udp: ") && snmp[i + 1].startsWith("Udp: ")) {
                List<String> names = List.of(snmp[i].trim().split(" +"));
                errors += Long.parseLong(snmp[i + 1].trim().split(" +")[names.indexOf("InErrors")]);
                break;
            }
        }
        Path snmp6 = procNet.resolve("snmp6");
        if (Files.exists(snmp6)) {
            for (String line : Files.readAllLines(snmp6, StandardCharsets.US_ASCII)) {
                if (line.startsWith("Udp6InErrors")) {
                    errors += Long.parseLong(line.substring("Udp6InErrors".length()).trim());
                }
            }
        }
        return errors;
    }

    /**
     * A table's lines are {@code "  sl: local_address rem_address ... drops"}: the local address is the word after
     * the line number, the drops the last word.
     */
    private long sumDrops(Path table) throws IOException {
        if (!Files.exists(table)) {
            return 0;
        }
        String text = Files.readString(table, StandardCharsets.US_ASCII);
        long sum = 0;
        int lineStart = text.indexOf('\n') + 1;
        while (lineStart > 0 && lineStart < text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            int addressStart = skipSpaces(text, text.indexOf(':', lineStart) + 1, lineEnd);
            int addressEnd = text.indexOf(' ', addressStart);
            if (addressEnd > addressStart && addressEnd < lineEnd
                    && localAddresses.contains(text.substring(addressStart, addressEnd))) {
                int last = lineEnd;
                while (last > addressEnd && text.charAt(last - 1) == ' ') {
                    last--;
                }
                int first = text.lastIndexOf(' ', last - 1) + 1;
                sum += Long.parseLong(text, first, last, 10);
            }
            lineStart = lineEnd + 1;
        }
        return sum;
    }

    private static int skipSpaces(String text, int from, int end) {
        int at = from;
        while (at < end && text.charAt(at) == ' ') {
            at++;
        }
        return at;
    }

    /**
     * The kernel prints an address as its 32-bit words in host order, each in hex (so 127.0.0.1 on x86 is
     * {@code 0100007F}), then the port in hex.
     */
    static String tableForm(InetSocketAddress address) {
        byte[] bytes = address.getAddress().getAddress();
        StringBuilder out = new StringBuilder(bytes.length * 2 + 5);
        HexFormat hex = HexFormat.of().withUpperCase();
        boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                out.append(hex.toHexDigits(bytes[word + (littleEndian ? 3 - i : i)]));
            }
        }
        return out.append(':').append(String.format(Locale.ROOT, "%04X", address.getPort())).toString();
    }
}
