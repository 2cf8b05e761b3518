package io.pigateway.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What Grafana's MySQL data source makes of a dashboard query before the server sees it: template
 * variables first ({@code $name}, {@code ${name}}, multi-value ones as a quoted list), then the
 * backend's macros, expanded as Grafana 10/11 expands them:
 * <pre>
 * $__timeFilter(c)        c BETWEEN FROM_UNIXTIME(from) AND FROM_UNIXTIME(to)   (epoch seconds)
 * $__timeFrom(), $__timeTo()   FROM_UNIXTIME(from), FROM_UNIXTIME(to)
 * $__timeGroup(c, 5m)     UNIX_TIMESTAMP(c) DIV 300 * 300
 * $__timeGroupAlias(c, 5m)   the same AS "time"
 * </pre>
 * Any other macro fails the test rather than being passed through.
 */
final class GrafanaMacros {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)(?!\\w|\\()");
    private static final Pattern MACRO = Pattern.compile("\\$(__\\w+)\\(([^)]*)\\)");
    private static final Pattern INTERVAL = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Instant from;
    private final Instant to;
    private final String interval;
    private final Map<String, String> single;
    private final Map<String, List<String>> multi;

    /**
     * @param interval what {@code $__interval} stands for, e.g. {@code 1m}
     * @param single   the value of each single-value variable, put in as it is
     * @param multi    the selected values of each multi-value variable, put in as a quoted list
     */
    GrafanaMacros(Instant from, Instant to, String interval, Map<String, String> single,
                  Map<String, List<String>> multi) {
        this.from = from;
        this.to = to;
        this.interval = interval;
        this.single = Map.copyOf(single);
        this.multi = Map.copyOf(multi);
    }

    String expand(String sql) {
        String withVariables = VARIABLE.matcher(sql).replaceAll(m -> Matcher.quoteReplacement(variable(
                m.group(1) != null ? m.group(1) : m.group(2))));
        String expanded = MACRO.matcher(withVariables).replaceAll(m -> Matcher.quoteReplacement(
                macro(m.group(1), List.of(m.group(2).split(",")).stream().map(String::strip).toList())));
        if (expanded.contains("$")) {
            throw new AssertionError("left unexpanded: " + expanded);
        }
        return expanded;
    }

    private String variable(String name) {
        if (name.equals("__interval")) {
            return interval;
        }
        if (single.containsKey(name)) {
            return single.get(name);
        }
        List<String> values = multi.get(name);
        if (values == null) {
            throw new AssertionError("the query uses $" + name + ", which is no dashboard variable here");
        }
        // Grafana's SQL data sources quote each value of a multi-value variable and join them with commas.
        return values.stream().map(v -> "'" + v.replace("'", "''") + "'").collect(Collectors.joining(","));
    }

    private String macro(String name, List<String> args) {
        return switch (name) {
            case "__timeFilter" -> args.getFirst() + " BETWEEN FROM_UNIXTIME(" + from.getEpochSecond()
                    + ") AND FROM_UNIXTIME(" + to.getEpochSecond() + ")";
            case "__timeFrom" -> "FROM_UNIXTIME(" + from.getEpochSecond() + ")";
            case "__timeTo" -> "FROM_UNIXTIME(" + to.getEpochSecond() + ")";
            case "__timeGroup" -> timeGroup(args);
            case "__timeGroupAlias" -> timeGroup(args) + " AS \"time\"";
            default -> throw new AssertionError("macro $" + name + " is not one the tests know");
        };
    }

    private static String timeGroup(List<String> args) {
        if (args.size() < 2) {
            throw new AssertionError("$__timeGroup needs a column and an interval: " + args);
        }
        long seconds = seconds(args.get(1).replace("'", "").replace("\"", ""));
        return "UNIX_TIMESTAMP(" + args.getFirst() + ") DIV " + seconds + " * " + seconds;
    }

    static long seconds(String interval) {
        Matcher m = INTERVAL.matcher(interval);
        if (!m.matches()) {
            throw new AssertionError("interval " + interval + " is not like 10s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        return d.toSeconds();
    }
}
