package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.protocol.Frames;
import java.time.Duration;
import java.util.Objects;

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
 * @param maxHelloBytes        largest frame payload accepted before HELLO_OK (from a client not yet
 *                             authenticated), checked before allocation; at most maxPayloadBytes
 * @param maxSensors           most sensors one HELLO may announce; more are refused with TOO_MANY_SENSORS
 * @param maxSensorsPerDevice  most sensors the {@code sensors} table may hold for one device, over all its
 *                             handshakes; a HELLO whose new sensors would pass it is refused with
 *                             TOO_MANY_SENSORS and nothing of it is recorded; at least maxSensors
 * @param connectionMemoryPercent share of the JVM's maximum heap that connections may hold in total
 *                             (an estimate per open connection plus their partly received frames);
 *                             beyond it new connections are refused with OVERLOADED
 * @param handshakeLimits      what connections may take before they authenticate
 */
public record LimitsConfig(int maxConnections, int maxPayloadBytes, int maxReadingsPerFrame,
                           Duration handshakeTimeout, Duration idleTimeout, Duration queueWait,
                           int maxConnectionsPerAddress, int maxReadingsPerSecond,
                           int maxHelloBytes, int maxSensors, int maxSensorsPerDevice, int connectionMemoryPercent,
                           HandshakeLimits handshakeLimits) {
    /**
     * Above the 10,000 idle devices (and the connections in their handshake) that the memory budget
     * admits with the packaged heap, -Xmx96m (net/MemoryBudget, docs/PERFORMANCE.md): the budget,
     * not this count, protects the heap; this count is for a site that wants a cap of its own.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 12_000;
    public static final int DEFAULT_MAX_READINGS_PER_FRAME = 4096;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_QUEUE_WAIT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32;
    public static final int DEFAULT_MAX_READINGS_PER_SECOND = 2000;
    /** Room for a HELLO of 64 sensors with the longest names, units and kinds (about 10 KB in ASCII). */
    public static final int DEFAULT_MAX_HELLO_BYTES = 16 * 1024;
    public static final int MIN_HELLO_BYTES = 512;
    public static final int DEFAULT_MAX_SENSORS = 64;
    public static final int DEFAULT_MAX_SENSORS_PER_DEVICE = 256;
    public static final int MAX_SENSORS_PER_DEVICE = 1_000_000;
    public static final int DEFAULT_CONNECTION_MEMORY_PERCENT = 75;

    public LimitsConfig {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("limits.max-connections must be >= 1, not " + maxConnections);
        }
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("limits.max-connections-per-address must be >= 1, not " + maxConnectionsPerAddress);
        }
        if (maxReadingsPerSecond < 0) {
            throw new IllegalArgumentException("limits.max-readings-per-second must be >= 0, not " + maxReadingsPerSecond);
        }
        if (maxPayloadBytes < 64 || maxPayloadBytes > Frames.PROTOCOL_MAX_PAYLOAD) {
            throw new IllegalArgumentException("limits.max-frame-bytes must be 64.." + Frames.PROTOCOL_MAX_PAYLOAD
                    + ", not " + maxPayloadBytes);
        }
        if (maxReadingsPerFrame < 1 || maxReadingsPerFrame > 65535) {
            throw new IllegalArgumentException("limits.max-readings-per-frame must be 1..65535, not " + maxReadingsPerFrame);
        }
        if (maxHelloBytes < Math.min(MIN_HELLO_BYTES, maxPayloadBytes) || maxHelloBytes > maxPayloadBytes) {
            throw new IllegalArgumentException("limits.max-hello-bytes must be " + Math.min(MIN_HELLO_BYTES, maxPayloadBytes)
                    + ".." + maxPayloadBytes + " (limits.max-frame-bytes), not " + maxHelloBytes);
        }
        if (maxSensors < 0 || maxSensors > 65535) {
            throw new IllegalArgumentException("limits.max-sensors must be 0..65535, not " + maxSensors);
        }
        if (maxSensorsPerDevice < maxSensors || maxSensorsPerDevice > MAX_SENSORS_PER_DEVICE) {
            throw new IllegalArgumentException("limits.max-sensors-per-device must be " + maxSensors + " (limits.max-sensors).."
                    + MAX_SENSORS_PER_DEVICE + ", not " + maxSensorsPerDevice);
        }
        if (connectionMemoryPercent < 1 || connectionMemoryPercent > 90) {
            throw new IllegalArgumentException("limits.connection-memory-percent must be 1..90, not " + connectionMemoryPercent);
        }
        Objects.requireNonNull(handshakeLimits, "handshakeLimits");
    }

    /** With the memory and handshake limits at their defaults (the HELLO limit at most maxPayloadBytes). */
    public LimitsConfig(int maxConnections, int maxPayloadBytes, int maxReadingsPerFrame,
                        Duration handshakeTimeout, Duration idleTimeout, Duration queueWait,
                        int maxConnectionsPerAddress, int maxReadingsPerSecond) {
        this(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout, queueWait,
                maxConnectionsPerAddress, maxReadingsPerSecond, Math.min(DEFAULT_MAX_HELLO_BYTES, maxPayloadBytes),
                DEFAULT_MAX_SENSORS, DEFAULT_MAX_SENSORS_PER_DEVICE, DEFAULT_CONNECTION_MEMORY_PERCENT,
                HandshakeLimits.defaults());
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(DEFAULT_MAX_CONNECTIONS, Frames.DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_READINGS_PER_FRAME,
                DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_QUEUE_WAIT, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                DEFAULT_MAX_READINGS_PER_SECOND);
    }

    /** The {@code limits.*} keys. */
    public static LimitsConfig from(Settings s) throws ConfigException {
        int maxFrameBytes = s.intIn("limits.max-frame-bytes", Frames.DEFAULT_MAX_PAYLOAD, 64, Frames.PROTOCOL_MAX_PAYLOAD);
        int helloFloor = Math.min(MIN_HELLO_BYTES, maxFrameBytes);
        int maxHelloBytes = s.intIn("limits.max-hello-bytes", Math.min(DEFAULT_MAX_HELLO_BYTES, maxFrameBytes),
                helloFloor, Frames.PROTOCOL_MAX_PAYLOAD);
        if (maxHelloBytes > maxFrameBytes) {
            throw s.invalid("limits.max-hello-bytes", Integer.toString(maxHelloBytes),
                    "must be at most limits.max-frame-bytes (" + maxFrameBytes + ")");
        }
        int maxSensors = s.intIn("limits.max-sensors", DEFAULT_MAX_SENSORS, 0, 65535);
        int maxSensorsPerDevice = s.intIn("limits.max-sensors-per-device",
                Math.max(DEFAULT_MAX_SENSORS_PER_DEVICE, maxSensors), 0, MAX_SENSORS_PER_DEVICE);
        if (maxSensorsPerDevice < maxSensors) {
            throw s.invalid("limits.max-sensors-per-device", Integer.toString(maxSensorsPerDevice),
                    "must be at least limits.max-sensors (" + maxSensors + ")");
        }
        return new LimitsConfig(
                s.intIn("limits.max-connections", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
                maxFrameBytes,
                s.intIn("limits.max-readings-per-frame", DEFAULT_MAX_READINGS_PER_FRAME, 1, 65535),
                s.duration("limits.handshake-timeout", DEFAULT_HANDSHAKE_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.duration("limits.idle-timeout", DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(1), Duration.ofHours(24)),
                s.duration("limits.queue-wait", DEFAULT_QUEUE_WAIT, Duration.ofMillis(10), Duration.ofMinutes(10)),
                s.intIn("limits.max-connections-per-address", DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000),
                s.intIn("limits.max-readings-per-second", DEFAULT_MAX_READINGS_PER_SECOND, 0, 10_000_000),
                maxHelloBytes,
                maxSensors,
                maxSensorsPerDevice,
                s.intIn("limits.connection-memory-percent", DEFAULT_CONNECTION_MEMORY_PERCENT, 1, 90),
                HandshakeLimits.from(s));
    }

    /**
     * Readings a device may send at once after a quiet spell: two seconds' worth, and never less
     * than one full frame, so a frame the gateway allows is never refused for its size alone.
     */
    public long rateBurst() {
        return Math.max(2L * maxReadingsPerSecond, maxReadingsPerFrame);
    }

    /** The bytes {@link #connectionMemoryPercent()} allows in a JVM whose maximum heap is {@code maxHeapBytes}. */
    public long connectionMemoryBytes(long maxHeapBytes) {
        return maxHeapBytes / 100 * connectionMemoryPercent;
    }

    public LimitsConfig withMaxConnections(int max) {
        return new LimitsConfig(max, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout, queueWait,
                maxConnectionsPerAddress, maxReadingsPerSecond, maxHelloBytes, maxSensors, maxSensorsPerDevice,
                connectionMemoryPercent, handshakeLimits);
    }

    public LimitsConfig withMaxConnectionsPerAddress(int max) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, max, maxReadingsPerSecond, maxHelloBytes, maxSensors, maxSensorsPerDevice,
                connectionMemoryPercent, handshakeLimits);
    }

    public LimitsConfig withMaxReadingsPerSecond(int max) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, maxConnectionsPerAddress, max, maxHelloBytes, maxSensors, maxSensorsPerDevice,
                connectionMemoryPercent, handshakeLimits);
    }

    public LimitsConfig withTimeouts(Duration handshake, Duration idle) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshake, idle, queueWait,
                maxConnectionsPerAddress, maxReadingsPerSecond, maxHelloBytes, maxSensors, maxSensorsPerDevice,
                connectionMemoryPercent, handshakeLimits);
    }

    /** The per-device sensor limit is raised to {@code sensors} if it was below. */
    public LimitsConfig withMemory(int helloBytes, int sensors, int memoryPercent) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, maxConnectionsPerAddress, maxReadingsPerSecond, helloBytes, sensors,
                Math.max(sensors, maxSensorsPerDevice), memoryPercent, handshakeLimits);
    }

    public LimitsConfig withMaxSensorsPerDevice(int max) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, maxConnectionsPerAddress, maxReadingsPerSecond, maxHelloBytes, maxSensors, max,
                connectionMemoryPercent, handshakeLimits);
    }

    public LimitsConfig withHandshakeLimits(HandshakeLimits newHandshake) {
        return new LimitsConfig(maxConnections, maxPayloadBytes, maxReadingsPerFrame, handshakeTimeout, idleTimeout,
                queueWait, maxConnectionsPerAddress, maxReadingsPerSecond, maxHelloBytes, maxSensors,
                maxSensorsPerDevice, connectionMemoryPercent, newHandshake);
    }
}
