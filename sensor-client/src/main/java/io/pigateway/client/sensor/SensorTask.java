package io.pigateway.client.sensor;

import io.pigateway.common.ErrorText;
import io.pigateway.protocol.SensorInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * One sample of one sensor, run periodically. Never throws: a periodic task that throws is silently
 * never run again. A failing or NaN-returning sensor is logged once per streak, not once per sample,
 * and a sensor that flaps between good and bad starts at most one logged streak per minute; the
 * lines carry the running totals, so nothing goes uncounted. A failing sensor is retried with
 * {@link SensorRetryBackoff backoff}: the samples in between are skipped, not counted.
 */
final class SensorTask implements Runnable {
    static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The longest wait between two attempts at a failing sensor (unless its interval is longer). */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private enum Health { OK, FAILING, INVALID }

    private static final long IDLE = Long.MIN_VALUE;

    private final PolledSensor sensor;
    private final List<SensorInfo> channels;
    private final ReadingSink sink;
    private final LongSupplier clockMillis;
    private final LongSupplier nanoClock;
    private final SensorRetryBackoff backoff;
    final AtomicLong sampled = new AtomicLong();
    final AtomicLong invalid = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    /** Problem lines logged; tests check that a flapping sensor does not flood the log. */
    final AtomicLong problemLines = new AtomicLong();
    private final long intervalNanos;
    /** For the watchdog: when the last run began, and when the current one did ({@link #IDLE} between runs). */
    private volatile long lastStartNanos;
    private volatile long runningSince = IDLE;

    // Only the executing sampler thread touches these; runs of one periodic task never overlap.
    private Health health = Health.OK;
    private long streak;
    private boolean streakLogged;
    private boolean everLogged;
    private long lastLogNanos;

    SensorTask(PolledSensor sensor, Duration interval, ReadingSink sink, LongSupplier clockMillis,
               LongSupplier nanoClock) {
        this.sensor = sensor;
        this.channels = List.copyOf(sensor.channels());
        this.sink = sink;
        this.clockMillis = clockMillis;
        this.nanoClock = nanoClock;
        this.backoff = new SensorRetryBackoff(interval.toNanos(), MAX_BACKOFF.toNanos());
        this.intervalNanos = interval.toNanos();
        this.lastStartNanos = nanoClock.getAsLong();
    }

    @Override
    public void run() {
        long now = nanoClock.getAsLong();
        lastStartNanos = now;
        runningSince = now;
        try {
            sample(now);
        } finally {
            runningSince = IDLE;
        }
    }

    /**
     * For the watchdog: a read that has been running for longer than {@code limitNanos} (a bus or
     * driver that never returns), or a task the scheduler has not started for its interval plus
     * {@code limitNanos}; null if neither. A failing sensor is not stuck: its reads return (with an
     * error) and it is still started every interval, backing off inside.
     */
    String stuck(long now, long limitNanos) {
        long since = runningSince;
        if (since != IDLE && now - since > limitNanos) {
            return "sensor " + sensor.name() + ": one read has been running for " + TimeUnit.NANOSECONDS.toSeconds(now - since)
                    + " s";
        }
        long idle = now - lastStartNanos;
        if (since == IDLE && idle > intervalNanos + limitNanos) {
            return "sensor " + sensor.name() + ": not sampled for " + TimeUnit.NANOSECONDS.toSeconds(idle)
                    + " s although due every " + TimeUnit.NANOSECONDS.toMillis(intervalNanos) + " ms";
        }
        return null;
    }

    private void sample(long now) {
        if (!backoff.due(now)) {
            return;
        }
        double[] values;
        long at;
        try {
            values = sensor.sample();
            at = clockMillis.getAsLong();
            if (values.length != channels.size()) {
                throw new IllegalStateException("sample has " + values.length + " values for " + channels.size()
                        + " channels");
            }
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError e) {
                throw e;
            }
            failed.incrementAndGet();
            long wait = backoff.failed(now);
            if (startsLoggedStreak(Health.FAILING)) {
                Logger.warn("sensor {} ({}): read failed: {}; no readings from it until it recovers; next try in {} ms,"
                                + " then backing off up to {} s ({} failed reads since start; further ones are counted,"
                                + " not logged)", sensor.name(), sensor.description(), describe(t),
                        TimeUnit.NANOSECONDS.toMillis(wait), TimeUnit.NANOSECONDS.toSeconds(backoff.maxNanos()),
                        failed.get());
            }
            return;
        }
        backoff.succeeded();
        int bad = 0;
        for (int i = 0; i < values.length; i++) {
            double value = values[i];
            if (!Double.isFinite(value)) {
                bad++;
                continue;
            }
            try {
                sink.accept(channels.get(i).name(), at, value);
                sampled.incrementAndGet();
            } catch (RuntimeException e) {
                Logger.error(e, "sensor {}: could not add a reading to the spool", channels.get(i).name());
            }
        }
        if (bad > 0) {
            invalid.addAndGet(bad);
            if (startsLoggedStreak(Health.INVALID)) {
                Logger.warn("sensor {}: returned {}, which is never sent ({} invalid samples since start; further ones"
                        + " are counted, not logged, until it recovers)", sensor.name(), describe(values), invalid.get());
            }
        } else if (health != Health.OK) {
            endStreak(Health.OK);
        }
    }

    /** Counts the sample into its streak; true if it starts a streak that should be logged. */
    private boolean startsLoggedStreak(Health state) {
        boolean fresh = health != state;
        if (fresh) {
            if (health != Health.OK) {
                endStreak(state);
            }
            health = state;
            streak = 0;
            long now = nanoClock.getAsLong();
            streakLogged = !everLogged || now - lastLogNanos >= QUIET_NANOS;
            if (streakLogged) {
                everLogged = true;
                lastLogNanos = now;
                problemLines.incrementAndGet();
            }
        }
        streak++;
        return fresh && streakLogged;
    }

    private void endStreak(Health next) {
        if (streakLogged) {
            Logger.info("sensor {}: {} {} in a row, {}", sensor.name(), streak,
                    health == Health.FAILING ? "failed reads" : "invalid samples",
                    switch (next) {
                        case OK -> "now recovered";
                        case FAILING -> "now its reads fail";
                        case INVALID -> "now it returns invalid values";
                    });
        }
        health = next;
        streakLogged = false;
        streak = 0;
    }

    private String describe(double[] values) {
        if (values.length == 1) {
            return Double.toString(values[0]);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ", ").append(channels.get(i).name()).append('=').append(values[i]);
        }
        return b.toString();
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + ErrorText.of(t);
    }
}
