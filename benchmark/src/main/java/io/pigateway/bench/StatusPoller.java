package io.pigateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Polls the gateway's /status.json as the status page's script does (gzip, only the plot points after
 * the newest it has), every {@code intervalMillis}, while a round's load runs, and keeps each
 * request's time to its last byte: the cost of the status page under full load (docs/STATUS.md).
 */
final class StatusPoller implements AutoCloseable {
    private static final Pattern LAST_T = Pattern.compile("\"t\":\\[(?:[0-9]+,)*([0-9]+)\\]");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI base;
    private final long intervalMillis;
    private final List<Long> nanos = new ArrayList<>();
    private final List<Integer> bytes = new ArrayList<>();
    private Thread thread;
    private volatile boolean running;
    private String since = "0";

    StatusPoller(int port, long intervalMillis) {
        this.base = URI.create("http://127.0.0.1:" + port + "/status.json");
        this.intervalMillis = intervalMillis;
    }

    synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().name("status-poller").daemon().start(this::run);
    }

    synchronized void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(5000);
        }
    }

    private void run() {
        while (running) {
            long started = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "?since=" + since))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - started;
                if (r.statusCode() == 200) {
                    synchronized (this) {
                        nanos.add(took);
                        bytes.add(r.body().length());
                    }
                    Matcher m = LAST_T.matcher(r.body());
                    if (m.find()) {
                        since = m.group(1);
                    }
                }
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                System.out.println("status poll failed: " + e);
            }
        }
    }

    /** "N polls: median X ms, p99 Y ms, max Z ms, median N KB of JSON". */
    synchronized String summary() {
        if (nanos.isEmpty()) {
            return "no polls";
        }
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        List<Integer> sizes = new ArrayList<>(bytes);
        sizes.sort(null);
        return String.format("%d polls every %d ms: median %.1f ms, p99 %.1f ms, max %.1f ms to the last byte;"
                        + " median %d KB of JSON", sorted.size(), intervalMillis, sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1e6,
                sorted.getLast() / 1e6, sizes.get(sizes.size() / 2) / 1024);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
