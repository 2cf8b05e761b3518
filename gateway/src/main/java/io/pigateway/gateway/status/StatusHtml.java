package io.pigateway.gateway.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status page as server-side HTML: complete and readable with JavaScript off (sorting and
 * filtering are links, {@code ?sort=} and {@code ?state=}, and the page reloads itself every 10 s).
 * With JavaScript on, status.js takes over the same elements: it polls /status.json, redraws the
 * table and summary in place and draws the plots with uPlot.
 */
final class StatusHtml {
    static final List<String> SORTS = List.of("id", "state", "age", "rate", "spool", "refusals");

    private StatusHtml() {
    }

    static String render(StatusView v, String stateFilter, String sort, String path) {
        String filter = stateFilter == null || stateFilter.isEmpty() ? "all" : stateFilter.toLowerCase(Locale.ROOT);
        String order = sort != null && SORTS.contains(sort.replace("-", "")) ? sort : "id";
        StringBuilder h = new StringBuilder(8192 + v.devices().size() * 400);
        GatewayHeader.head(h, v);
        h.append("<main>\n");
        summary(v, h);
        h.append("<section id=\"devices-section\"><h2>Devices</h2>\n<p class=\"filters\" id=\"filters\">Show: ");
        for (String f : List.of("all", "fresh", "late", "silent", "refused")) {
            long n = f.equals("all") ? v.devices().size() : v.count(StatusView.State.valueOf(f.toUpperCase(Locale.ROOT)));
            h.append("<a href=\"").append(path).append("?state=").append(f).append("&amp;sort=").append(order)
                    .append("\" data-state=\"").append(f).append('"')
                    .append(f.equals(filter) ? " class=\"on\" aria-current=\"true\"" : "").append('>')
                    .append(f).append(" <span class=\"n\">").append(n).append("</span></a> ");
        }
        h.append("</p>\n<p class=\"legend\">fresh: a reading committed within ").append(duration(v.lateAfterMillis()))
                .append("; late: within ").append(duration(v.silentAfterMillis()))
                .append("; silent: nothing committed for longer; refused: connected but never accepted.</p>\n");
        h.append("<div class=\"scroll\"><table id=\"devices\"><thead><tr>");
        header(h, path, filter, order, "id", "Device");
        header(h, path, filter, order, "state", "State");
        header(h, path, filter, order, "age", "Last reading");
        h.append("<th class=\"seen\">Last seen</th><th>Address</th><th class=\"stream\">Stream</th>");
        header(h, path, filter, order, "rate", "Readings/s");
        header(h, path, filter, order, "spool", "Spool");
        h.append("<th>Dropped</th>");
        header(h, path, filter, order, "refusals", "Refusals");
        h.append("</tr></thead>\n<tbody>\n");
        List<StatusView.Device> rows = new ArrayList<>();
        for (StatusView.Device d : v.devices()) {
            if (filter.equals("all") || d.state().label().equals(filter)) {
                rows.add(d);
            }
        }
        rows.sort(comparator(order, v.nowMillis()));
        for (StatusView.Device d : rows) {
            row(d, v.nowMillis(), h);
        }
        if (rows.isEmpty()) {
            h.append("<tr class=\"empty\"><td colspan=\"10\">").append(v.devices().isEmpty()
                    ? "No device has connected since the gateway started." : "No device in this state.").append("</td></tr>\n");
        }
        h.append("</tbody></table></div>\n</section>\n");
        h.append("<section id=\"plots\"><h2>Last hour</h2>\n")
                .append("<noscript><p>The plots need JavaScript; the figures above are current as of this page load.</p></noscript>\n")
                .append("<div class=\"plots\">")
                .append("<figure><figcaption>Committed readings/s</figcaption><div class=\"plot\" id=\"plot-rate\"></div></figure>")
                .append("<figure><figcaption>ACK latency, ms (p50, p99)</figcaption><div class=\"plot\" id=\"plot-ack\"></div></figure>")
                .append("<figure><figcaption>Write queue, readings</figcaption><div class=\"plot\" id=\"plot-queue\"></div></figure>")
                .append("<figure><figcaption>Database commit time, ms (p50, p99)</figcaption><div class=\"plot\" id=\"plot-commit\"></div></figure>")
                .append("<figure id=\"device-figure\" hidden><figcaption>Readings/s of <span id=\"device-name\"></span>"
                        + " <button type=\"button\" id=\"device-close\">close</button></figcaption>"
                        + "<div class=\"plot\" id=\"plot-device\"></div></figure>")
                .append("</div>\n</section>\n");
        h.append("</main>\n<footer>Data: <a href=\"/status.json\">/status.json</a> · <a href=\"/metrics\">/metrics</a> · ")
                .append("<a href=\"/health\">/health</a> · <span id=\"updated\">as of ")
                .append(Instant.ofEpochMilli(v.nowMillis()).truncatedTo(ChronoUnit.SECONDS)).append("</span></footer>\n")
                .append("<script src=\"/status/static/uPlot.min.js\"></script>\n")
                .append("<script src=\"/status/static/status.js\"></script>\n</body>\n</html>\n");
        return h.toString();
    }

