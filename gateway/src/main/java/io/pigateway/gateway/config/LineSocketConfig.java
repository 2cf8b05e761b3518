package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Line protocol over plain TCP and UDP ({@code ingest.line-tcp.*}, {@code ingest.line-udp.*}), framed
 * as Telegraf's {@code socket_writer} output and {@code socket_listener} input frame it: lines ended by
 * {@code \n}; over UDP one or more whole lines per datagram. Both off by default. There is no answer
 * on these sockets, so they are at most once (docs/INGEST.md (line protocol over TCP and UDP)).
 *
 * <p>Neither can carry a secret, so with {@code auth.mode = secrets} each enabled input needs
 * {@code trusted-sources}: the addresses (or prefixes) whose lines are taken at their word for any
 * device id. Over UDP a source address is whatever the sender writes into the packet, so there only
 * loopback may be trusted: Linux drops packets that arrive from outside with a loopback source.
 */
public record LineSocketConfig(Endpoint tcp, int tcpMaxConnections, Duration tcpIdleTimeout, Endpoint udp,
                               int udpQueueDatagrams) {
    public static final int DEFAULT_PORT = 8094;

    /**
     * One input's socket.
     *
     * @param trusted empty: every source (only with {@code auth.mode = open})
     */
    public record Endpoint(boolean enabled, InetAddress address, int port, Precision precision,
                           List<SourceRange> trusted) {
        public Endpoint {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(precision, "precision");
            trusted = List.copyOf(trusted);
        }

        /** Whether lines from {@code source} are taken. */
        public boolean trusts(InetAddress source) {
            return trusted.isEmpty() || trusted.stream().anyMatch(r -> r.contains(source));
        }
    }

    /** An address, or a prefix {@code 10.0.0.0/24}, {@code fd00::/64}. */
    public record SourceRange(InetAddress network, int length) {
        public boolean contains(InetAddress a) {
            byte[] n = network.getAddress();
            byte[] b = a.getAddress();
            if (n.length != b.length) {
                return false;
            }
            for (int bit = 0; bit < length; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((n[bit / 8] & mask) != (b[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return network.getHostAddress() + "/" + length;
        }
    }

    public static LineSocketConfig disabled() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return new LineSocketConfig(new Endpoint(false, loopback, DEFAULT_PORT, Precision.NANOSECONDS, List.of()), 64,
                Duration.ofMinutes(5), new Endpoint(false, loopback, DEFAULT_PORT, Precision.NANOSECONDS, List.of()), 1024);
    }

    public LineSocketConfig withTcp(Endpoint e) {
        return new LineSocketConfig(e, tcpMaxConnections, tcpIdleTimeout, udp, udpQueueDatagrams);
    }

    public LineSocketConfig withUdp(Endpoint e) {
        return new LineSocketConfig(tcp, tcpMaxConnections, tcpIdleTimeout, e, udpQueueDatagrams);
    }

    /** @param authOpen whether {@code auth.mode = open}: then no trusted sources are needed */
    public static LineSocketConfig from(Settings s, boolean authOpen) throws ConfigException {
        Endpoint tcp = endpoint(s, "ingest.line-tcp", authOpen, false);
        Endpoint udp = endpoint(s, "ingest.line-udp", authOpen, true);
        int maxConnections = s.intIn("ingest.line-tcp.max-connections", 64, 1, 10_000);
        Duration idle = s.duration("ingest.line-tcp.idle-timeout", Duration.ofMinutes(5), Duration.ofSeconds(1),
                Duration.ofDays(1));
        int queue = s.intIn("ingest.line-udp.queue-datagrams", 1024, 1, 1_000_000);
        return new LineSocketConfig(tcp, maxConnections, idle, udp, queue);
    }

    private static Endpoint endpoint(Settings s, String prefix, boolean authOpen, boolean udp) throws ConfigException {
        // Every key is read (and checked) even while the input is off, so it may stay in the file.
        boolean enabled = s.bool(prefix + ".enabled", false);
        String rawAddress = s.string(prefix + ".address", "127.0.0.1");
        InetAddress address;
        try {
            address = InetAddress.getByName(unbracket(rawAddress));
        } catch (UnknownHostException e) {
            throw s.invalid(prefix + ".address", rawAddress, "must be an IP address or a resolvable host name");
        }
        int port = s.intIn(prefix + ".port", DEFAULT_PORT, 0, 65535);
        String rawPrecision = s.string(prefix + ".precision", "ns");
        Precision precision = Precision.of(rawPrecision);
        if (precision == null) {
            throw s.invalid(prefix + ".precision", rawPrecision, "must be one of ns, us, ms, s, m, h (Telegraf sends ns)");
        }
        String key = prefix + ".trusted-sources";
        List<SourceRange> trusted = new ArrayList<>();
        for (String item : s.list(key, List.of())) {
            SourceRange r = range(item);
            if (r == null) {
                throw s.invalid(key, s.string(key, ""), "'" + item + "' is not an IP address or a prefix such as 10.0.0.0/24");
            }
            if (udp && !r.network().isLoopbackAddress()) {
                throw s.invalid(key, s.string(key, ""), "'" + item + "' is not loopback: a UDP source address is whatever"
                        + " the sender writes, so only 127.0.0.0/8 and ::1 (which Linux never accepts from outside) can be"
                        + " trusted over UDP; use ingest.line-tcp or an HTTP input with credentials instead");
            }
            trusted.add(r);
        }
        if (enabled && !authOpen && trusted.isEmpty()) {
            throw s.invalid(prefix + ".enabled", "true", "line protocol over " + (udp ? "UDP" : "TCP") + " carries no"
                    + " credentials, so with auth.mode = secrets " + key + " must list the sources trusted to write"
                    + " for any device (e.g. 127.0.0.1, ::1)");
        }
        return new Endpoint(enabled, address, port, precision, trusted);
    }

    /** {@code 10.0.0.5}, {@code 10.0.0.0/24}, {@code ::1}, {@code [fd00::]/64}; {@code null} if it is none. */
    public static SourceRange range(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String host = unbracket(slash < 0 ? t : t.substring(0, slash));
        // literals only: a host name here would be looked up at start-up and trusted for ever
        if (!host.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
        int bits = a.getAddress().length * 8;
        int length = bits;
        if (slash >= 0) {
            try {
                length = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (length < 0 || length > bits) {
                return null;
            }
        }
        return new SourceRange(a, length);
    }

    private static String unbracket(String raw) {
        return raw.startsWith("[") && raw.endsWith("]") ? raw.substring(1, raw.length() - 1) : raw;
    }
}
