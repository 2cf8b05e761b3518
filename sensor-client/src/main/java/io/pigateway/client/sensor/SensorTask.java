package io.pigateway.client.sensor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * One read of one sensor, run periodically. Never throws: a periodic task that throws is silently
 * never run again. A failing or NaN-returning sensor is logged once per streak, not once per sample,
 * and a sensor that flaps between good and bad starts at most one logged streak per minute; the
 * lines carry the running totals, so nothing goes uncounted.
 */
final class SensorTask implements Runnable {
    static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

    private enum Health { OK, FAILING, INVALID }

    private final Sensor sensor;
    private final ReadingSink sink;
    private final LongSupplier clockMillis;
    private final LongSupplier nanoClock;
    final AtomicLong sampled = new AtomicLong();
    final AtomicLong invalid = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    /** Problem lines logged; tests check that a flapping sensor does not flood the log. */
    final AtomicLong problemLines = new AtomicLong();

    // Only the executing sampler thread touches these; runs of one periodic task never overlap.
    private Health health = Health.OK;
    private long streak;
    private boolean streakLogged;
    private boolean everLogged;
    private long lastLogNanos;

    SensorTask(Sensor sensor, ReadingSink sink, LongSupplier clockMillis, LongSupplier nanoClock) {
        this.sensor = sensor;
        this.sink = sink;
        this.clockMillis = clockMillis;
        this.nanoClock = nanoClock;
    }

    @Override
    public void run() {
        double value;
        long at;
        try {
            value = sensor.read();
            at = clockMillis.getAsLong();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError e) {
                throw e;
            }
            failed.incrementAndGet();
            if (startsLoggedStreak(Health.FAILING)) {
                Logger.warn("sensor {}: read failed: {}; no readings from it until it recovers ({} failed reads since"
                        + " start; further ones are counted, not logged)", sensor.name(), describe(t), failed.get());
            }
            return;
        }
        if (!Double.isFinite(value)) {
            invalid.incrementAndGet();
            if (startsLoggedStreak(Health.INVALID)) {
                Logger.warn("sensor {}: returned {}, which is never sent ({} invalid samples since start; further ones"
                        + " are counted, not logged, until it recovers)", sensor.name(), value, invalid.get());
            }
            return;
        }
        if (health != Health.OK) {
            endStreak(Health.OK);
        }
        try {
            sink.accept(sensor.name(), at, value);
            sampled.incrementAndGet();
        } catch (RuntimeException e) {
            Logger.error(e, "sensor {}: could not buffer a reading", sensor.name());
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

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + m;
    }
}
