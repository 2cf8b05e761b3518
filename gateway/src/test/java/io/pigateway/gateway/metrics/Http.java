package io.pigateway.gateway.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Real HTTP requests to a gateway's endpoint over loopback, and the text format read back. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    static HttpResponse<String> send(InetSocketAddress endpoint, String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(InetSocketAddress endpoint, String path) throws IOException, InterruptedException {
        return send(endpoint, "GET", path);
    }

    /**
     * Every sample of a scrape, keyed by name and labels as written, e.g.
     * {@code pigw_readings_rejected_total{reason="invalid_reading"}}.
     */
    static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    static Map<String, Double> scrape(InetSocketAddress endpoint) throws IOException, InterruptedException {
        HttpResponse<String> r = get(endpoint, "/metrics");
        if (r.statusCode() != 200) {
            throw new IOException("GET /metrics answered " + r.statusCode() + ": " + r.body());
        }
        return samples(r.body());
    }
}
