package io.pigateway.gateway.ingest.lineprotocol;

import java.util.Locale;

/**
 * The unit of a line's timestamp, as the {@code precision} parameter of InfluxDB's {@code /write}
 * (v1: {@code n u ms s m h}) and {@code /api/v2/write} (v2: {@code ns us ms s}) names it.
 */
public enum Precision {
    NANOSECONDS(1L),
    MICROSECONDS(1_000L),
    MILLISECONDS(1_000_000L),
    SECONDS(1_000_000_000L),
    MINUTES(60_000_000_000L),
    HOURS(3_600_000_000_000L);

    private final long nanos;

    Precision(long nanos) {
        this.nanos = nanos;
    }

    /**
     * The precision a client names: {@code n}/{@code ns}, {@code u}/{@code us}/{@code µs},
     * {@code ms}, {@code s}, {@code m}, {@code h}; {@link #NANOSECONDS} when {@code name} is null or
     * empty (InfluxDB's default); {@code null} for anything else.
     */
    public static Precision of(String name) {
        if (name == null || name.isEmpty()) {
            return NANOSECONDS;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "n", "ns" -> NANOSECONDS;
            case "u", "us", "µ", "µs" -> MICROSECONDS;
            case "ms" -> MILLISECONDS;
            case "s" -> SECONDS;
            case "m" -> MINUTES;
            case "h" -> HOURS;
            default -> null;
        };
    }

    /** {@code time} in this unit as nanoseconds since 1970; throws {@link ArithmeticException} on overflow. */
    public long toNanos(long time) {
        return Math.multiplyExact(time, nanos);
    }
}
