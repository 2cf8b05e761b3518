package io.pigateway.gateway.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * A peer's address as logs and the store show it: {@code 192.0.2.7:50026}, {@code [2001:db8::7]:50026},
 * {@code unix:/run/pi-gateway/gateway.sock}.
 * Not {@link InetSocketAddress#toString()}, whose {@code /192.0.2.7:50026} (or {@code host/192.0.2.7:50026}
 * once a name was looked up) a dashboard would have to pick apart; IPv6 in the short form of RFC 5952,
 * without a zone, so one host always reads the same.
 */
public final class PeerAddress {
    private PeerAddress() {
    }

    /** {@code address:port}, IPv6 in brackets; anything but an IP socket address as its own text. */
    public static String of(SocketAddress peer) {
        if (peer instanceof UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath(); // the socket file: a client's own end has no name
        }
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(peer);
        }
        InetAddress address = inet.getAddress();
        String host = host(address);
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + inet.getPort();
    }

    /** The address alone: {@code 192.0.2.7}, {@code 2001:db8::7}. */
    public static String host(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952 4.2: the longest run of two or more zero groups, the first of equal runs, becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }
}
