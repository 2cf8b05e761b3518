package io.pigateway.client.sensor;

import io.pigateway.protocol.SensorInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * Reads each polled sensor at its own interval, starts the event-driven ones, and hands valid
 * readings to a {@link ReadingSink}. Sensors run on a small pool, so one slow or failing sensor does
 * not hold up or stop the others. Owns its {@link SensorSet}: {@link #close()} closes it.
 */
public final class Sampler implements AutoCloseable {
    private static final int MAX_THREADS = 4;
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final ScheduledExecutorService executor;
    private final SensorSet sensors;
    private final List<SensorTask> tasks = new ArrayList<>();
    private final List<EventSensor> started = new ArrayList<>();
    private final AtomicLong eventReadings = new AtomicLong();

    private Sampler(ScheduledExecutorService executor, SensorSet sensors) {
        this.executor = executor;
        this.sensors = sensors;
    }

    /** Starts sampling; if that fails, the set is closed before the exception propagates. */
    public static Sampler start(SensorSet sensors, ReadingSink sink, LongSupplier clockMillis) {
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(1, Math.min(sensors.polled().size(), MAX_THREADS));
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "sampler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        Sampler sampler = new Sampler(executor, sensors);
        try {
            for (ScheduledSensor s : sensors.polled()) {
                SensorTask task = new SensorTask(s.sensor(), s.interval(), sink, clockMillis, System::nanoTime);
                sampler.tasks.add(task);
                Logger.info("sensor {}: {} {}, every {} ms: {}", s.sensor().name(), s.sensor().simulated() ? "SIMULATED"
                        : "REAL", s.sensor().description(), s.interval().toMillis(), readings(s.sensor().channels()));
                executor.scheduleAtFixedRate(task, 0, s.interval().toNanos(), TimeUnit.NANOSECONDS);
            }
            ReadingSink counted = (sensor, at, value) -> {
                sink.accept(sensor, at, value);
                sampler.eventReadings.incrementAndGet();
            };
            for (EventSensor e : sensors.events()) {
                Logger.info("sensor {}: REAL {}, on each change: {}", e.name(), e.description(), readings(e.channels()));
                e.start(counted);
                sampler.started.add(e);
            }
        } catch (RuntimeException e) {
            sampler.close();
            throw e;
        }
        return sampler;
    }

    private static String readings(List<SensorInfo> channels) {
        return channels.stream().map(c -> c.name() + (c.unit().isEmpty() ? "" : " (" + c.unit() + ")"))
                .collect(Collectors.joining(", "));
    }

    /** Polled and event-driven sensors together. */
    public int sensorCount() {
        return tasks.size() + started.size();
    }

    public SamplerStats stats() {
        long sampled = eventReadings.get();
        long invalid = 0;
        long failed = 0;
        for (SensorTask t : tasks) {
            sampled += t.sampled.get();
            invalid += t.invalid.get();
            failed += t.failed.get();
        }
        return new SamplerStats(sampled, invalid, failed);
    }

    /**
     * For the systemd watchdog: a polled sensor whose read has not returned, or that the scheduler
     * stopped starting, for longer than {@code limit} (see {@link SensorTask#stuck}). Event-driven
     * sensors are called by Pi4J and have no loop of ours to watch.
     */
    public Optional<String> stuck(Duration limit) {
        long now = System.nanoTime();
        for (SensorTask t : tasks) {
            String stuck = t.stuck(now, limit.toNanos());
            if (stuck != null) {
                return Optional.of(stuck);
            }
        }
        return Optional.empty();
    }

    /** Problem lines logged by all sensors so far (see {@link SensorTask}). */
    long problemLines() {
        return tasks.stream().mapToLong(t -> t.problemLines.get()).sum();
    }

    /**
     * Stops sampling; when this returns no further sample reaches the sink, and the sensors' resources
     * (the Pi4J context) are closed. Idempotent.
     */
    @Override
    public void close() {
        for (EventSensor e : started) {
            try {
                e.stop();
            } catch (RuntimeException ex) {
                Logger.warn("sensor {}: stopping failed: {}", e.name(), ex.toString());
            }
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                Logger.warn("a sensor read did not finish within {} ms of stopping; interrupting it",
                        STOP_WAIT.toMillis());
                executor.shutdownNow();
                executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            sensors.close();
        }
    }
}
