package io.pigateway.client.sensor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * Reads each sensor at its own interval and hands valid samples to a {@link ReadingSink}. Sensors
 * run on a small pool, so one slow or failing sensor does not hold up or stop the others.
 */
public final class Sampler implements AutoCloseable {
    private static final int MAX_THREADS = 4;
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final ScheduledExecutorService executor;
    private final List<SensorTask> tasks = new ArrayList<>();

    private Sampler(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    public static Sampler start(List<ScheduledSensor> sensors, ReadingSink sink) {
        return start(sensors, sink, System::currentTimeMillis);
    }

    public static Sampler start(List<ScheduledSensor> sensors, ReadingSink sink, LongSupplier clockMillis) {
        if (sensors.isEmpty()) {
            throw new IllegalArgumentException("no sensors to sample");
        }
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(Math.min(sensors.size(), MAX_THREADS),
                r -> {
                    Thread t = new Thread(r, "sampler-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.setRemoveOnCancelPolicy(true);
        Sampler sampler = new Sampler(executor);
        for (ScheduledSensor s : sensors) {
            SensorTask task = new SensorTask(s.sensor(), sink, clockMillis, System::nanoTime);
            sampler.tasks.add(task);
            Logger.info("sensor {}: {}{}, every {} ms", s.sensor().name(), s.sensor().description(),
                    s.sensor().unit().isEmpty() ? "" : " in " + s.sensor().unit(), s.interval().toMillis());
            executor.scheduleAtFixedRate(task, 0, s.interval().toNanos(), TimeUnit.NANOSECONDS);
        }
        return sampler;
    }

    public SamplerStats stats() {
        long sampled = 0;
        long invalid = 0;
        long failed = 0;
        for (SensorTask t : tasks) {
            sampled += t.sampled.get();
            invalid += t.invalid.get();
            failed += t.failed.get();
        }
        return new SamplerStats(sampled, invalid, failed);
    }

    /** Problem lines logged by all sensors so far (see {@link SensorTask}). */
    long problemLines() {
        return tasks.stream().mapToLong(t -> t.problemLines.get()).sum();
    }

    /** Stops sampling; when this returns no further sample reaches the sink. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                Logger.warn("a sensor read did not finish within {} ms of stopping; interrupting it", STOP_WAIT.toMillis());
                executor.shutdownNow();
                executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
