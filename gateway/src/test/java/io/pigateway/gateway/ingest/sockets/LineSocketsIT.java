package io.pigateway.gateway.ingest.sockets;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.config.LineSocketConfig;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import io.pigateway.testing.CapturedLog;
import io.pigateway.gateway.testing.TestStores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Line protocol over TCP and UDP from socat and nc (clients nobody here wrote), framed as Telegraf's
 * socket_writer frames it: good lines stored (timed ones once, however often sent), bad ones refused
 * alone, every line counted in {@code pigw_ingest_lines_total} (received = stored + refused + dropped)
 * and the reasons logged.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LineSocketsIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final int MAX_LINE = 256;
    static final long T0 = 1_700_000_000_000_000_000L;

    static UnaryOperator<GatewayConfig> sockets(List<String> tcpTrusted, List<String> udpTrusted) {
        return c -> {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            LineSocketConfig s = LineSocketConfig.disabled()
                    .withTcp(new LineSocketConfig.Endpoint(true, loopback, 0, Precision.NANOSECONDS, ranges(tcpTrusted)))
                    .withUdp(new LineSocketConfig.Endpoint(true, loopback, 0, Precision.NANOSECONDS, ranges(udpTrusted)));
            LineProtocolConfig d = LineProtocolConfig.defaults();
            LineProtocolConfig small = new LineProtocolConfig(MAX_LINE, d.maxTags(), d.maxFields(), d.deviceTags(),
                    d.sensor(), d.unitTag(), d.strings());
            return c.withHttp(HttpConfig.loopbackAnyPort()).withIngest(c.ingest().withLineSockets(s)
                    .withLineProtocol(small));
        };
    }

    static List<LineSocketConfig.SourceRange> ranges(List<String> items) {
        return items.stream().map(LineSocketConfig::range).toList();
    }

    /** {@code n} timed lines of device {@code device}, two fields each, from time index {@code from}. */
    static List<String> lines(String device, int from, int n) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            lines.add("climate,host=" + device + ",room=attic temp=" + (20 + i / 100.0) + ",ok=t " + (T0 + i * 1_000_000_000L));
        }
        return lines;
    }

    @Test
    void linesOverTcpFromNcAndSocatAreStoredOnceAndBadLinesAreRefusedAlone(@TempDir Path dir) throws Exception {
        try (CapturedLog log = CapturedLog.start();
             Gateway g = Gateway.start(sockets(List.of(), List.of()).apply(TestGatewayConfig.forTests(dir)))) {
            int port = g.input(LineTcpInput.class).address().getPort();
            List<String> body = new ArrayList<>(lines("tcp-pi", 0, 100));
            body.add(40, "climate,host=tcp-pi temp=oops");                   // syntax: not a number
            body.add(60, "climate,room=attic temp=1");                       // no device tag
            body.add(70, "climate,host=tcp-pi temp=" + "9".repeat(MAX_LINE)); // over the line limit
            body.add(80, "# a comment, not counted");
            body.add(81, "");
            Path file = Files.write(dir.resolve("lines.txt"), body);
            // nc -N: shut the connection down once the file is sent (as socket_writer's connection ends)
            run(List.of("nc.openbsd", "-N", "127.0.0.1", Integer.toString(port)), file);
            Map<String, Double> m = awaitLines(g, "line-tcp", 103);
            assertEquals(100, m.get(key("line-tcp", "stored")));
            assertEquals(3, m.get(key("line-tcp", "refused")));
            assertEquals(200, rows(dir, "tcp-pi"), "two fields per good line");
            log.await(WAIT, "line-tcp from 127.0.0.1:", "refused line 41: ");
            log.await(WAIT, "line-tcp from 127.0.0.1:", "refused line 61: ", "has no tag naming its device");
            log.await(WAIT, "line-tcp from 127.0.0.1:", "refused line 71: the line is 281 bytes long; at most 256");

            // The same lines again (socat this time, with 50 more): timed lines are stored once.
            List<String> again = new ArrayList<>(lines("tcp-pi", 0, 150));
            Path second = Files.write(dir.resolve("again.txt"), again);
            run(List.of("socat", "-u", "FILE:" + second, "TCP:127.0.0.1:" + port), null);
            m = awaitLines(g, "line-tcp", 253);
            assertEquals(250, m.get(key("line-tcp", "stored")));
            assertEquals(300, rows(dir, "tcp-pi"), "150 timed lines, each stored once");

            // A connection that ends inside a line: the cut line is refused, not stored short.
            Path cut = Files.writeString(dir.resolve("cut.txt"), lines("tcp-pi", 150, 1).getFirst() + "\nclimate,host=tcp-pi temp=21.5");
            run(List.of("nc.openbsd", "-N", "127.0.0.1", Integer.toString(port)), cut);
            m = awaitLines(g, "line-tcp", 255);
            assertEquals(251, m.get(key("line-tcp", "stored")));
            assertEquals(4, m.get(key("line-tcp", "refused")));
            log.await(WAIT, "refused line 2: the connection ended inside it (no newline)");
        }
    }

    @Test
    void datagramsOfOneOrManyLinesFromNcAndSocatAreStoredAndCounted(@TempDir Path dir) throws Exception {
        try (Gateway g = Gateway.start(sockets(List.of(), List.of()).apply(TestGatewayConfig.forTests(dir)))) {
            int port = g.input(LineUdpInput.class).address().getPort();
            // socat: the whole file, 30 lines, in one datagram (-b: a buffer larger than the file)
            Path many = Files.write(dir.resolve("many.txt"), lines("udp-pi", 0, 30));
            run(List.of("socat", "-u", "-b", "65000", "FILE:" + many, "UDP-SENDTO:127.0.0.1:" + port), null);
            // nc -u: one datagram per line, the last one without its newline, one bad
            for (String line : List.of(lines("udp-pi", 30, 1).getFirst() + "\n", "climate,host=udp-pi temp=\n",
                    lines("udp-pi", 31, 1).getFirst())) {
                Path one = Files.writeString(dir.resolve("one.txt"), line);
                run(List.of("nc.openbsd", "-u", "-w", "1", "127.0.0.1", Integer.toString(port)), one);
            }
            Map<String, Double> m = awaitLines(g, "line-udp", 33);
            assertEquals(32, m.get(key("line-udp", "stored")));
            assertEquals(1, m.get(key("line-udp", "refused")));
            assertEquals(64, rows(dir, "udp-pi"));
        }
    }

    @Test
    void datagramsArrivingFasterThanTheStoreTakesThemAreDroppedAndCounted(@TempDir Path dir) throws Exception {
        UnaryOperator<GatewayConfig> oneWaiting = c -> {
            GatewayConfig s = sockets(List.of(), List.of()).apply(c);
            LineSocketConfig l = s.ingest().lineSockets();
            return s.withIngest(s.ingest().withLineSockets(new LineSocketConfig(l.tcp(), l.tcpMaxConnections(),
                    l.tcpIdleTimeout(), l.udp(), 1)));
        };
        try (Gateway g = Gateway.start(oneWaiting.apply(TestGatewayConfig.forTests(dir)));
             java.net.DatagramSocket sender = new java.net.DatagramSocket()) {
            InetSocketAddress to = g.input(LineUdpInput.class).address();
            // 100 datagrams as fast as the loop goes: far faster than one commit each, with one waiting at most.
            // (100 small datagrams fit the kernel's default receive buffer, so the gateway reads them all.)
            for (String line : lines("flood-pi", 0, 100)) {
                byte[] b = (line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                sender.send(new java.net.DatagramPacket(b, b.length, to));
            }
            Map<String, Double> m = awaitLines(g, "line-udp", 100);
            double stored = m.getOrDefault(key("line-udp", "stored"), 0.0);
            double dropped = m.getOrDefault(key("line-udp", "dropped"), 0.0);
            System.out.println("UDP flood, 100 datagrams, queue of 1: stored=" + stored + " dropped=" + dropped);
            assertTrue(dropped > 0, "some datagrams found the queue full: " + lineCounts(m));
            assertEquals(100, stored + dropped);
            assertEquals(2 * (long) stored, rows(dir, "flood-pi"), "every line counted as stored is in the table");
        }
    }

    @Test
    void linesFromSourcesNotTrustedAreRefusedUnread(@TempDir Path dir) throws Exception {
        try (CapturedLog log = CapturedLog.start();
             Gateway g = Gateway.start(sockets(List.of("127.0.0.2"), List.of("::1")).apply(TestGatewayConfig.forTests(dir)))) {
            int tcp = g.input(LineTcpInput.class).address().getPort();
            int udp = g.input(LineUdpInput.class).address().getPort();
            Path file = Files.write(dir.resolve("lines.txt"), lines("trust-pi", 0, 5));
            run(List.of("socat", "-u", "FILE:" + file, "TCP:127.0.0.1:" + tcp + ",bind=127.0.0.1"), null);
            log.await(WAIT, "line-tcp from 127.0.0.1:", "the source is not in ingest.line-tcp.trusted-sources");
            run(List.of("socat", "-u", "FILE:" + file, "TCP:127.0.0.1:" + tcp + ",bind=127.0.0.2"), null);
            Map<String, Double> m = awaitLines(g, "line-tcp", 5);
            assertEquals(5, m.get(key("line-tcp", "stored")));
            run(List.of("socat", "-u", "FILE:" + file, "UDP-SENDTO:127.0.0.1:" + udp), null);
            m = awaitLines(g, "line-udp", 5);
            assertEquals(5, m.get(key("line-udp", "refused")), "127.0.0.1 is not ::1");
            assertEquals(10, rows(dir, "trust-pi"), "only the trusted source's 5 lines, 2 fields each");
        }
    }

    private static String key(String input, String outcome) {
        return "pigw_ingest_lines_total{input=\"" + input + "\",outcome=\"" + outcome + "\"}";
    }

    /** The metrics once {@code input} has received {@code lines} and each has an outcome. */
    private static Map<String, Double> awaitLines(Gateway g, String input, int lines) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Double> m;
        while (true) {
            m = scrape(g.httpAddress().orElseThrow());
            double received = m.getOrDefault(key(input, "received"), 0.0);
            double done = m.getOrDefault(key(input, "stored"), 0.0) + m.getOrDefault(key(input, "refused"), 0.0)
                    + m.getOrDefault(key(input, "dropped"), 0.0);
            if (received == lines && done == lines) {
                return m;
            }
            assertTrue(received <= lines && done <= received, "lines: " + lineCounts(m));
            if (System.nanoTime() > deadline) {
                throw new AssertionError(input + ": expected " + lines + " received, each with an outcome, within "
                        + WAIT.toSeconds() + " s: " + lineCounts(m));
            }
            Thread.sleep(50);
        }
    }

    private static Map<String, Double> lineCounts(Map<String, Double> m) {
        Map<String, Double> lines = new java.util.TreeMap<>(m);
        lines.keySet().removeIf(k -> !k.startsWith("pigw_ingest_lines_total"));
        return lines;
    }

    private static Map<String, Double> scrape(InetSocketAddress http) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http.getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private static long rows(Path dir, String device) throws Exception {
        return TestStores.shared().queryLong(TestGatewayConfig.forTests(dir).store(),
                "SELECT COUNT(*) FROM readings WHERE device_id = ?", device);
    }

    private static void run(List<String> command, Path input) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        if (input != null) {
            b.redirectInput(input.toFile());
        }
        Process p = b.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(15, TimeUnit.SECONDS), command + " did not end");
        assertEquals(0, p.exitValue(), command + ": " + output);
    }
}