    /** "down", or the kind of outage where it says more: "read-only", "full". */
    static String storeDown(io.pigateway.gateway.metrics.StoreHealth s) {
        return switch (s.state()) {
            case READ_ONLY, FULL -> s.state().label();
            default -> "down";
        };
    }

    private static void summary(StatusView v, StringBuilder h) {
        GatewayInfo info = v.info();
        h.append("<section id=\"summary\"><h2>Gateway</h2><dl class=\"summary\">\n");
        // "read-only" or "full" say more than "down": the database answers but refuses writes.
        item(h, "store", "Store", v.store().up() ? "up" : storeDown(v.store()), v.store().up() ? "ok" : "bad",
                info.store() + (v.store().up() ? "" : "; down since " + time(v.store().downSince()) + ": "
                        + v.store().problem()));
        item(h, "listener", "Listener", v.listening() ? "accepting" : "not accepting", v.listening() ? "ok" : "bad",
                info.listen());
        item(h, "backlog", "Backlog", v.queueDepth() + " / " + v.queueCapacity(),
                v.queueDepth() > v.queueCapacity() / 2 ? "warn" : "ok", "readings waiting for the database");
        item(h, "rate", "Readings/s", number(v.readingsPerSecond()), "", "committed, whole gateway");
        item(h, "connections", "Devices connected", Integer.toString(v.devicesConnected()), "",
                v.connections() + " connections open");
        item(h, "tls", "TLS", info.tls() ? "on" : "off", info.tls() ? "ok" : "warn", v.tlsSummary());
        boolean open = info.authMode().equals("open");
        item(h, "auth", "Auth", info.authMode(), open ? "bad" : "ok",
                open ? "any device that reaches the port is accepted without a secret" : "devices prove a secret");
        item(h, "version", "Version", info.version(), "", "uptime " + duration(v.nowMillis() - info.startedMillis()));
        h.append("</dl></section>\n");
    }

    private static void item(StringBuilder h, String id, String label, String value, String level, String detail) {
        h.append("<div class=\"item ").append(level).append("\" id=\"s-").append(id).append("\"><dt>")
                .append(label).append("</dt><dd><strong>");
        escape(value, h);
        h.append("</strong> <span class=\"detail\">");
        escape(detail, h);
        h.append("</span></dd></div>\n");
    }

    private static void header(StringBuilder h, String path, String filter, String order, String key, String label) {
        String next = order.equals(key) ? "-" + key : key;
        String mark = order.equals(key) ? " ▲" : order.equals("-" + key) ? " ▼" : "";
        h.append("<th data-sort=\"").append(key).append("\"><a href=\"").append(path).append("?state=").append(filter)
                .append("&amp;sort=").append(next).append("\">").append(label).append(mark).append("</a></th>");
    }

