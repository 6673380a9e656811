package org.edgesbc.core.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.cluster.AccountShare;
import org.edgesbc.policy.fraud.DestinationClass;

/**
 * The text form of bans, account shares and node addresses in Redis and in the cluster's messages: tab-separated fields, instants
 * in epoch milliseconds. Reading throws {@link IllegalArgumentException} for anything malformed; the caller counts
 * and skips it.
 */
final class SharedStateCodec {
    private static final String NONE = "-";

    private SharedStateCodec() { }

    /** {@code address, reason, created, expires, offences, detail}; the counters stay with the node that banned. */
    static String ban(Ban ban) {
        return ban.source().getHostAddress() + '\t' + ban.reason().name() + '\t' + ban.created().toEpochMilli() + '\t'
                + ban.expires().toEpochMilli() + '\t' + ban.offences() + '\t' + oneLine(ban.detail());
    }

    static Ban ban(String text) {
        String[] f = text.split("\t", -1);
        if (f.length != 6) {
            throw new IllegalArgumentException("a ban has 6 fields, found " + f.length);
        }
        return new Ban(address(f[0]), BanReason.valueOf(f[1]), f[5], Instant.ofEpochMilli(Long.parseLong(f[2])),
                Instant.ofEpochMilli(Long.parseLong(f[3])), Integer.parseInt(f[4]));
    }

    /** An IP literal only: never a name to resolve. */
    static InetAddress address(String text) {
        return Cidr.address(text);
    }

    /** {@code host:port}, an IPv6 host in brackets. */
    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ':' + address.getPort();
    }

    /** {@code host:port} with an IP literal host and a port from 1 to 65535. */
    static InetSocketAddress sipAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a node's SIP address is host:port, found '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(text.substring(colon + 1));
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range in '" + text + "'");
        }
        return new InetSocketAddress(address(host), port);
    }

    /** {@code live, class=n,..., day, dayMicros, weekend, weekendMicros}. */
    static String share(AccountShare share) {
        StringBuilder byClass = new StringBuilder();
        share.liveByClass().forEach((k, v) -> byClass.append(byClass.isEmpty() ? "" : ",")
                .append(k.name().toLowerCase(Locale.ROOT)).append('=').append(v));
        return share.liveCalls() + "\t" + byClass + '\t' + (share.day() == null ? NONE : share.day()) + '\t'
                + share.dayMicros() + '\t' + (share.weekend() == null ? NONE : share.weekend()) + '\t'
                + share.weekendMicros();
    }

    static AccountShare share(String account, String text) {
        String[] f = text.split("\t", -1);
        if (f.length != 6) {
            throw new IllegalArgumentException("an account share has 6 fields, found " + f.length);
        }
        Map<DestinationClass, Integer> byClass = new EnumMap<>(DestinationClass.class);
        if (!f[1].isEmpty()) {
            for (String entry : f[1].split(",")) {
                int eq = entry.indexOf('=');
                byClass.put(DestinationClass.valueOf(entry.substring(0, eq).toUpperCase(Locale.ROOT)),
                        Integer.parseInt(entry.substring(eq + 1)));
            }
        }
        return new AccountShare(account, Integer.parseInt(f[0]), byClass, date(f[2]), Long.parseLong(f[3]),
                date(f[4]), Long.parseLong(f[5]));
    }

    private static LocalDate date(String text) {
        return text.equals(NONE) ? null : LocalDate.parse(text);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
