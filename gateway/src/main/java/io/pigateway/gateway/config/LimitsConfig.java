package io.pigateway.gateway.config;

import io.pigateway.protocol.Frames;
import java.time.Duration;

/**
 * What one client may ask of the gateway.
 *
 * @param maxConnections       connections held at once; more are refused with TOO_MANY_CONNECTIONS
 * @param maxPayloadBytes      largest frame payload accepted, checked before allocation
 * @param maxReadingsPerFrame  largest READINGS batch accepted
 * @param handshakeTimeout     time from accept to a complete HELLO
 * @param idleTimeout          time without any frame after the handshake (clients PING when idle)
 * @param queueWait            how long a connection waits for room in the write queue before it is
 *                             told STORE_UNAVAILABLE
 */
public record LimitsConfig(int maxConnections, int maxPayloadBytes, int maxReadingsPerFrame,
                           Duration handshakeTimeout, Duration idleTimeout, Duration queueWait) {
    public LimitsConfig {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, not " + maxConnections);
        }
        if (maxPayloadBytes < 64 || maxPayloadBytes > Frames.PROTOCOL_MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayloadBytes must be 64.." + Frames.PROTOCOL_MAX_PAYLOAD
                    + ", not " + maxPayloadBytes);
        }
        if (maxReadingsPerFrame < 1 || maxReadingsPerFrame > 65535) {
            throw new IllegalArgumentException("maxReadingsPerFrame must be 1..65535, not " + maxReadingsPerFrame);
        }
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(1000, Frames.DEFAULT_MAX_PAYLOAD, 4096, Duration.ofSeconds(10),
                Duration.ofSeconds(120), Duration.ofSeconds(30));
    }
}
