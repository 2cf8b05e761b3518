package io.pigateway.client;

import io.pigateway.client.sensor.SamplerStats;
import io.pigateway.client.sensor.ReadingSink;
import io.pigateway.protocol.SensorInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The client's own figures, reported every {@code report.interval} as readings of synthetic sensors, so a
 * dashboard reading MySQL can show a device in trouble next to its data. They travel through the spool
 * like any reading (durable, acknowledged, stored once); {@code client.readings-dropped} is reported by
 * the spool itself.
 */
final class HealthReport implements AutoCloseable {
    /** Readings held in the spool, not yet acknowledged, when the report was made. */
    static final String SPOOL_DEPTH = "client.spool-depth";
    /** Sensor reads that failed since the client started (a count that restarts at 0 with the client). */
    static final String SENSOR_FAILURES = "client.sensor-failures";
    static final List<SensorInfo> ANNOUNCED = List.of(
            new SensorInfo(SPOOL_DEPTH, "readings", "client.spool-depth", false),
            new SensorInfo(SENSOR_FAILURES, "", "client.sensor-failures", false));

    private final ScheduledExecutorService timer;

    private HealthReport(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Reports every {@code interval}, the first time one interval after the start. */
    static HealthReport start(Duration interval, ReadingSink sink, IntSupplier spoolDepth,
                              Supplier<SamplerStats> sampler, LongSupplier clockMillis) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("health-report").daemon().unstarted(r));
        long ms = interval.toMillis();
        timer.scheduleAtFixedRate(() -> report(sink, spoolDepth, sampler, clockMillis), ms, ms, TimeUnit.MILLISECONDS);
        return new HealthReport(timer);
    }

    static void report(ReadingSink sink, IntSupplier spoolDepth, Supplier<SamplerStats> sampler, LongSupplier clockMillis) {
        long now = clockMillis.getAsLong();
        sink.accept(SPOOL_DEPTH, now, spoolDepth.getAsInt());
        sink.accept(SENSOR_FAILURES, now, sampler.get().failed());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
