package io.pigateway.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The raw key/value pairs of one configuration file, with typed getters that validate as they read.
 * The file format: one {@code key = value} a line; blank lines and lines starting with {@code #} or
 * {@code !} are skipped; the key and the value are trimmed. A line without {@code =}, an empty value and a
 * key set twice are errors naming the line(s), so that no line is silently ignored or overruled. There are
 * no continuation lines and no escapes: a value is the text after the first {@code =}, as written.
 *
 * <p>Every getter names the source, the key and the bad value in its {@link ConfigException}.
 * After reading every key it knows, a caller calls {@link #rejectUnknownKeys()} so a misspelt key is
 * an error (suggesting the nearest known key) rather than a silently ignored line. {@link #effective()}
 * lists every key read, with its value and where that came from, for {@code check-config}.
 *
 * <p>With {@link #withEnvironment}, an environment variable overrides a key: the prefix, then the key
 * upper-cased with {@code .} and {@code -} turned into {@code _} ({@code listen.port} under prefix
 * {@code PIGW_GATEWAY_} is {@code PIGW_GATEWAY_LISTEN_PORT}). A variable with the prefix that names no
 * key is an error like an unknown key in the file. A variable that is set but empty (or blank) overrides
 * nothing: the file's value, or the default, applies.
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
    /** Key to the line of the file that set it (from {@link #load}; empty for {@link #of}). */
    private final Map<String, Integer> lines;
    /** Every key read with a value, in the order read: what {@code check-config} prints. */
    private final Map<String, Effective> effective = new LinkedHashMap<>();

    /** A key's value in effect and where it came from: "line 3", "environment variable X", "default". */
    public record Effective(String key, String value, String origin) {
        /** {@code key = value}, then the origin as a comment at column {@code column}. */
        public String line(int column) {
            String text = key + " = " + value;
            return text + " ".repeat(Math.max(1, column - text.length())) + "# " + origin;
        }
    }

    private Settings(String source, Map<String, String> values, Map<String, Integer> lines, String envPrefix,
                     Map<String, String> env, Set<String> pinned) {
        this.source = source;
        this.values = values;
        this.lines = lines;
        this.envPrefix = envPrefix;
        this.env = env;
        this.pinned = pinned;
    }

    private Settings(String source, Map<String, String> values, Map<String, Integer> lines) {
        this(source, values, lines, null, Map.of(), Set.of());
    }

    /**
     * Values from a file (format in the class comment); a missing or unreadable file, a line without
     * {@code =}, an empty value or a key set twice is an error naming the path and the line.
     */
    public static Settings load(Path file) throws ConfigException {
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file.toAbsolutePath() + " does not exist");
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigException("cannot read configuration file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        String source = file.toString();
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        for (int i = 0; i < text.size(); i++) {
            int n = i + 1;
            String line = text.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(source + ": line " + n + " '" + line + "' has no '=': write key = value"
                        + " (or delete the line to use the default)");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (key.isEmpty()) {
                throw new ConfigException(source + ": line " + n + " '" + line + "' has no key before '='");
            }
            if (value.isEmpty()) {
                throw new ConfigException(source + ": line " + n + ": key '" + key + "' = '' is invalid: the value is"
                        + " empty; write a value, or delete the line to use the default");
            }
            Integer first = lines.putIfAbsent(key, n);
            if (first != null) {
                throw new ConfigException(source + ": key '" + key + "' is set twice, on line " + first + " and line " + n
                        + "; keep one");
            }
            values.put(key, value);
        }
        return new Settings(source, values, Map.copyOf(lines));
    }

    public static Settings of(String source, Map<String, String> values) {
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k.trim(), v == null ? "" : v.trim()));
        return new Settings(source, copy, Map.of());
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
        return new Settings(source, merged, lines, envPrefix, env, Set.copyOf(pins));
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
        return new Settings(source, values, lines, prefix, Map.copyOf(mine), pinned);
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

    /**
     * The key to read for a setting renamed from {@code oldKey} to {@code newKey}: the new one, or the
     * old one if only that is set, with a warning (it still works; errors then name the key as the file
     * has it). Both set is an error, since they could disagree.
     *
     * @param why half a sentence for the warning: why the name changed
     */
    public String renamed(String oldKey, String newKey, String why) throws ConfigException {
        String old = string(oldKey, null);
        if (old == null) {
            return newKey;
        }
        if (string(newKey, null) != null) {
            throw invalid(oldKey, old, "is the old name of '" + newKey + "', which is set too; keep only " + newKey);
        }
        org.tinylog.Logger.warn("{}: key '{}' is deprecated, it is now '{}' ({}); the old key still works",
                source(), oldKey, newKey, why);
        return oldKey;
    }

    /** The value, or {@code fallback} if the key is absent or empty. */
    public String string(String key, String fallback) {
        String v = raw(key);
        note(key, v, fallback);
        return v == null ? fallback : v;
    }

    /** The value from the command line, the environment or the file, or {@code null}; marks the key as known. */
    private String raw(String key) {
        read.add(key);
        String v = values.get(key);
        if (envPrefix != null && !pinned.contains(key)) {
            String name = environmentName(envPrefix, key);
            String fromEnv = env.get(name);
            // Set but empty (systemd's Environment=NAME=, docker's -e NAME=) counts as unset, like a
            // shell's ${NAME:-default}: the file's value or the default applies, not "no value".
            if (fromEnv != null && !fromEnv.isBlank()) {
                overridden.put(key, name);
                v = fromEnv.trim();
            }
        }
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * Records what {@link #effective()} shows for {@code key}: {@code raw} as given, else {@code fallback}
     * as the default; nothing if neither is set (a default of "" is no value either). The first value recorded for a key stays.
     */
    private void note(String key, String raw, String fallback) {
        if (effective.containsKey(key) || (raw == null && (fallback == null || fallback.isEmpty()))) {
            return;
        }
        String origin;
        if (raw == null) {
            origin = "default";
        } else if (overridden.containsKey(key)) {
            origin = "environment variable " + overridden.get(key);
        } else if (pinned.contains(key)) {
            origin = "command line";
        } else if (lines.containsKey(key)) {
            origin = "line " + lines.get(key);
        } else {
            origin = source;
        }
        effective.put(key, new Effective(key, raw == null ? fallback : raw, origin));
    }

    /**
     * Records that {@code key}, which is not set, takes {@code value} by default: for a default that the
     * caller works out itself after reading the key (e.g. with {@code string(key, null)}).
     */
    public void defaultUsed(String key, String value) {
        if (raw(key) == null) {
            note(key, null, value);
        }
    }

    /**
     * Every key read so far that has a value, in the order read, with that value as written (or the
     * default) and where it came from. Keys name files, never hold secrets, so this is safe to print.
     */
    public List<Effective> effective() {
        return List.copyOf(effective.values());
    }

    /** {@link #effective()} as {@code key = value   # origin} lines, the comments aligned. */
    public String describe() {
        int column = 0;
        for (Effective e : effective.values()) {
            column = Math.max(column, e.key().length() + 3 + e.value().length() + 2);
        }
        column = Math.min(column, 60);
        StringBuilder b = new StringBuilder();
        for (Effective e : effective.values()) {
            b.append(e.line(column)).append('\n');
        }
        return b.toString();
    }

    /**
     * Fails if {@code key} is set: it does nothing in this configuration, e.g. {@code store.host} with
     * {@code store.type = embedded}; {@code condition} says when it would ("store.type = embedded").
     */
    public void refuseIfSet(String key, String condition) throws ConfigException {
        String v = raw(key);
        if (v != null) {
            throw invalid(key, v, "not used with " + condition);
        }
    }

    public String requiredString(String key) throws ConfigException {
        String v = string(key, null);
        if (v == null) {
            Set<String> unread = new TreeSet<>(values.keySet());
            unread.removeAll(read);
            String typo = null;
            for (String k : unread) {
                if (key.equals(nearest(k, Set.of(key)))) {
                    typo = k;
                    break;
                }
            }
            throw new ConfigException(source + ": key '" + key + "' is required but missing"
                    + (envPrefix == null ? "" : " (or set " + environmentName(envPrefix, key) + ")")
                    + (typo == null ? "" : "; did you mean it where the file has '" + typo + "'"
                    + (lines.containsKey(typo) ? " (line " + lines.get(typo) + ")" : "") + "?"));
        }
        return v;
    }

    public int intIn(String key, int fallback, int min, int max) throws ConfigException {
        long v = longIn(key, fallback, min, max);
        return (int) v;
    }

    public long longIn(String key, long fallback, long min, long max) throws ConfigException {
        String raw = raw(key);
        note(key, raw, Long.toString(fallback));
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

    /** {@code true} or {@code false}, as docs/CONFIGURATION.md says; nothing else (no yes, on, 1). */
    public boolean bool(String key, boolean fallback) throws ConfigException {
        String raw = raw(key);
        note(key, raw, Boolean.toString(fallback));
        if (raw == null) {
            return fallback;
        }
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, raw, "must be true or false");
        };
    }

    /**
     * A duration written with its unit: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}. A bare
     * number is refused, since a reader cannot tell its unit.
     */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) throws ConfigException {
        String raw = raw(key);
        note(key, raw, fallback == null ? null : format(fallback));
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
        String raw = raw(key);
        note(key, raw, fallback == null ? null : fallback.toString());
        return raw == null ? fallback : Path.of(raw);
    }

    public <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) throws ConfigException {
        String raw = raw(key);
        note(key, raw, fallback == null ? null : fallback.name().toLowerCase(Locale.ROOT).replace('_', '-'));
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
        String raw = raw(key);
        note(key, raw, fallback == null ? null : String.join(", ", fallback));
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

    /**
     * Fails if the file holds a key no getter asked for (or an environment variable names no key), naming
     * each with its line and the nearest known key if one is close enough to be a typo.
     */
    public void rejectUnknownKeys() throws ConfigException {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            List<String> each = new ArrayList<>();
            for (String key : unknown) {
                String nearest = nearest(key, read);
                each.add("'" + key + "'" + (lines.containsKey(key) ? " (line " + lines.get(key) + ")" : "")
                        + (nearest == null ? "" : ": did you mean '" + nearest + "'?"));
            }
            throw new ConfigException(source + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join("; ", each) + " (docs/CONFIGURATION.md lists the keys)");
        }
        Set<String> unknownVariables = new TreeSet<>(env.keySet());
        unknownVariables.removeAll(overridden.values());
        if (envPrefix != null) {
            pinned.forEach(key -> unknownVariables.remove(environmentName(envPrefix, key)));
            // An empty variable overrides nothing, but names a key all the same.
            read.forEach(key -> unknownVariables.remove(environmentName(envPrefix, key)));
        }
        if (!unknownVariables.isEmpty()) {
            Set<String> names = new TreeSet<>();
            read.forEach(key -> names.add(environmentName(envPrefix, key)));
            StringBuilder suggestions = new StringBuilder();
            for (String variable : unknownVariables) {
                String nearest = nearest(variable, names);
                if (nearest != null) {
                    suggestions.append("; did you mean ").append(nearest).append(" for ").append(variable).append('?');
                }
            }
            throw new ConfigException("environment variable" + (unknownVariables.size() > 1 ? "s " : " ")
                    + String.join(", ", unknownVariables) + " name" + (unknownVariables.size() > 1 ? "" : "s")
                    + " no configuration key" + suggestions + "; variables with the prefix " + envPrefix
                    + " override the key they name: the prefix, then the key upper-cased with '.' and '-' as '_'");
        }
    }

    /**
     * The candidate closest to {@code word} by edit distance (insert, delete, replace, swap two neighbours),
     * if it is within a third of the word's length (at least 1, at most 4), else {@code null}.
     */
    static String nearest(String word, Set<String> candidates) {
        int limit = Math.max(1, Math.min(4, word.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : new TreeSet<>(candidates)) {
            int d = editDistance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    /** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
