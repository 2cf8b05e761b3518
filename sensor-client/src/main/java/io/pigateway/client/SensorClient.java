package io.pigateway.client;

import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.link.GatewayLink;
import io.pigateway.client.link.LinkStats;
import io.pigateway.client.sensor.Sampler;
import io.pigateway.client.sensor.SamplerStats;
import io.pigateway.client.sensor.ScheduledSensor;
import io.pigateway.client.sensor.SensorSet;
import io.pigateway.client.sensor.SensorStartException;
import io.pigateway.client.sensor.Sensors;
import io.pigateway.client.sensor.pi4j.HardwareSensors;
import io.pigateway.client.spool.ReadingSpool;
import io.pigateway.client.spool.Spool;
import io.pigateway.protocol.SensorInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * A running sensor client: sensors sampled into the durable spool, the spool streamed to a gateway. The
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
    private final Spool spool;
    private final GatewayLink link;
    private final Sampler sampler;
    private final HealthReport report; // null when report.interval is 0s
    private ClientStats finalStats;

    private SensorClient(SensorClientConfig config, Spool spool, GatewayLink link, Sampler sampler, HealthReport report) {
        this.config = config;
        this.spool = spool;
        this.link = link;
        this.sampler = sampler;
        this.report = report;
    }

    /**
     * Starts with the sensors the configuration describes: real ones through Pi4J (started only if one
     * is configured), simulated ones made up.
     *
     * @throws SensorStartException if a real sensor cannot be opened; nothing is then started
     */
    public static SensorClient start(SensorClientConfig config) {
        SensorSet sensors = Sensors.open(config.sensors(), HardwareSensors::open);
        try {
            return start(config, sensors);
        } catch (RuntimeException e) {
            sensors.close();
            throw e;
        }
    }

    /**
     * Starts with the given sensors instead of the configured ones (test doubles); {@code
     * config.sensors()} is then unused.
     */
    public static SensorClient start(SensorClientConfig config, List<ScheduledSensor> sensors) {
        return start(config, SensorSet.of(sensors));
    }

    /**
     * Starts with opened sensors, which the client closes when it stops; their readings are announced in HELLO.
     *
     * @throws io.pigateway.client.spool.SpoolUnusableException naming the path, if the spool directory
     *         cannot be made, written or read
     */
    public static SensorClient start(SensorClientConfig config, SensorSet sensors) {
        return start(config, sensors, DeviceClock.system());
    }

    /** As {@link #start(SensorClientConfig, SensorSet)}, with readings stamped by {@code clock} (tests: a clock in 1970). */
    public static SensorClient start(SensorClientConfig config, SensorSet sensors, DeviceClock clock) {
        List<SensorInfo> announced = sensors.announcements();
        // The client's own sensors are announced even with reports off: the spool may still hold reports
        // from a run with them on, and the gateway refuses readings of sensors HELLO did not announce.
        List<SensorInfo> own = new ArrayList<>(List.of(Spool.DROPPED_SENSOR_INFO));
        own.addAll(HealthReport.ANNOUNCED);
        boolean reporting = !config.reportInterval().isZero();
        for (SensorInfo a : announced) {
            if (a.name().equals(Spool.DROPPED_SENSOR) || HealthReport.ANNOUNCED.stream().anyMatch(h -> h.name().equals(a.name()))) {
                throw new IllegalArgumentException("sensor name " + a.name() + " is reserved: the client reports its own"
                        + " figures under it");
            }
        }
        for (String warning : config.gateway().tls().warnings()) {
            Logger.warn("{}", warning);
        }
        Spool spool = Spool.open(config.spool(), config.deviceId(), clock::stamp);
        clock.runStartsAt(spool.recovery().nextSeq()); // what the spool held was stamped by an earlier run
        GatewayLink link = new GatewayLink(config.deviceId(), config.secret(), config.gateway(), config.reconnect(),
                config.send(), spool, Stream.concat(announced.stream(), own.stream()).toList(), clock);
        spool.onFlushed(link::readingsAdded); // only flushed readings are sent
        long simulated = announced.stream().filter(SensorInfo::simulated).count();
        Logger.info("device {} starting: stream {}, {} sensor(s){}, gateway {}{}; unacknowledged readings are kept in"
                        + " the spool {} ({} held now)",
                config.deviceId(), spool.streamId(), announced.size(),
                simulated == announced.size() ? ", all SIMULATED" : simulated > 0 ? ", " + simulated + " SIMULATED" : "",
                String.join(" or ", config.gateway().addresses().stream().map(GatewayAddress::toString).toList()),
                config.gateway().tls().enabled() ? " over TLS" : "", spool.directory(), spool.size());
        link.start();
        Sampler sampler;
        try {
            sampler = Sampler.start(sensors, spool::append, clock::stamp);
        } catch (RuntimeException e) {
            link.close();
            spool.close();
            throw e;
        }
        HealthReport report = reporting ? HealthReport.start(config.reportInterval(), spool::append, spool::size,
                sampler::stats, clock::stamp) : null;
        return new SensorClient(config, spool, link, sampler, report);
    }

    public SensorClientConfig config() {
        return config;
    }

    public long streamId() {
        return spool.streamId();
    }

    /** One line for systemd's STATUS: who this is, what it samples, where it sends. */
    public String status() {
        return "device " + config.deviceId() + ": sampling " + sampler.sensorCount() + " sensor(s) into the spool "
                + spool.directory() + ", sending to gateway " + String.join(" or ",
                config.gateway().addresses().stream().map(GatewayAddress::toString).toList());
    }

    /**
     * For the systemd watchdog: a sensor read or the gateway link that stopped making progress (see
     * {@link Sampler#stuck} and {@link GatewayLink#stuck}). An unreachable gateway or a failing
     * sensor is not stuck.
     */
    public Optional<String> stuck(Duration interval) {
        return sampler.stuck(interval).or(() -> link.stuck(interval));
    }

    public ClientStats stats() {
        LinkStats l = link.stats();
        SamplerStats s = sampler.stats();
        ReadingSpool.Counts c = spool.counts();
        return new ClientStats(c.appended(), c.recovered(), l.sent(), c.acknowledged(), c.dropped(), c.held(), s.invalid(),
                s.failed(), l.connected(), l.gateway(), l.lastProblem());
    }

    /**
     * Orderly stop: no more sampling; what is in the spool gets up to {@code shutdown.ack-wait} to be
     * acknowledged; BYE; close; what is left stays in the spool for the next start. Logs how many
     * readings were left unacknowledged. Idempotent.
     */
    public synchronized ClientStats shutdown() {
        if (finalStats != null) {
            return finalStats;
        }
        if (report != null) {
            report.close();
        }
        sampler.close();
        spool.sync(); // what was sampled last becomes sendable now, not at the next flush
        int pending = spool.size();
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
        long fsyncs = spool.stats().fsyncs();
        spool.close();
        ClientStats s = stats();
        if (s.pending() == 0) {
            Logger.info("stopped: all {} readings sampled{} were acknowledged by the gateway{}", s.sampled(),
                    s.recovered() > 0 ? " (and " + s.recovered() + " left by the previous run)" : "",
                    s.dropped() > 0 ? " except " + s.dropped() + " dropped (the spool was full, or the gateway refused"
                            + " them for good) or lost (the spool could not write them)" : "");
        } else {
            Logger.info("stopped: {} readings not yet acknowledged by the gateway stay in the spool {} and are sent after"
                    + " the next start ({} acknowledged, {} dropped because the spool was full or the gateway refused"
                    + " them for good, or lost because the spool could not write them)",
                    s.pending(), spool.directory(), s.acknowledged(), s.dropped());
        }
        Logger.info("spool: {} fsyncs for {} readings sampled in this run ({} per 1,000 readings)", fsyncs, s.sampled(),
                s.sampled() == 0 ? "-" : String.format("%.1f", 1000.0 * fsyncs / s.sampled()));
        finalStats = s;
        return s;
    }

    @Override
    public void close() {
        shutdown();
    }
}