    private static void row(StatusView.Device d, long now, StringBuilder h) {
        h.append("<tr data-device=\"");
        escape(d.id(), h);
        h.append("\" class=\"").append(d.state().label()).append("\"><td class=\"id\"><a href=\"#plots\" data-plot=\"");
        escape(d.id(), h);
        h.append("\">");
        escape(d.id(), h);
        h.append("</a></td><td class=\"state\"><span class=\"badge ").append(d.state().label()).append("\">")
                .append(d.state().label()).append("</span>").append(d.connected() ? "" : " <small>disconnected</small>")
                .append("</td><td class=\"age\" title=\"").append(time(d.lastCommitMillis())).append("\">")
                .append(d.lastCommitMillis() == 0 ? "never" : duration(now - d.lastCommitMillis()) + " ago")
                .append("</td><td class=\"seen\" title=\"").append(time(d.lastSeenMillis())).append("\">")
                .append(d.lastSeenMillis() == 0 ? "—" : duration(now - d.lastSeenMillis()) + " ago")
                .append("</td><td class=\"address\">");
        escape(d.peer() == null ? "—" : d.peer(), h);
        h.append("</td><td class=\"stream\">")
                .append(d.streamId() == 0 ? "—" : Long.toString(d.streamId()))
                .append("</td><td class=\"rate num\">").append(number(d.readingsPerSecond()))
                .append("</td><td class=\"spool num\">").append(d.spoolDepth() == null ? "—" : d.spoolDepth())
                .append("</td><td class=\"dropped num\">").append(d.dropped() == null ? "—" : d.dropped())
                .append("</td><td class=\"refusals\">");
        if (d.refusals().isEmpty()) {
            h.append("—");
        }
        boolean first = true;
        for (Map.Entry<String, Long> e : d.refusals().entrySet()) {
            h.append(first ? "" : ", ").append(e.getKey()).append(" ×").append(e.getValue());
            first = false;
        }
        h.append("</td></tr>\n");
    }

    static Comparator<StatusView.Device> comparator(String order, long now) {
        boolean descending = order.startsWith("-");
        Comparator<StatusView.Device> c = switch (order.replace("-", "")) {
            case "state" -> Comparator.comparing(StatusView.Device::state);
            case "age" -> Comparator.comparingLong(d -> d.lastCommitMillis() == 0 ? Long.MAX_VALUE : now - d.lastCommitMillis());
            case "rate" -> Comparator.comparingDouble(d -> Double.isNaN(d.readingsPerSecond()) ? -1 : d.readingsPerSecond());
            case "spool" -> Comparator.comparingLong(d -> d.spoolDepth() == null ? -1 : d.spoolDepth());
            case "refusals" -> Comparator.comparingLong(d -> d.refusals().values().stream().mapToLong(Long::longValue).sum());
            default -> Comparator.comparing(StatusView.Device::id);
        };
        c = c.thenComparing(StatusView.Device::id);
        return descending ? c.reversed() : c;
    }

    static String duration(long millis) {
        long s = Math.max(0, millis / 1000);
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        if (s < 172_800) {
            return s / 3600 + " h " + (s % 3600) / 60 + " min";
        }
        return s / 86_400 + " d";
    }

    private static String time(Instant t) {
        return t == null ? "—" : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String time(long millis) {
        return millis == 0 ? "never" : time(Instant.ofEpochMilli(millis));
    }

    private static String number(double x) {
        return Double.isNaN(x) ? "—" : x >= 100 ? Long.toString(Math.round(x)) : String.format(Locale.ROOT, "%.1f", x);
    }

    static void escape(String s, StringBuilder h) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> h.append("&lt;");
                case '>' -> h.append("&gt;");
                case '&' -> h.append("&amp;");
                case '"' -> h.append("&quot;");
                case '\'' -> h.append("&#39;");
                default -> h.append(c);
            }
        }
    }

    /** The document's head and page header. */
    private static final class GatewayHeader {
        static void head(StringBuilder h, StatusView v) {
            boolean bad = !v.store().up() || !v.listening();
            h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                    .append("<title>").append(bad ? "⚠ " : "").append("pi-gateway status</title>\n")
                    .append("<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>\n")
                    .append("<link rel=\"stylesheet\" href=\"/status/static/uPlot.min.css\">\n")
                    .append("<link rel=\"stylesheet\" href=\"/status/static/status.css\">\n")
                    .append("</head>\n<body>\n<header><h1>pi-gateway</h1> <span id=\"headline\" class=\"")
                    .append(bad ? "bad" : "ok").append("\">")
                    .append(!v.store().up() ? "database down" : !v.listening() ? "not accepting devices" : "running")
                    .append("</span></header>\n");
        }
    }
}
