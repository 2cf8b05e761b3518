package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.auth.SourcePrefix;
import java.net.InetAddress;

/**
 * What connections may take before they authenticate, so that devices that have authenticated, and
 * devices reconnecting, are never crowded out by connections that do not (docs/SECURITY.md).
 *
 * @param maxUnauthenticated connections held at once that have not yet proven a device (TCP or TLS
 *                           handshake, waiting for HELLO); they do not count against
 *                           {@code limits.max-connections}. When all are taken, a new connection
 *                           makes the oldest of the source holding the most close with
 *                           TOO_MANY_HANDSHAKES
 * @param newPerSecond       new connections one source (address, or IPv6 prefix) may open per second
 *                           on average; 0 = no limit; beyond it CONNECTING_TOO_FAST
 * @param newBurst           new connections one source may open at once after a quiet spell
 * @param ipv4PrefixLength   bits of an IPv4 address that name one source (32 = the address)
 * @param ipv6PrefixLength   bits of an IPv6 address that name one source (64 = one subnet, which one
 *                           host usually holds whole)
 */
public record HandshakeLimits(int maxUnauthenticated, int newPerSecond, int newBurst, int ipv4PrefixLength,
                              int ipv6PrefixLength) {
    public static final int DEFAULT_MAX_UNAUTHENTICATED = 128;
    public static final int DEFAULT_NEW_PER_SECOND = 20;
    public static final int DEFAULT_NEW_BURST = 100;
    public static final int DEFAULT_IPV4_PREFIX_LENGTH = 32;
    public static final int DEFAULT_IPV6_PREFIX_LENGTH = 64;

    public HandshakeLimits {
        if (maxUnauthenticated < 1) {
            throw new IllegalArgumentException("limits.max-unauthenticated-connections must be >= 1, not " + maxUnauthenticated);
        }
        if (newPerSecond < 0) {
            throw new IllegalArgumentException("limits.new-connections-per-second must be >= 0, not " + newPerSecond);
        }
        if (newBurst < 1) {
            throw new IllegalArgumentException("limits.new-connection-burst must be >= 1, not " + newBurst);
        }
        if (ipv4PrefixLength < 8 || ipv4PrefixLength > 32) {
            throw new IllegalArgumentException("limits.ipv4-prefix-length must be 8..32, not " + ipv4PrefixLength);
        }
        if (ipv6PrefixLength < 16 || ipv6PrefixLength > 128) {
            throw new IllegalArgumentException("limits.ipv6-prefix-length must be 16..128, not " + ipv6PrefixLength);
        }
    }

    public static HandshakeLimits defaults() {
        return new HandshakeLimits(DEFAULT_MAX_UNAUTHENTICATED, DEFAULT_NEW_PER_SECOND, DEFAULT_NEW_BURST,
                DEFAULT_IPV4_PREFIX_LENGTH, DEFAULT_IPV6_PREFIX_LENGTH);
    }

    /** The {@code limits.*} keys of connections before they authenticate. */
    public static HandshakeLimits from(Settings s) throws ConfigException {
        int maxUnauthenticated = s.intIn("limits.max-unauthenticated-connections",
                DEFAULT_MAX_UNAUTHENTICATED, 1, 1_000_000);
        int perSecond = s.intIn("limits.new-connections-per-second", DEFAULT_NEW_PER_SECOND, 0, 1_000_000);
        int burst = s.intIn("limits.new-connection-burst", DEFAULT_NEW_BURST, 1, 1_000_000);
        return new HandshakeLimits(maxUnauthenticated, perSecond, burst,
                s.intIn("limits.ipv4-prefix-length", DEFAULT_IPV4_PREFIX_LENGTH, 8, 32),
                s.intIn("limits.ipv6-prefix-length", DEFAULT_IPV6_PREFIX_LENGTH, 16, 128));
    }

    /** The source a client at {@code address} counts as. */
    public SourcePrefix sourceOf(InetAddress address) {
        return SourcePrefix.of(address, ipv4PrefixLength, ipv6PrefixLength);
    }

    public HandshakeLimits withMaxUnauthenticated(int max) {
        return new HandshakeLimits(max, newPerSecond, newBurst, ipv4PrefixLength, ipv6PrefixLength);
    }

    /** {@code perSecond} 0 = no limit. */
    public HandshakeLimits withNewConnectionRate(int perSecond, int burst) {
        return new HandshakeLimits(maxUnauthenticated, perSecond, burst, ipv4PrefixLength, ipv6PrefixLength);
    }
}
