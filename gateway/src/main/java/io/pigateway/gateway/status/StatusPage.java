package io.pigateway.gateway.status;

import com.sun.net.httpserver.HttpExchange;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.metrics.GatewayMetrics;
import io.pigateway.gateway.metrics.GatewayState;
import io.pigateway.gateway.metrics.RefusedDevices;
import io.pigateway.gateway.store.ClientReports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.tinylog.Logger;

/**
 * The operator's status page: {@code GET /} and {@code /status} (HTML, readable without JavaScript),
 * {@code /status.json} (what the page's script polls, see {@link StatusJson}) and the page's script,
 * style sheet and uPlot under {@code /status/static/}. Everything comes from counters the gateway
 * keeps anyway ({@link GatewayMetrics}, {@link GatewayState}), sampled once a second into
 * {@link StatusHistory} by one daemon thread; a request never touches the database or the hot path.
 */
public final class StatusPage implements AutoCloseable {
    /** uPlot from its WebJar (org.webjars.npm:uplot), on the classpath: the page works without internet. */
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String[]> STATIC = Map.of(
            "/status/static/status.js", new String[] {"io/pigateway/gateway/status/status.js", "text/javascript; charset=utf-8"},
            "/status/static/status.css", new String[] {"io/pigateway/gateway/status/status.css", "text/css; charset=utf-8"},
            "/status/static/uPlot.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/status/static/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final GatewayInfo info;
    private final GatewayMetrics metrics;
    private final GatewayState state;
    private final HttpConfig config;
    private final StatusHistory history = new StatusHistory();
    private final Map<String, byte[]> files = new HashMap<>();
    private final ScheduledExecutorService sampler;
    /** {@code null}: not read (tests). */
    private final ClientReports reports;
    private volatile Map<String, ClientReports.Report> lastReports = Map.of();
    /** System.nanoTime() of the last page or JSON request: the database is asked only while someone looks. */
    private volatile long lastViewedNanos = System.nanoTime() - VIEWED_WITHIN_NANOS;
    private static final long VIEWED_WITHIN_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** How often the clients' own reports are read from the database while the page is viewed. */
    static final long REPORTS_EVERY_SECONDS = 5;

    private StatusPage(GatewayInfo info, GatewayMetrics metrics, GatewayState state, HttpConfig config,
                       ScheduledExecutorService sampler, ClientReports reports) {
        this.reports = reports;
        this.info = info;
        this.metrics = metrics;
        this.state = state;
        this.config = config;
        this.sampler = sampler;
        STATIC.forEach((path, resource) -> {
            byte[] bytes = resource(resource[0]);
            if (bytes != null) {
                files.put(path, bytes);
            } else {
                Logger.warn("status page: {} is missing from the classpath; {} answers 404", resource[0], path);
            }
        });
    }

    /**
     * Starts sampling once a second, and reading the clients' reports from the database every
     * {@value #REPORTS_EVERY_SECONDS} s while the page is viewed ({@code reports} null: never).
     */
    public static StatusPage start(GatewayInfo info, GatewayMetrics metrics, GatewayState state, HttpConfig config,
                                   ClientReports reports) {
        // Two threads: a slow database must not stop the once-a-second samples.
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2,
                r -> Thread.ofPlatform().name("status-sampler").daemon().unstarted(r));
        StatusPage page = new StatusPage(info, metrics, state, config, timer, reports);
        timer.scheduleAtFixedRate(page::sample, 0, 1, TimeUnit.SECONDS);
        if (reports != null) {
            timer.scheduleWithFixedDelay(page::readReports, 1, REPORTS_EVERY_SECONDS, TimeUnit.SECONDS);
        }
        return page;
    }

    /** For tests: the clients' reports as if read from the database. */
    void reports(Map<String, ClientReports.Report> reports) {
        lastReports = reports;
    }

    /** For tests: no sampler thread; they call {@link #sample()} themselves. */
    static StatusPage unstarted(GatewayInfo info, GatewayMetrics metrics, GatewayState state, HttpConfig config) {
        return new StatusPage(info, metrics, state, config, null, null);
    }

    /** The clients' last reports from the database, if someone looked at the page lately and the store is up. */
    void readReports() {
        if (System.nanoTime() - lastViewedNanos > VIEWED_WITHIN_NANOS || !state.store().up()) {
            return;
        }
        try {
            lastReports = reports.latest();
        } catch (Exception e) {
            Logger.debug("status page: could not read the clients' reports: {}", e.toString());
        }
    }

    void sample() {
        sample(System.currentTimeMillis(), System.nanoTime());
    }

    /** One sample as if taken at these times (tests fill an hour in no time). */
    void sample(long nowMillis, long nowNanos) {
        try {
            history.sample(nowMillis, nowNanos, metrics, state.queueDepth());
        } catch (RuntimeException e) {
            Logger.warn("status page: sampling failed: {}", e.toString()); // keep the timer running
        }
    }

