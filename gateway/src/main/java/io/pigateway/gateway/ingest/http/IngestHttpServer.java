package io.pigateway.gateway.ingest.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.pigateway.common.tls.TlsContext;
import io.pigateway.gateway.config.IngestHttpConfig;
import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.ingest.Ingest;
import io.pigateway.gateway.ingest.IngestRefusal;
import io.pigateway.gateway.ingest.Sample;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolException;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.gateway.ingest.lineprotocol.Point;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import io.pigateway.gateway.metrics.JsonString;
import io.pigateway.gateway.status.QueryString;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The ingest HTTP server (docs/INGEST.md), on its own port, each request on a virtual thread:
 * <ul>
 *   <li>{@code POST /write} (InfluxDB v1: {@code db}, {@code precision}, {@code u}/{@code p} or Basic)
 *       and {@code POST /api/v2/write} (v2: {@code org}, {@code bucket}, {@code precision},
 *       {@code Authorization: Token <device-id>:<secret>}): a body of line protocol;</li>
 *   <li>{@code POST /v1/readings}: the JSON of {@link ReadingsJson};</li>
 *   <li>{@code GET /ping}: 204, for clients that check the server before writing.</li>
 * </ul>
 * A write is answered 204 (JSON: 200) only after every reading of it is committed. Anything else
 * is refused as a whole with a status and a JSON body {@code {"code", "message", "error", "line"}}
 * ({@code message} for v2 clients, {@code error} for v1 clients, {@code line} for a line protocol
 * error): 400 bad request, 401 bad credentials, 403 another device's readings, 404, 405, 409 a key
 * already stored with another value, 413 over a limit, 429 over the device's rate and 503 while
 * the store cannot commit (both with {@code Retry-After}). The body limit is checked before reading;
 * at most {@code maxRequests} requests are read and stored at once.
 */
public final class IngestHttpServer implements AutoCloseable {
    static final String LINE_INPUT = "http-line-protocol";
    static final String JSON_INPUT = "http-json";
    private static final int BACKLOG = 64;

