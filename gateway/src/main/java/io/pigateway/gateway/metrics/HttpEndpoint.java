package io.pigateway.gateway.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pigateway.gateway.config.AccessToken;
import io.pigateway.gateway.status.StatusPage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tinylog.Logger;

/**
 * {@code GET /metrics}, {@code GET /health} and the status page ({@code /}, {@code /status},
 * {@code /status.json}, see {@link StatusPage}) on the JDK's HTTP server; other paths get 404, other
 * methods 405. With an access token ({@code http.token-file}) every path but {@code /health} needs it:
 * {@code Authorization: Bearer TOKEN}, or once {@code ?token=TOKEN}, which sets a cookie for the page. It cannot hurt the gateway: two threads at most, a short queue (a request that finds
 * it full has its connection closed), a cap on open connections, and time limits on reading a
 * request and writing a response, so a stuck or slow client ties up nothing for long.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final int THREADS = 2;
    private static final int QUEUE = 16;
    private static final int BACKLOG = 16;
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    static {
        // The JDK server reads its limits from system properties once, when its first instance is made;
        // an operator's -D settings win. maxReqTime/maxRspTime are seconds; the defaults are "forever".
        setIfAbsent("sun.net.httpserver.maxReqTime", "10");
        setIfAbsent("sun.net.httpserver.maxRspTime", "10");
        setIfAbsent("jdk.httpserver.maxConnections", "32");
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final GatewayMetrics metrics;
    private final HealthCheck health;
    /** {@code null}: no status page. */
    private final StatusPage status;
    /** {@code null}: no token needed. */
    private final AccessToken token;
    private boolean closed;

    private HttpEndpoint(HttpServer server, ThreadPoolExecutor executor, GatewayMetrics metrics, HealthCheck health,
                         StatusPage status, AccessToken token) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.health = health;
        this.status = status;
        this.token = token;
    }

    /** Binds {@code address} (failing here if it cannot) and starts serving. */
    public static HttpEndpoint start(InetSocketAddress address, GatewayMetrics metrics, HealthCheck health)
            throws IOException {
        return start(address, metrics, health, null, null);
    }

    /**
     * Binds {@code address} (failing here if it cannot) and starts serving, the status page too unless
     * {@code status} is null; closing the endpoint closes it.
     */
    public static HttpEndpoint start(InetSocketAddress address, GatewayMetrics metrics, HealthCheck health,
                                     StatusPage status, AccessToken token) throws IOException {
        HttpServer server = HttpServer.create(address, BACKLOG);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                r -> Thread.ofPlatform().name("http-" + n.incrementAndGet()).daemon().unstarted(r),
                new ThreadPoolExecutor.AbortPolicy()); // the server closes a connection it cannot hand over
        executor.allowCoreThreadTimeOut(true);
        HttpEndpoint endpoint = new HttpEndpoint(server, executor, metrics, health, status, token);
        // One context for all paths: the JDK matches contexts by prefix, and only exact paths are served.
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, TEXT, bytes("method " + method + " not allowed; use GET\n"), false);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (token != null && !path.equals("/health") && !authorized(exchange, path)) {
                return;
            }
            switch (path) {
                case "/metrics" -> send(exchange, 200, metrics.contentType(), metrics.scrape(), head);
                case "/health" -> {
                    HealthCheck.Result r = health.check();
                    exchange.getResponseHeaders().set("Cache-Control", "no-store");
                    send(exchange, r.status(), JSON, bytes(r.json()), head);
                }
                default -> {
                    if (status != null && StatusPage.serves(path)) {
                        status.handle(exchange, path, head);
                    } else {
                        send(exchange, 404, TEXT, bytes("not found; the paths are /, /status.json, /metrics and"
                                + " /health\n"), head);
                    }
                }
            }
        } catch (RuntimeException e) {
            Logger.warn("HTTP {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            throw e; // the server closes the connection
        } finally {
            exchange.close();
        }
    }

    private static final String COOKIE = "pigw_token";

    /**
     * Whether the request carries the token (header, cookie, or {@code ?token=}); if not, answers 401
     * and returns false. A right {@code ?token=} is answered with a redirect that sets the cookie and
     * drops the token from the address, so it does not stay in the browser's history or the page's links.
     */
    private boolean authorized(HttpExchange exchange, String path) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && token.matches(auth.substring(7).strip())) {
            return true;
        }
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String c : header.split(";")) {
                String cookie = c.strip();
                if (cookie.startsWith(COOKIE + "=") && token.matches(cookie.substring(COOKIE.length() + 1))) {
                    return true;
                }
            }
        }
        java.util.Map<String, String> query = StatusPage.query(exchange.getRequestURI().getRawQuery());
        String given = query.remove("token");
        if (token.matches(given)) {
            StringBuilder location = new StringBuilder(path);
            query.forEach((k, v) -> location.append(location.indexOf("?") < 0 ? '?' : '&')
                    .append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                    .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
            // The token matched, so it holds only characters a cookie may (AccessToken checks them).
            exchange.getResponseHeaders().set("Set-Cookie", COOKIE + "=" + given + "; Path=/; HttpOnly; SameSite=Strict");
            exchange.getResponseHeaders().set("Location", location.toString());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            send(exchange, 303, TEXT, bytes("see " + location + "\n"), false);
            return false;
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"pi-gateway\"");
        send(exchange, 401, TEXT, bytes("this gateway needs its access token (http.token-file): send"
                + " 'Authorization: Bearer TOKEN', or open " + path + "?token=TOKEN once in a browser\n"), false);
        return false;
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (head) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stops at once (a scrape in progress is cut off) and ends the threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.stop(0);
        } finally {
            executor.shutdownNow();
            if (status != null) {
                status.close();
            }
        }
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                Logger.warn("HTTP threads still busy 2 s after the endpoint was stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
