package io.pigateway.gateway.ingest.http;

import io.pigateway.gateway.testing.TestGatewayConfig;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.IngestConfig;
import io.pigateway.gateway.config.IngestHttpConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Rows per second through line protocol over HTTP in 5,000-line batches, each POST waiting for its 204,
 * against the binary protocol in the same run and the same store. Not a test: run by hand,
 * {@code java -cp <test classpath> io.pigateway.gateway.ingest.http.LineProtocolHttpBenchmark [embedded|mariadb] [rows]}.
 */
public final class LineProtocolHttpBenchmark {
    static final int BATCH = 5_000;
    static final long T0 = 1_700_000_000_000_000_000L;

    public static void main(String[] args) throws Exception {
        String storeKind = args.length > 0 ? args[0] : "embedded";
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Path dir = Files.createTempDirectory("pigw-lp-bench");
        GatewayConfig config = TestGatewayConfig.forTests(dir)
                .withIngest(IngestConfig.defaults().withHttp(IngestHttpConfig.loopbackAnyPort()
                        .withMaxBodyBytes(4 * 1024 * 1024)));
        if (storeKind.equals("mariadb")) {
            StoreConfig store = TestStores.shared().freshSchema(dir);
            config = config.withStore(store);
        }
        try (Gateway gateway = Gateway.start(config)) {
            String url = "http://127.0.0.1:" + gateway.ingestHttpAddress().getPort() + "/api/v2/write?precision=ns";
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            // Warm-up: the JIT, the sensors rows, the writers' connections.
            post(http, url, body("warm", 0, BATCH));
            binary(gateway, "warm-binary", 10_000);

            for (int clients : new int[] {1, 4}) {
                long started = System.nanoTime();
                try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
                    List<Future<?>> done = new ArrayList<>();
                    for (int c = 0; c < clients; c++) {
                        String device = "http-" + clients + "-" + c;
                        int share = rows / clients;
                        done.add(pool.submit(() -> {
                            for (int first = 0; first < share; first += BATCH) {
                                post(http, url, body(device, first, Math.min(BATCH, share - first)));
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                }
                report("line protocol over HTTP, 5,000-line batches, " + clients + " client(s)", rows, started);

                started = System.nanoTime();
                try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
                    List<Future<?>> done = new ArrayList<>();
                    for (int c = 0; c < clients; c++) {
                        String device = "bin-" + clients + "-" + c;
                        done.add(pool.submit(() -> {
                            binary(gateway, device, rows / clients);
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                }
                report("binary protocol, frames of 1,000, " + clients + " device(s)", rows, started);
            }
            long stored = TestStores.shared().queryLong(config.store(), "SELECT COUNT(*) FROM readings");
            System.out.println("store " + storeKind + ": " + stored + " rows in readings");
        }
    }

    static String body(String device, int first, int count) {
        StringBuilder b = new StringBuilder(count * 60);
        for (int i = first; i < first + count; i++) {
            b.append("bench,device=").append(device).append(" temp=").append(20 + i % 100 / 10.0).append(' ')
                    .append(T0 + i * 1_000_000_000L).append('\n');
        }
        return b.toString();
    }

    static void post(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
    }

    static void binary(Gateway gateway, String device, int count) throws Exception {
        try (TestDevice d = TestDevice.connect(gateway.address(), device, 1)) {
            d.sendRange(1, count, 1000);
            d.awaitAck(count, Duration.ofMinutes(5));
        }
    }

    static void report(String what, int rows, long started) {
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("LP-BENCH %-60s %,9d rows in %6.2f s = %,8.0f rows/s%n", what, rows, seconds, rows / seconds);
    }
}
