package io.pigateway.client.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.util.Locale;

/**
 * Byte-size keys, which {@link Settings} has no getter for: a whole number of bytes, or one with a
 * binary unit, {@code KiB}, {@code MiB} or {@code GiB} ({@code 64MiB}). Errors read like Settings' own.
 */
final class Sizes {
    private static final String RULE = "must be a size: a number of bytes, or with KiB, MiB or GiB (e.g. 64MiB)";

    private Sizes() {
    }

    static long in(Settings s, String key, long fallback, long min, long max) throws ConfigException {
        String raw = s.string(key, null);
        if (raw == null) {
            s.defaultUsed(key, format(fallback));
            return fallback;
        }
        long v = parse(raw);
        if (v < 0) {
            throw s.invalid(key, raw, RULE);
        }
        if (v < min || v > max) {
            throw s.invalid(key, raw, "must be from " + format(min) + " to " + format(max));
        }
        return v;
    }

    /** The size, or -1 if {@code raw} is not one. */
    static long parse(String raw) {
        String t = raw.replace("_", "").trim();
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0 || split > 18) {
            return -1;
        }
        long n = Long.parseLong(t.substring(0, split));
        int shift = switch (t.substring(split).trim().toLowerCase(Locale.ROOT)) {
            case "", "b" -> 0;
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            default -> -1;
        };
        if (shift < 0 || n > (Long.MAX_VALUE >> shift)) {
            return -1;
        }
        return n << shift;
    }

    /** The shortest exact form {@link #parse} reads back: {@code 64MiB}, {@code 4KiB}, {@code 1000}. */
    static String format(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes > 0 && bytes % unit == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return Long.toString(bytes);
    }
}
