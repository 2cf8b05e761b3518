package io.pigateway.gateway.auth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where a connection comes from, as far as per-source limits and penalties are concerned: the
 * client's address cut to a prefix. One IPv6 host usually holds a whole /64 (2^64 addresses to
 * rotate through), so IPv6 is grouped by {@code limits.ipv6-prefix-length} (default 64); IPv4 by
 * {@code limits.ipv4-prefix-length} (default 32, the address itself). An IPv4-mapped IPv6 address
 * ({@code ::ffff:192.0.2.1}, as a dual-stack socket may report) counts as the IPv4 address it maps.
 *
 * @param network the address with every bit after {@code length} cleared
 * @param length  the prefix length in bits
 */
public record SourcePrefix(InetAddress network, int length) {
    /** The source of a client at {@code address}. */
    public static SourcePrefix of(InetAddress address, int ipv4Length, int ipv6Length) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isIpv4Mapped(bytes)) {
            bytes = java.util.Arrays.copyOfRange(bytes, 12, 16);
        }
        int length = bytes.length == 4 ? ipv4Length : ipv6Length;
        for (int bit = length; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            // Without a scope id: fe80::1%eth0 and fe80::1%eth1 are one source, as on the wire.
            return new SourcePrefix(bytes.length == 4 ? Inet4Address.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1), length);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e); // 4 and 16 are valid lengths
        }
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    /** {@code 192.0.2.7} for a whole IPv4 address, else {@code 2001:db8:0:0:0:0:0:0/64}: for log lines and NACK reasons. */
    @Override
    public String toString() {
        boolean whole = length == network.getAddress().length * 8;
        return network.getHostAddress() + (whole ? "" : "/" + length);
    }
}
