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
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The raw key/value pairs of one configuration file, with typed getters that validate as they read.
 * The file format is Java properties: {@code key = value}, {@code #} comments, one pair a line.
 *
 * <p>Every getter names the source, the key and the bad value in its {@link ConfigException}.
 * After reading every key it knows, a caller calls {@link #rejectUnknownKeys()} so a misspelt key is
 * an error rather than a silently ignored line.
 *
 * <p>With {@link #withEnvironment}, an environment variable overrides a key: the prefix, then the key
 * upper-cased with {@code .} and {@code -} turned into {@code _} ({@code listen.port} under prefix
 * {@code PIGW_GATEWAY_} is {@code PIGW_GATEWAY_LISTEN_PORT}). A variable with the prefix that names no
 * key is an error like an unknown key in the file.
 */
public final class Settings {
    private final String source;
    private final Map<String, String> values;
    private final String envPrefix;
    private final Map<String, String> env;
    /** Keys set by {@link #with} (the command line), which the environment does not override. */
    private final Set<String> pinned;
    private final Set<String> read = new HashSet<>();
    /** Key to the environment variable that overrode it, in the order they were read. */
    private final Map<String, String> overridden = new LinkedHashMap<>();

    private Settings(String source, Map<String, String> values, String envPrefix, Map<String, String> env,
                     Set<String> pinned) {
        this.source = source;
        this.values = values;
        this.envPrefix = envPrefix;
        this.env = env;
        this.pinned = pinned;
    }

    private Settings(String source, Map<String, String> values) {
        this(source, values, null, Map.of(), Set.of());
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

    /**
     * A copy in which {@code overrides} replace or add values (e.g. from the command line); they win
     * over the environment too.
     */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        Set<String> pins = new HashSet<>(pinned);
        overrides.forEach((k, v) -> {
            merged.put(k.trim(), v == null ? "" : v.trim());
            pins.add(k.trim());
        });
        return new Settings(source, merged, envPrefix, env, Set.copyOf(pins));
    }

    /**
     * A copy in which the variables of {@code environment} whose names start with {@code prefix}
     * override the keys they name; see the class comment for the naming rule.
     */
    public Settings withEnvironment(String prefix, Map<String, String> environment) {
        Map<String, String> mine = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                mine.put(name, value);
            }
        });
        return new Settings(source, values, prefix, Map.copyOf(mine), pinned);
    }

    /** The environment variable that overrides {@code key} under {@code prefix}. */
    public static String environmentName(String prefix, String key) {
        return prefix + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Keys read so far whose value came from the environment, each with its variable's name. */
    public Map<String, String> environmentOverrides() {
        return Map.copyOf(overridden);
    }

    public String source() {
        return source;
    }

    /** The value, or {@code fallback} if the key is absent or empty. */
    public String string(String key, String fallback) {
        read.add(key);
        String v = values.get(key);
        if (envPrefix != null && !pinned.contains(key)) {
            String name = environmentName(envPrefix, key);
            String fromEnv = env.get(name);
            if (fromEnv != null) {
                overridden.put(key, name);
                v = fromEnv.trim();
            }
        }
        return v == null || v.isEmpty() ? fallback : v;
    }

    public String requiredString(String key) throws ConfigException {
        String v = string(key, null);
        if (v == null) {
            throw new ConfigException(source + ": key '" + key + "' is required but missing"
                    + (envPrefix == null ? "" : " (or set " + environmentName(envPrefix, key) + ")"));
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
        Set<String> unknownVariables = new TreeSet<>(env.keySet());
        unknownVariables.removeAll(overridden.values());
        if (envPrefix != null) {
            pinned.forEach(key -> unknownVariables.remove(environmentName(envPrefix, key)));
        }
        if (!unknownVariables.isEmpty()) {
            throw new ConfigException("environment variable" + (unknownVariables.size() > 1 ? "s " : " ")
                    + String.join(", ", unknownVariables) + " name" + (unknownVariables.size() > 1 ? "" : "s")
                    + " no configuration key; variables with the prefix " + envPrefix
                    + " override the key they name: the prefix, then the key upper-cased with '.' and '-' as '_'");
        }
    }

    /** Reads what a key's file holds (a secret, a key, certificates); see {@link #fromFiles}. */
    @FunctionalInterface
    public interface FileReader<T> {
        T read() throws ConfigException;
    }

    /**
     * Runs {@code reader}, whose errors name the file and what is wrong with it, and puts this
     * configuration's source and the {@code keys} that named the file in front of such an error.
     */
    public <T> T fromFiles(String keys, FileReader<T> reader) throws ConfigException {
        try {
            return reader.read();
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + keys + ": " + e.getMessage(), e);
        }
    }

    public ConfigException invalid(String key, String value, String rule) {
        String variable = overridden.get(key);
        if (variable != null) {
            return new ConfigException("environment variable " + variable + " (overrides key '" + key + "' of "
                    + source + ") = '" + value + "' is invalid: " + rule);
        }
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
