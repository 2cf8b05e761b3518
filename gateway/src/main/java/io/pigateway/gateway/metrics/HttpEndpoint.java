package io.pigateway.gateway.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
 * {@code GET /metrics} and {@code GET /health} on the JDK's HTTP server; other paths get 404, other
 * methods 405. It cannot hurt the gateway: two threads at most, a short queue (a request that finds
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
    private boolean closed;

    private HttpEndpoint(HttpServer server, ThreadPoolExecutor executor, GatewayMetrics metrics, HealthCheck health) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.health = health;
    }

    /** Binds {@code address} (failing here if it cannot) and starts serving. */
    public static HttpEndpoint start(InetSocketAddress address, GatewayMetrics metrics, HealthCheck health)
            throws IOException {
        HttpServer server = HttpServer.create(address, BACKLOG);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                r -> Thread.ofPlatform().name("http-" + n.incrementAndGet()).daemon().unstarted(r),
                new ThreadPoolExecutor.AbortPolicy()); // the server closes a connection it cannot hand over
        executor.allowCoreThreadTimeOut(true);
        HttpEndpoint endpoint = new HttpEndpoint(server, executor, metrics, health);
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
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> send(exchange, 200, metrics.contentType(), metrics.scrape(), head);
                case "/health" -> {
                    HealthCheck.Result r = health.check();
                    exchange.getResponseHeaders().set("Cache-Control", "no-store");
                    send(exchange, r.status(), JSON, bytes(r.json()), head);
                }
                default -> send(exchange, 404, TEXT, bytes("not found; the paths are /metrics and /health\n"), head);
            }
        } catch (RuntimeException e) {
            Logger.warn("HTTP {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            throw e; // the server closes the connection
        } finally {
            exchange.close();
        }
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
