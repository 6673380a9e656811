package org.edgesbc.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}); a bare address is a
 * host route. Host bits must be zero: {@code 10.0.0.1/8} is refused rather than silently widened.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong; only IP literals are accepted, never host names
     *     (a DNS lookup at config time would make the allowlist depend on a resolver)
     */
    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = parseLiteral(addressPart);
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String prefixPart = trimmed.substring(slash + 1);
            if (prefixPart.isEmpty() || prefixPart.length() > 3 || !prefixPart.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("prefix length '" + prefixPart + "' is not a number");
            }
            prefix = Integer.parseInt(prefixPart);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length " + prefix + " exceeds " + max);
            }
        }
        for (int bit = prefix; bit < max; bit++) {
            if ((address[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("host bits are set in " + trimmed + " for a /" + prefix + " network");
            }
        }
        return new Cidr(address, prefix);
    }

    private static byte[] parseLiteral(String literal) {
        boolean ipv4 = !literal.isEmpty() && literal.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        boolean ipv6 = literal.indexOf(':') >= 0 && literal.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("'" + literal + "' is not an IP address literal");
        }
        if (ipv4) {
            String[] parts = literal.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("'" + literal + "' is not a dotted-quad IPv4 address");
            }
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                    throw new IllegalArgumentException("'" + literal + "' has an invalid octet '" + parts[i] + "'");
                }
                out[i] = (byte) Integer.parseInt(parts[i]);
            }
            return out;
        }
        try {
            // Only reached for strings made of hex digits, colons and dots, so no name resolution can happen.
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not a valid IPv6 address", e);
        }
    }

    /**
     * An IP literal as an address, never resolving a name.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByAddress(parseLiteral(literal.trim()));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IP address literal", e);
        }
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int remainder = prefixLength % 8;
        if (remainder == 0) {
            return true;
        }
        int mask = (0xFF << (8 - remainder)) & 0xFF;
        return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    /** A copy of the network's address bytes (4 for IPv4, 16 for IPv6), host bits zero. */
    public byte[] networkBytes() {
        return network.clone();
    }

    public int prefixLength() {
        return prefixLength;
    }

    public boolean isIpv4() {
        return network.length == 4;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr that && prefixLength == that.prefixLength && Arrays.equals(network, that.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
