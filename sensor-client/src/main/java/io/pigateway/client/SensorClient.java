package io.pigateway.client;

import io.pigateway.client.buffer.MemoryReadingBuffer;
import io.pigateway.client.buffer.ReadingBuffer;
import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.link.GatewayLink;
import io.pigateway.client.link.LinkStats;
import io.pigateway.client.sensor.Sampler;
import io.pigateway.client.sensor.SamplerStats;
import io.pigateway.client.sensor.ScheduledSensor;
import io.pigateway.client.sensor.Sensor;
import io.pigateway.client.sensor.SimulatedSensors;
import io.pigateway.protocol.Identifiers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tinylog.Logger;

/**
 * A running sensor client: sensors sampled into a buffer, the buffer streamed to a gateway. The
 * programmatic entry point for the command line, tests and demos.
 *
 * <pre>{@code
 * try (SensorClient client = SensorClient.start(config)) {
 *     ...
 *     client.stats();
 * } // close(): stop sampling, wait for ACKs (bounded), BYE
 * }</pre>
 */
public final class SensorClient implements AutoCloseable {
    private final SensorClientConfig config;
    private final ReadingBuffer buffer;
    private final GatewayLink link;
    private final Sampler sampler;
    private ClientStats finalStats;

    private SensorClient(SensorClientConfig config, ReadingBuffer buffer, GatewayLink link, Sampler sampler) {
        this.config = config;
        this.buffer = buffer;
        this.link = link;
        this.sampler = sampler;
    }

    /** Starts with the simulated sensors the configuration describes. */
    public static SensorClient start(SensorClientConfig config) {
        List<Sensor> sensors = SimulatedSensors.create(config.sensors());
        List<ScheduledSensor> scheduled = new ArrayList<>();
        for (int i = 0; i < sensors.size(); i++) {
            scheduled.add(new ScheduledSensor(sensors.get(i), config.sensors().get(i).interval()));
        }
        return start(config, scheduled);
    }

    /**
     * Starts with the given sensors instead of the configured ones (real hardware later, test doubles
     * now); {@code config.sensors()} is then unused.
     */
    public static SensorClient start(SensorClientConfig config, List<ScheduledSensor> sensors) {
        Set<String> names = new HashSet<>();
        for (ScheduledSensor s : sensors) {
            Identifiers.require("sensor name", s.sensor().name());
            if (!names.add(s.sensor().name())) {
                throw new IllegalArgumentException("two sensors are named " + s.sensor().name());
            }
        }
        ReadingBuffer buffer = new MemoryReadingBuffer(config.buffer().maxReadings());
        GatewayLink link = new GatewayLink(config.deviceId(), config.gateway(), config.reconnect(), config.send(), buffer);
        long simulated = sensors.stream().filter(s -> s.sensor().simulated()).count();
        Logger.info("device {} starting: stream {}, {} sensor(s){}, gateway {}; up to {} unacknowledged readings"
                        + " are kept in memory (lost if the client stops)",
                config.deviceId(), Long.toHexString(buffer.streamId()), sensors.size(),
                simulated == sensors.size() ? ", all SIMULATED" : simulated > 0 ? ", " + simulated + " SIMULATED" : "",
                String.join(" or ", config.gateway().addresses().stream().map(GatewayAddress::toString).toList()),
                config.buffer().maxReadings());
        link.start();
        Sampler sampler;
        try {
            sampler = Sampler.start(sensors, (sensor, at, value) -> {
                buffer.append(sensor, at, value);
                link.readingsAdded();
            });
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
        return new SensorClient(config, buffer, link, sampler);
    }

    public SensorClientConfig config() {
        return config;
    }

    public long streamId() {
        return buffer.streamId();
    }

    public ClientStats stats() {
        LinkStats l = link.stats();
        SamplerStats s = sampler.stats();
        ReadingBuffer.Counts c = buffer.counts();
        return new ClientStats(c.appended(), l.sent(), c.acknowledged(), c.dropped(), c.held(), s.invalid(), s.failed(),
                l.connected(), l.gateway(), l.lastProblem());
    }

    /**
     * Orderly stop: no more sampling; what is buffered gets up to {@code shutdown.ack-wait} to be
     * acknowledged; BYE; close. Logs how many readings were left unacknowledged. Idempotent.
     */
    public synchronized ClientStats shutdown() {
        if (finalStats != null) {
            return finalStats;
        }
        sampler.close();
        int pending = buffer.size();
        if (pending > 0) {
            Logger.info("stopping: sampling stopped; waiting up to {} ms for the gateway to acknowledge {} readings",
                    config.shutdownAckWait().toMillis(), pending);
        }
        try {
            link.shutdown(config.shutdownAckWait());
        } catch (InterruptedException e) {
            link.close();
            Thread.currentThread().interrupt();
        }
        ClientStats s = stats();
        if (s.pending() == 0) {
            Logger.info("stopped: all {} readings sampled were acknowledged by the gateway{}", s.sampled(),
                    s.dropped() > 0 ? " except " + s.dropped() + " dropped earlier because the buffer was full" : "");
        } else {
            Logger.warn("stopped: {} readings were not acknowledged by the gateway and are lost, since the buffer is"
                    + " in memory only ({} acknowledged, {} dropped earlier because the buffer was full)",
                    s.pending(), s.acknowledged(), s.dropped());
        }
        finalStats = s;
        return s;
    }

    @Override
    public void close() {
        shutdown();
    }
}