    /** Whether {@code path} is one of this page's. */
    public static boolean serves(String path) {
        return path.equals("/") || path.equals("/status") || path.equals("/status.json") || STATIC.containsKey(path);
    }

    /** Answers a GET or HEAD of a path for which {@link #serves} is true. */
    public void handle(HttpExchange exchange, String path, boolean head) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (!path.startsWith("/status/static/") && System.nanoTime() - lastViewedNanos > VIEWED_WITHIN_NANOS
                && reports != null) {
            lastViewedNanos = System.nanoTime();
            sampler.execute(this::readReports); // the first look after a while gets fresh figures soon
        }
        lastViewedNanos = System.nanoTime();
        var headers = exchange.getResponseHeaders();
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        switch (path) {
            case "/", "/status" -> {
                headers.set("Cache-Control", "no-store");
                headers.set("X-Frame-Options", "DENY");
                headers.set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline';"
                        + " img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
                String html = StatusHtml.render(view(), query.get("state"), query.get("sort"), path);
                send(exchange, "text/html; charset=utf-8", gzipIfAccepted(exchange, html.getBytes(StandardCharsets.UTF_8)), head);
            }
            case "/status.json" -> {
                headers.set("Cache-Control", "no-store");
                send(exchange, "application/json", gzipIfAccepted(exchange, json(query.get("since"), query.get("device"))
                        .getBytes(StandardCharsets.UTF_8)), head);
            }
            default -> {
                byte[] body = files.get(path);
                if (body == null) {
                    send404(exchange, head);
                    return;
                }
                headers.set("Cache-Control", "max-age=3600");
                send(exchange, STATIC.get(path)[1], gzipIfAccepted(exchange, body), head);
            }
        }
    }

    /** The JSON of {@code /status.json}; {@code since} (epoch seconds) and {@code device} may be null. */
    String json(String since, String device) {
        long after = 0;
        if (since != null) {
            try {
                after = Long.parseLong(since);
            } catch (NumberFormatException e) {
                after = 0; // a broken parameter gets the whole hour, which is always right
            }
        }
        StatusView v = view();
        return StatusJson.write(v, history.since(after), device, device == null ? null : history.device(device));
    }

    /** The page's state now, devices sorted by id. */
    StatusView view() {
        long now = System.currentTimeMillis();
        Map<String, RefusedDevices.Entry> refused = new HashMap<>();
        for (RefusedDevices.Entry e : metrics.refusedDevices()) {
            refused.put(e.deviceId(), e);
        }
        long late = config.lateAfter().toMillis();
        long silent = config.silentAfter().toMillis();
        Map<String, ClientReports.Report> reported = lastReports;
        ClientReports.Report none = new ClientReports.Report(null, null);
        List<StatusView.Device> devices = new ArrayList<>();
        metrics.forEachDevice(c -> {
            RefusedDevices.Entry r = refused.remove(c.deviceId());
            ClientReports.Report report = reported.getOrDefault(c.deviceId(), none);
            devices.add(new StatusView.Device(c.deviceId(),
                    StatusView.state(c.committedMillis(), r != null, now, late, silent), c.connected(),
                    c.committedMillis(), c.seenMillis(), c.peer() != null ? c.peer() : r != null ? r.peer() : null,
                    c.streamId(), history.readingsPerSecondNow(c.deviceId()),
                    r != null ? r.byReason() : Map.of(), r != null ? r.lastMillis() : 0, r != null ? r.lastReason() : null,
                    report.spoolDepth(), report.dropped()));
        });
        for (RefusedDevices.Entry r : refused.values()) { // refused, never past a handshake
            devices.add(new StatusView.Device(r.deviceId(), StatusView.State.REFUSED, false, 0, 0, r.peer(), 0,
                    Double.NaN, r.byReason(), r.lastMillis(), r.lastReason(), null, null));
        }
        devices.sort(Comparator.comparing(StatusView.Device::id));
        return new StatusView(info, state.tlsSummary(), now, state.accepting(), state.store(), state.connectionsOpen(),
                state.devicesConnected(), state.queueDepth(), state.queueCapacity(), history.readingsPerSecondNow(),
                late, silent, devices);
    }

    /** Decoded {@code a=b&c=d}; the last value of a repeated name wins. */
    public static Map<String, String> query(String raw) {
        return QueryString.decode(raw, (kept, later) -> later);
    }

    private static void send(HttpExchange exchange, String contentType, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (head) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * The body gzipped, if the client accepts that and it is worth it: a table of 1,000 devices is
     * about 240 KB of JSON and 25 KB gzipped, polled every 2 s.
     */
    private static byte[] gzipIfAccepted(HttpExchange exchange, byte[] body) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        exchange.getResponseHeaders().add("Vary", "Accept-Encoding");
        if (body.length < 1024 || accept == null || !accept.contains("gzip")) {
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        }
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        return out.toByteArray();
    }

    private static void send404(HttpExchange exchange, boolean head) throws IOException {
        byte[] body = "not found\n".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(404, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusPage.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the sampler. Idempotent. */
    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }
}