    static {
        // The JDK server reads these once, when the JVM's first server is made, for every server: this
        // one starts before HttpEndpoint, whose own values (32 connections) then do not apply, so the
        // cap here must suit both. Without the times a client that sends half a request (body
        // included: maxReqTime covers the whole request) would hold its connection forever.
        setIfAbsent("sun.net.httpserver.maxReqTime", "10");
        setIfAbsent("sun.net.httpserver.maxRspTime", "10");
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
        setIfAbsent("jdk.httpserver.maxConnections", "256");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final IngestHttpConfig config;
    private final Ingest ingest;
    private final LineProtocolParser parser;
    private final LineMapping mapping;
    private final Semaphore permits;
    private boolean closed;

    private IngestHttpServer(HttpServer server, ExecutorService executor, IngestHttpConfig config, Ingest ingest,
                             LineProtocolConfig lineProtocol) {
        this.server = server;
        this.executor = executor;
        this.config = config;
        this.ingest = ingest;
        this.parser = new LineProtocolParser(lineProtocol);
        this.mapping = new LineMapping(lineProtocol);
        this.permits = new Semaphore(config.maxRequests());
    }

    /**
     * Binds the configured address (failing here if it cannot) and starts serving.
     *
     * @param tls the certificate set-up of {@code tls.*}, required when {@code config.tls()}
     */
    public static IngestHttpServer start(IngestHttpConfig config, TlsContext tls, LineProtocolConfig lineProtocol,
                                         Ingest ingest) throws IOException {
        InetSocketAddress address = new InetSocketAddress(config.address(), config.port());
        HttpServer server;
        if (config.tls()) {
            if (tls == null) {
                throw new IllegalArgumentException("ingest.http.tls needs the TLS set-up of tls.*");
            }
            HttpsServer https = HttpsServer.create(address, BACKLOG);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()) {
                @Override
                public void configure(HttpsParameters params) {
                    params.setSSLParameters(tls.serverParameters());
                }
            });
            server = https;
        } else {
            server = HttpServer.create(address, BACKLOG);
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("ingest-http-", 1).factory());
        IngestHttpServer s = new IngestHttpServer(server, executor, config, ingest, lineProtocol);
        server.createContext("/", s::handle);
        server.setExecutor(executor);
        server.start();
        InetSocketAddress bound = s.address();
        Logger.info("ingest HTTP{} on {}:{}: POST /write, /api/v2/write, /v1/readings", config.tls() ? "S" : "",
                bound.getAddress().getHostAddress(), bound.getPort());
        return s;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) {
        String peer = peer(exchange);
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/ping") || path.equals("/health")) {
                ping(exchange, path);
                return;
            }
            boolean line = path.equals("/write") || path.equals("/api/v2/write");
            if (!line && !path.equals("/v1/readings")) {
                answer(exchange, 404, "not found", "no such path; the paths are POST /write, /api/v2/write,"
                        + " /v1/readings and GET /ping", 0, 0);
                return;
            }
            if (!method.equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer(exchange, 405, "method not allowed", "use POST", 0, 0);
                return;
            }
            if (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
                answer(exchange, 503, "unavailable", "over " + config.maxRequests()
                        + " requests at once (ingest.http.max-requests); retry later", 1, 0);
                return;
            }
            try {
                if (line) {
                    writeLines(exchange, peer);
                } else {
                    writeJson(exchange, peer);
                }
            } finally {
                permits.release();
            }
        } catch (IOException e) {
            Logger.debug("ingest HTTP request from {} failed: {}", peer, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            Logger.warn("ingest HTTP {} {} from {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                    peer, e.toString());
        } finally {
            exchange.close();
        }
    }

    /**
     * What InfluxDB answers to a client checking the server before it writes: {@code /ping} 204, and
     * 200 with JSON to {@code /ping?verbose=true} and {@code /health} (Tasmota's check wants 200). It
     * says the server is up, not that the store is: a write's own answer says that.
     */
    private static void ping(HttpExchange exchange, String path) throws IOException {
        exchange.getResponseHeaders().set("X-Influxdb-Version", "pi-gateway");
        boolean verbose = path.equals("/health")
                || "true".equals(query(exchange.getRequestURI().getRawQuery()).get("verbose"));
        if (!verbose) {
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        byte[] body = "{\"name\":\"pi-gateway\",\"status\":\"pass\",\"message\":\"ready for writes\",\"version\":\"pi-gateway\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** {@code /write} and {@code /api/v2/write}. */
    private void writeLines(HttpExchange exchange, String peer) throws IOException, InterruptedException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String device = null;
        try {
            Precision precision = Precision.of(query.get("precision"));
            if (precision == null) {
                throw new IngestRefusal(IngestRefusal.Reason.INVALID, "precision '" + query.get("precision")
                        + "' is unknown; use ns, us, ms, s (v1 also n, u, m, h)");
            }
            String credentialsDevice = authenticate(exchange, query);
            device = credentialsDevice;
            RequestBody body = body(exchange);
            LineMapping.Result mapped;
            try {
                List<Point> points = parser.parse(body.bytes(), body.length(), precision);
                mapped = mapping.map(points, credentialsDevice);
            } catch (LineProtocolException e) {
                int status = e.kind() == LineProtocolException.Kind.LIMIT ? 413 : 400;
                log(peer, device, status, e.getMessage());
                answer(exchange, status, status == 413 ? "request too large" : "invalid",
                        e.getMessage() + "; nothing of this request was stored", 0, e.line());
                return;
            }
            store(LINE_INPUT, "influx.field", mapped.byDevice(), credentialsDevice, peer);
            exchange.sendResponseHeaders(204, -1);
        } catch (IngestRefusal r) {
            refuse(exchange, peer, device, r);
        }
    }

    /** {@code /v1/readings}. */
    private void writeJson(HttpExchange exchange, String peer) throws IOException, InterruptedException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String device = null;
        try {
            String p = query.get("precision");
            Precision precision = p == null ? Precision.MILLISECONDS : Precision.of(p);
            if (precision == null) {
                throw new IngestRefusal(IngestRefusal.Reason.INVALID, "precision '" + p
                        + "' is unknown; use ns, us, ms or s");
            }
            String credentialsDevice = authenticate(exchange, query);
            device = credentialsDevice;
            RequestBody body = body(exchange);
            ReadingsJson json = ReadingsJson.parse(body.bytes(), body.length(), precision);
            device = json.device() != null ? json.device() : credentialsDevice;
            if (device == null) {
                throw new IngestRefusal(IngestRefusal.Reason.INVALID,
                        "the body has no \"device\" and the request's credentials name none");
            }
            store(JSON_INPUT, "json", Map.of(device, json.samples()), credentialsDevice, peer);
            byte[] ok = ("{\"stored\":" + json.samples().size() + "}\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, ok.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(ok);
            }
        } catch (IngestRefusal r) {
            refuse(exchange, peer, device, r);
        }
    }

    /**
     * The device the credentials prove (with {@code auth.mode = open}: the one they name, unchecked, or
     * {@code null}); checked before the body is read, so a stranger costs no more than its headers.
     */
    private String authenticate(HttpExchange exchange, Map<String, String> query) throws IngestRefusal, InterruptedException {
        Credentials c;
        try {
            c = Credentials.of(exchange.getRequestHeaders().getFirst("Authorization"), query);
        } catch (IllegalArgumentException e) {
            throw new IngestRefusal(IngestRefusal.Reason.UNAUTHORIZED, e.getMessage());
        }
        if (ingest.open()) {
            return c == null ? null : c.device();
        }
        if (c == null) {
            throw new IngestRefusal(IngestRefusal.Reason.UNAUTHORIZED, "no credentials: send"
                    + " 'Authorization: Token <device-id>:<secret>', Basic, or ?u=<device-id>&p=<secret>");
        }
        ingest.authenticate(c.device(), c.password(), exchange.getRemoteAddress().getAddress());
        return c.device();
    }

    private RequestBody body(HttpExchange exchange) throws IngestRefusal, IOException {
        return RequestBody.read(exchange.getRequestBody(), exchange.getRequestHeaders().getFirst("Content-Length"),
                exchange.getRequestHeaders().getFirst("Content-Encoding"), config.maxBodyBytes());
    }

    /**
     * One {@code store} per device. With auth on, every device must be the credentials' one (checked
     * before anything is stored); with auth open a request may carry several devices, stored in turn.
     */
    private void store(String input, String kind, Map<String, List<Sample>> byDevice, String credentialsDevice,
                       String peer) throws IngestRefusal, InterruptedException {
        if (!ingest.open()) {
            for (String device : byDevice.keySet()) {
                if (!device.equals(credentialsDevice)) {
                    throw new IngestRefusal(IngestRefusal.Reason.FORBIDDEN, "the credentials are those of device "
                            + credentialsDevice + ", the readings are of device " + device
                            + "; nothing of this request was stored");
                }
            }
        }
        int done = 0;
        for (Map.Entry<String, List<Sample>> e : byDevice.entrySet()) {
            try {
                ingest.store(input, e.getKey(), peer, kind, e.getValue());
            } catch (IngestRefusal r) {
                if (done == 0) {
                    throw r;
                }
                throw new IngestRefusal(r.reason(), r.getMessage() + " (the readings of the " + done
                        + " devices before " + e.getKey() + " in this request were stored)", r.retryAfterSeconds(),
                        true, r.getCause());
            }
            done++;
        }
    }

    private void refuse(HttpExchange exchange, String peer, String device, IngestRefusal r) throws IOException {
        int status = r.reason().httpStatus();
        String message = r.getMessage();
        if (r.reason() == IngestRefusal.Reason.UNAUTHORIZED) {
            // The operator's log says why; the sender is not told whether the device exists.
            log(peer, device, status, message);
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"pi-gateway\"");
            message = "unknown device or wrong secret";
        } else {
            if (r.partlyStored()) {
                message += "; some readings of this request were stored (a retry stores them once if they carry a time)";
            }
            log(peer, device, status, message);
        }
        answer(exchange, status, code(r.reason()), message, r.retryAfterSeconds(), 0);
    }

    private static String code(IngestRefusal.Reason reason) {
        return switch (reason) {
            case INVALID -> "invalid";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case CONFLICT -> "conflict";
            case TOO_LARGE -> "request too large";
            case RATE_LIMITED -> "too many requests";
            case UNAVAILABLE -> "unavailable";
        };
    }

    private static void log(String peer, String device, int status, String why) {
        if (status >= 500) {
            Logger.warn("ingest HTTP from {} (device {}): {} {}", peer, device == null ? "?" : device, status, why);
        } else {
            Logger.info("ingest HTTP from {} (device {}): {} {}", peer, device == null ? "?" : device, status, why);
        }
    }

    /** The error body InfluxDB clients read: {@code message} (v2), {@code error} (v1), plus {@code line} if known. */
    private static void answer(HttpExchange exchange, int status, String code, String message, long retryAfter,
                               int line) throws IOException {
        if (retryAfter > 0) {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(retryAfter));
        }
        String text = JsonString.quoted(message);
        byte[] body = ("{\"code\":" + JsonString.quoted(code) + ",\"message\":" + text + ",\"error\":" + text
                + (line > 0 ? ",\"line\":" + line : "") + "}\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("X-Influxdb-Error", message.replaceAll("[^\\x20-\\x7e]", "?"));
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Decoded {@code a=b&c=d}; the first value of a repeated name wins. */
    static Map<String, String> query(String raw) {
        return QueryString.decode(raw, (kept, later) -> kept);
    }

    private static String peer(HttpExchange exchange) {
        InetSocketAddress a = exchange.getRemoteAddress();
        if (a == null || a.getAddress() == null) {
            return "unknown";
        }
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Stops at once: a request in progress is cut off and its sender, without an answer, retries. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "ingest HTTP on " + address();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
