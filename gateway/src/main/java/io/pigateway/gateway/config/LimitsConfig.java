package io.pigateway.gateway.config;

import io.pigateway.protocol.Frames;
import java.time.Duration;

/**
 * What one client may ask of the gateway.
 *
 * @param maxConnections       connections of authenticated devices held at once; more are refused with
 *                             TOO_MANY_CONNECTIONS (connections still in their handshake have their own
 *                             budget, {@link HandshakeLimits#maxUnauthenticated()})
 * @param maxPayloadBytes      largest frame payload accepted, checked before allocation
 * @param maxReadingsPerFrame  largest READINGS batch accepted
 * @param handshakeTimeout     time from accept to a complete HELLO
 * @param idleTimeout          time without any frame after the handshake (clients PING when idle)
 * @param queueWait            how long a connection waits for room in the write queue before it is
 *                             told STORE_UNAVAILABLE
 * @param maxConnectionsPerAddress connections held at once from one source address; more are refused
 *                             with TOO_MANY_CONNECTIONS_FROM_ADDRESS
 * @param maxReadingsPerSecond readings one device may send per second on average (bursts up to
 *                             {@link #rateBurst()}); 0 = no limit; beyond it the
 *                             gateway reads that device's frames more slowly (TCP back-pressure)
 * @param handshakeLimits      what connections may take before they authenticate
 */
public record LimitsConfig(int maxConnections, int maxPayloadBytes, int maxReadingsPerFrame,
                           Duration handshakeTimeout, Duration idleTimeout, Duration queueWait,
                           int maxConnectionsPerAddress, int maxReadingsPerSecond, HandshakeLimits handshakeLimits) {
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32;
    public static final int DEFAULT_MAX_READINGS_PER_SECOND = 2000;

    public LimitsConfig {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, not " + maxConnections);
        }
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be >= 1, not " + maxConnectionsPerAddress);
        }
        if (maxReadingsPerSecond < 0) {
            throw new IllegalArgumentException("maxReadingsPerSecond must be >= 0, not " + maxReadingsPerSecond);
        }
        if (maxPayloadBytes < 64 || maxPayloadBytes > Frames.PROTOCOL_MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayloadBytes must be 64.." + Frames.PROTOCOL_MAX_PAYLOAD
                    + ", not " + maxPayloadBytes);
        }
        if (maxReadingsPerFrame < 1 || maxReadingsPerFrame > 65535) {
            throw new IllegalArgumentException("maxReadingsPerFrame must be 1..65535, not " + maxReadingsPerFrame);
        }
        java.util.Objects.requireNonNull(handshakeLimits, "handshakeLimits");
    }

    /** With the default {@link HandshakeLimits}. */
    public LimitsConfig(int maxConnections, int maxPayloadBytes, int maxReadingsPerFrame, Duration handshakeTimeout,
                        Duration idleTimeout, Duration queueWait, int maxConnectionsPerAddress, int maxReadingsPerSecond) {
        this(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout, queueWait,
                maxConnectionsPerAddress, maxReadingsPerSecond, HandshakeLimits.defaults());
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(1000, Frames.DEFAULT_MAX_PAYLOAD, 4096, Duration.ofSeconds(10),
                Duration.ofSeconds(120), Duration.ofSeconds(30), DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                DEFAULT_MAX_READINGS_PER_SECOND);
    }

    /**
     * Readings a device may send at once after a quiet spell: two seconds' worth, and never less
     * than one full frame, so a frame the gateway allows is never refused for its size alone.
     */
    public long rateBurst() {
        return Math.max(2L * maxReadingsPerSecond, maxReadingsPerFrame);
    }

    public LimitsConfig withMaxConnections(int max) {
        return new LimitsConfig(max, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout, queueWait,
                maxConnectionsPerAddress, maxReadingsPerSecond, handshakeLimits);
    }

    public LimitsConfig withMaxConnectionsPerAddress(int max) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, max, maxReadingsPerSecond, handshakeLimits);
    }

    public LimitsConfig withMaxReadingsPerSecond(int max) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, maxConnectionsPerAddress, max, handshakeLimits);
    }

    public LimitsConfig withTimeouts(Duration handshake, Duration idle) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshake, idle, queueWait,
                maxConnectionsPerAddress, maxReadingsPerSecond, handshakeLimits);
    }

    public LimitsConfig withHandshakeLimits(HandshakeLimits newHandshake) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, maxConnectionsPerAddress, maxReadingsPerSecond, newHandshake);
    }
}
