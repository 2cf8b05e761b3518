package io.pigateway.common;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The raw key/value pairs of one configuration file, with typed getters that validate as they read.
 * The file format is Java properties: {@code key = value}, {@code #} comments, one pair a line.
 *
 * <p>Every getter names the source, the key and the bad value in its {@link ConfigException}.
 * After reading every key it knows, a caller calls {@link #rejectUnknownKeys()} so a misspelt key is
 * an error rather than a silently ignored line.
 */
public final class Settings {
    private final String source;
    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();

    private Settings(String source, Map<String, String> values) {
        this.source = source;
        this.values = values;
    }

    /** Values from a file; a missing or unreadable file is an error naming the path. */
    public static Settings load(Path file) throws ConfigException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file.toAbsolutePath() + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read configuration file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            values.put(key.trim(), p.getProperty(key).trim());
        }
        return new Settings(file.toString(), values);
    }

    public static Settings of(String source, Map<String, String> values) {
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k.trim(), v == null ? "" : v.trim()));
        return new Settings(source, copy);
    }

    /** A copy in which {@code overrides} replace or add values (e.g. from the command line). */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        overrides.forEach((k, v) -> merged.put(k.trim(), v == null ? "" : v.trim()));
        return new Settings(source, merged);
    }

    public String source() {
        return source;
    }

    /** The value, or {@code fallback} if the key is absent or empty. */
    public String string(String key, String fallback) {
        read.add(key);
        String v = values.get(key);
        return v == null || v.isEmpty() ? fallback : v;
    }

    public String requiredString(String key) throws ConfigException {
        String v = string(key, null);
        if (v == null) {
            throw new ConfigException(source + ": key '" + key + "' is required but missing");
        }
        return v;
    }

    public int intIn(String key, int fallback, int min, int max) throws ConfigException {
        long v = longIn(key, fallback, min, max);
        return (int) v;
    }

    public long longIn(String key, long fallback, long min, long max) throws ConfigException {
        String raw = string(key, null);
        if (raw == null) {
            return fallback;
        }
        long v;
        try {
            v = Long.parseLong(raw.replace("_", ""));
        } catch (NumberFormatException e) {
            throw invalid(key, raw, "must be a whole number from " + min + " to " + max);
        }
        if (v < min || v > max) {
            throw invalid(key, raw, "must be from " + min + " to " + max);
        }
        return v;
    }

    public boolean bool(String key, boolean fallback) throws ConfigException {
        String raw = string(key, null);
        if (raw == null) {
            return fallback;
        }
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid(key, raw, "must be true or false");
        };
    }

    /**
     * A duration written with its unit: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}. A bare
     * number is refused, since a reader cannot tell its unit.
     */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) throws ConfigException {
        String raw = string(key, null);
        if (raw == null) {
            return fallback;
        }
        Duration d = parseDuration(raw);
        if (d == null) {
            throw invalid(key, raw, "must be a number with a unit: ms, s, m or h (e.g. 250ms, 10s)");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw invalid(key, raw, "must be from " + format(min) + " to " + format(max));
        }
        return d;
    }

    public Path path(String key, Path fallback) {
        String raw = string(key, null);
        return raw == null ? fallback : Path.of(raw);
    }

    public <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) throws ConfigException {
        String raw = string(key, null);
        if (raw == null) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(raw) || e.name().equalsIgnoreCase(raw)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw invalid(key, raw, "must be one of " + String.join(", ", allowed));
    }

    /** A comma-separated list, blanks dropped; {@code fallback} if absent. */
    public List<String> list(String key, List<String> fallback) {
        String raw = string(key, null);
        if (raw == null) {
            return fallback;
        }
        return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Keys that start with {@code prefix}, marked as read by the caller's own getters later. */
    public Set<String> keysStartingWith(String prefix) {
        Set<String> keys = new TreeSet<>();
        for (String k : values.keySet()) {
            if (k.startsWith(prefix)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** Fails if the file holds a key no getter asked for, naming it and the keys that exist. */
    public void rejectUnknownKeys() throws ConfigException {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            throw new ConfigException(source + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; known keys are " + String.join(", ", new TreeSet<>(read)));
        }
    }

    public ConfigException invalid(String key, String value, String rule) {
        return new ConfigException(source + ": key '" + key + "' = '" + value + "' is invalid: " + rule);
    }

    static Duration parseDuration(String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < s.length() && (Character.isDigit(s.charAt(split)) || s.charAt(split) == '_')) {
            split++;
        }
        if (split == 0 || split == s.length()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, split).replace("_", ""));
        } catch (NumberFormatException e) {
            return null;
        }
        return switch (s.substring(split).trim()) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> null;
        };
    }

    /** A duration the way the configuration file writes it: 250ms, 10s, 5m. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
