package io.pigateway.client.link;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.GatewayLinkConfig;
import io.pigateway.client.config.ReconnectConfig;
import io.pigateway.client.config.SendConfig;
import io.pigateway.client.spool.MemorySpool;
import io.pigateway.client.testing.FakeGateway;
import io.pigateway.testing.CapturedLog;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link GatewayLink} against {@link FakeGateway} over loopback TCP. */
@Timeout(20)
class GatewayLinkIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeGateway fake;
    private MemorySpool spool;
    private GatewayLink link;

    @BeforeEach
    void setUp() throws IOException {
        fake = FakeGateway.start();
        spool = new MemorySpool(100_000);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (link != null) {
            link.close();
        }
        fake.close();
        assertEquals(List.of(), fake.violations(), "protocol violations seen by the fake gateway");
    }

    private GatewayLink link(List<GatewayAddress> addresses, int batch, Duration backoffMax, Duration ping) {
        link = new GatewayLink("pi-test", null, new GatewayLinkConfig(addresses, Duration.ofSeconds(2), ping),
                new ReconnectConfig(Duration.ofMillis(20), backoffMax), new SendConfig(batch, Duration.ofMillis(10)),
                spool, SENSORS, DeviceClock.system());
        return link;
    }

    /** The sensors of {@link #append}, announced in every HELLO. */
    private static final List<SensorInfo> SENSORS = List.of(new SensorInfo("temp", "°C", "simulated.temperature", true),
            new SensorInfo("door", "", "simulated.toggle", true));

    private GatewayLink link(int batch) {
        return link(List.of(fake.address()), batch, Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    /** The fake gateway refuses the first {@code times} HELLOs with this NACK, then accepts. */
    private void refuseFirstHellos(int times, NackCode code, String reason) {
        fake.helloAnswer = n -> n < times
                ? new Message.Nack(code, reason)
                : new Message.HelloOk(System.currentTimeMillis(), 65536, 1000);
    }

    private void append(int n) {
        for (int i = 0; i < n; i++) {
            spool.append(i % 2 == 0 ? "temp" : "door", 1_700_000_000_000L + i, i);
        }
    }

    private static TreeSet<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    /** Polls the watchdog's question for {@code span}; returns every answer that named something. */
    private static List<String> stuckAnswers(GatewayLink l, Duration limit, Duration span) throws InterruptedException {
        List<String> stuck = new java.util.ArrayList<>();
        long end = System.nanoTime() + span.toNanos();
        while (System.nanoTime() < end) {
            l.stuckAfter(limit).ifPresent(stuck::add);
            Thread.sleep(100);
        }
        return stuck;
    }

    @Test
    void neitherAnUnreachableGatewayNorAnIdleConnectionIsStuck() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        GatewayLink unreachable = link(List.of(new GatewayAddress("127.0.0.1", closedPort)), 50, Duration.ofSeconds(3),
                Duration.ofSeconds(30));
        unreachable.start();
        append(10);
        // Backoff sleeps of up to 3 s come round every second, so a 1.5 s limit is never reached.
        assertEquals(List.of(), stuckAnswers(unreachable, Duration.ofMillis(1500), Duration.ofSeconds(4)));
        unreachable.close();

        link(50).start();
        until("all acknowledged", WAIT, () -> spool.size() == 0);
        assertEquals(List.of(), stuckAnswers(link, Duration.ofMillis(1500), Duration.ofSeconds(2)),
                "an idle session comes round every 500 ms");
        assertTrue(link.stuck(Duration.ofMillis(1)).isEmpty());
    }

    @Test
    void readingsOfASensorNoLongerConfiguredAreSentAfterAHelloThatAnnouncesIt() throws Exception {
        append(10);
        spool.append("cellar", 1_700_000_000_100L, 12.5); // configured once, gone from the configuration now
        append(10);
        link(50).start();
        until("every reading is acknowledged", WAIT, () -> spool.size() == 0);
        assertEquals(21, spool.counts().acknowledged());
        // The first HELLO announced the configured sensors; the next one also the sensor found in the spool.
        assertEquals(SENSORS, fake.hellos().getFirst().sensors());
        List<SensorInfo> last = fake.hellos().getLast().sensors();
        assertTrue(last.containsAll(SENSORS), last.toString());
        assertTrue(last.contains(new SensorInfo("cellar", "", "unconfigured", false)), last.toString());
        // tearDown: the fake saw no reading of a sensor its connection's HELLO did not announce.
    }

    @Test
    void handshakeNamesDeviceAndStream() throws Exception {
        long before = System.currentTimeMillis();
        link(50).start();
        until("a HELLO arrives", WAIT, () -> !fake.hellos().isEmpty());
        Message.Hello hello = fake.hellos().getFirst();
        assertEquals(1, hello.protocolVersion());
        assertEquals("pi-test", hello.deviceId());
        assertEquals(spool.streamId(), hello.streamId());
        assertTrue(hello.streamId() != 0);
        assertTrue(hello.clientClockMillis() >= before && hello.clientClockMillis() <= System.currentTimeMillis());
        until("the link reports connected", WAIT, () -> link.stats().connected());
        assertEquals(1, link.stats().handshakes());
    }

    @Test
    void acksTrimTheBufferAndFramesRespectTheGatewaysLimits() throws Exception {
        // 7 readings per frame, and 150 payload bytes: two 4-letter names and n readings take 16 + 26·n, so n ≤ 5.
        fake.helloAnswer = n -> new Message.HelloOk(System.currentTimeMillis(), 150, 7);
        append(1000);
        link(50).start();
        until("every reading is acknowledged", WAIT, () -> spool.size() == 0);
        assertEquals(1000, spool.counts().acknowledged());
        assertEquals(range(1, 1000), fake.committed());
        assertTrue(fake.frames().stream().allMatch(f -> f.size() <= 7), "no frame above 7 readings");
        assertTrue(fake.frames().stream().allMatch(f -> f.size() <= 5), "the payload limit cut frames to 5 readings");
        assertEquals(1000, link.stats().sent());
    }

    @Test
    void connectionDroppedMidStreamResendsEverythingUnacknowledged() throws Exception {
        fake.dropFirstConnectionAtFrame = 3; // frames 1 and 2 acknowledged (seq 1..40), frame 3 lost with the connection
        append(200);
        link(20).start();
        until("every reading is acknowledged", WAIT, () -> spool.size() == 0);

        assertEquals(2, fake.connections());
        assertEquals(range(1, 200), new TreeSet<>(fake.seqsReceived()), "every seq received at least once");
        assertEquals(range(1, 200), fake.committed(), "acknowledged set is exactly 1..200");
        List<List<Reading>> frames = fake.frames();
        assertEquals(41, frames.get(3).getFirst().seq(), "the second connection starts at the oldest unacknowledged");
        assertEquals(200, spool.counts().acknowledged());
        assertEquals(0, spool.counts().dropped());
        assertTrue(link.stats().sent() >= 220, "seq 41..60 (at least) went out twice");
        String problem = link.stats().lastProblem();
        assertNotNull(problem);
        assertTrue(problem.contains("connection to gateway " + fake.address() + " lost"), problem);
    }

    @Test
    void readingsAddedWhileDisconnectedAreSentAfterReconnect() throws Exception {
        link(20).start();
        append(30);
        link.readingsAdded();
        until("the first readings are acknowledged", WAIT, () -> spool.size() == 0);
        fake.dropConnections();
        append(30);
        link.readingsAdded();
        until("all 60 are acknowledged", WAIT, () -> spool.counts().acknowledged() == 60);
        assertEquals(range(1, 60), fake.committed());
    }

    @Test
    void retryableHelloRefusalIsReportedAndRetried() throws Exception {
        refuseFirstHellos(2, NackCode.TOO_MANY_CONNECTIONS, "at the limit of 1000 connections");
        append(10);
        link(50).start();
        until("readings acknowledged after two refusals", WAIT, () -> spool.size() == 0);
        assertEquals(3, fake.hellos().size());
        LinkStats stats = link.stats();
        assertEquals(2, stats.refusals());
        assertEquals(2, stats.failedAttempts());
        assertNotNull(stats.lastProblem());
        assertTrue(stats.lastProblem().contains("gateway " + fake.address() + " refused device pi-test: "
                + "TOO_MANY_CONNECTIONS (13): at the limit of 1000 connections (attempt 2, next try in"), stats.lastProblem());
    }

    @Test
    void aGatewayThatKeepsFailingIsOneWarningAndOneLineWhenItAnswersAgain() throws Exception {
        refuseFirstHellos(6, NackCode.STORE_UNAVAILABLE, "database down");
        append(10);
        try (CapturedLog log = CapturedLog.start()) {
            link(50).start();
            until("readings acknowledged after six refusals", WAIT, () -> spool.size() == 0);
            List<String> warnings = log.lines("WARN", "gateway " + fake.address());
            assertEquals(1, warnings.size(), "one warning for six failed attempts: " + warnings);
            assertTrue(warnings.getFirst().contains("STORE_UNAVAILABLE (10): database down (attempt 1,"), warnings.getFirst());
            List<String> back = log.await(WAIT, "INFO", "reached gateway " + fake.address() + " again after 6 failed attempts");
            assertEquals(1, back.size(), back.toString());
            assertTrue(back.getFirst().contains("last error: gateway " + fake.address() + " refused device pi-test:"
                    + " STORE_UNAVAILABLE (10): database down (attempt 6,"), back.getFirst());
        }
        assertEquals(6, link.stats().failedAttempts());
    }

    @Test
    void nonRetryableHelloRefusalRetriesAtTheMaximumBackoff() throws Exception {
        fake.helloAnswer = n -> new Message.Nack(NackCode.HELLO_REFUSED, "device pi-test is not\nregistered");
        append(5);
        link(List.of(fake.address()), 50, Duration.ofMillis(400), Duration.ofSeconds(30)).start();
        until("a second HELLO after the refusal", WAIT, () -> fake.hellos().size() >= 2);
        Thread.sleep(300);
        // With a 20 ms minimum, ordinary backoff would have tried ~10 times by now; the maximum (400 ms) allows 2-3.
        assertTrue(fake.hellos().size() <= 3, "hellos: " + fake.hellos().size());
        String problem = link.stats().lastProblem();
        assertTrue(problem.startsWith("gateway " + fake.address() + " refused device pi-test: HELLO_REFUSED (6): "
                + "device pi-test is not registered; not retryable (attempt "), problem);
        assertTrue(problem.endsWith("next try in 0.4 s, the maximum backoff)"), problem);
        assertEquals(5, spool.size(), "a refusal never drops readings");
    }

    @Test
    void unreachableFirstAddressFallsThroughToTheSecond() throws Exception {
        GatewayAddress closed = closedPort();
        append(10);
        link(List.of(closed, fake.address()), 50, Duration.ofMillis(200), Duration.ofSeconds(30)).start();
        until("readings acknowledged via the second address", WAIT, () -> spool.size() == 0);
        assertEquals(1, fake.hellos().size());
        String problem = link.stats().lastProblem();
        assertTrue(problem.startsWith("gateway " + closed + " unreachable: "), problem);
        assertTrue(problem.endsWith("(attempt 1, trying " + fake.address() + " next)"), problem);
        assertEquals(fake.address().toString(), link.stats().gateway());
    }

    @Test
    void unreachableGatewayLineSaysAttemptAndNextTry() throws Exception {
        GatewayAddress closed = closedPort();
        link(List.of(closed), 50, Duration.ofMillis(100), Duration.ofSeconds(30)).start();
        until("three failed attempts", WAIT, () -> link.stats().failedAttempts() >= 3);
        String problem = link.stats().lastProblem();
        assertTrue(problem.matches("gateway 127\\.0\\.0\\.1:\\d+ unreachable: .+ \\(attempt \\d+, next try in 0\\.\\d s\\)"),
                problem);
    }

    @Test
    void shutdownWaitsForAcksThenSaysBye() throws Exception {
        append(100);
        link(20).start();
        until("connected", WAIT, () -> link.stats().connected());
        long start = System.nanoTime();
        LinkStats stats = link.shutdown(Duration.ofSeconds(5));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "no need to wait out ack-wait");
        assertEquals(0, spool.size());
        assertTrue(stats.byeSent());
        until("the fake saw the BYE", WAIT, () -> fake.byes() == 1);
        assertFalse(stats.connected());
    }

    @Test
    void shutdownWithoutAcksSaysByeAfterAckWaitAndKeepsTheReadings() throws Exception {
        fake.ack = false;
        append(30);
        link(10).start();
        until("frames arrive", WAIT, () -> fake.frames().size() == 3);
        long start = System.nanoTime();
        LinkStats stats = link.shutdown(Duration.ofMillis(300));
        long took = System.nanoTime() - start;
        assertTrue(took >= Duration.ofMillis(300).toNanos() && took < Duration.ofSeconds(3).toNanos(), "took " + took);
        assertTrue(stats.byeSent());
        until("the fake saw the BYE", WAIT, () -> fake.byes() == 1);
        assertEquals(30, spool.size(), "unacknowledged readings are not forgotten");
    }

    @Test
    void atMostFourFramesAreInFlight() throws Exception {
        fake.ack = false;
        append(1000);
        // PING after 1 s without sending: when it arrives, the sending loop has gone round for a second
        // with readings ready to send, so a fifth frame would have arrived before it.
        link(List.of(fake.address()), 10, Duration.ofMillis(200), Duration.ofSeconds(1)).start();
        until("four frames arrive", WAIT, () -> fake.frames().size() == Session.MAX_FRAMES_IN_FLIGHT);
        until("the link pings while it waits for an ACK", WAIT, () -> fake.pingsReceived() >= 1);
        assertEquals(Session.MAX_FRAMES_IN_FLIGHT, fake.frames().size(), "no fifth frame before an ACK");
        fake.ack = true;
        fake.ackNow();
        until("everything acknowledged once ACKs flow", WAIT, () -> spool.size() == 0);
        assertEquals(range(1, 1000), fake.committed());
    }

    @Test
    void nackMidStreamClosesAndReconnects() throws Exception {
        fake.nackFirstConnectionFrame = new Message.Nack(NackCode.STORE_UNAVAILABLE, 50, "database is down");
        fake.nackAtFrame = 1;
        append(40);
        link(10).start();
        until("everything acknowledged after the NACK", WAIT, () -> spool.size() == 0);
        assertEquals(2, fake.connections());
        assertEquals(range(1, 40), fake.committed());
        String problem = link.stats().lastProblem();
        assertTrue(problem.startsWith("gateway " + fake.address() + " sent NACK STORE_UNAVAILABLE (10): database is down; "),
                problem);
    }

    @Test
    void aFrameTheGatewaysDatabaseRefusedIsDroppedAndCountedAsLostAndTheRestIsSent() throws Exception {
        fake.nackFirstConnectionFrame = new Message.Nack(NackCode.STORE_REFUSED,
                "could not commit seq 11..20: the database refused them");
        fake.nackAtFrame = 2; // frame 1 (seq 1..10) is acknowledged first
        append(40);
        link(10).start();
        until("everything else acknowledged", WAIT, () -> spool.size() == 0);
        for (long seq = 11; seq <= 20; seq++) {
            assertEquals(1, java.util.Collections.frequency(fake.seqsReceived(), seq), "seq " + seq + " not sent again");
        }
        assertTrue(fake.seqsReceived().containsAll(range(21, 40)));
        assertEquals(10, spool.counts().dropped(), "the refused readings count as lost");
        assertEquals(30, spool.counts().acknowledged());
        assertEquals(2, fake.connections());
        String problem = link.stats().lastProblem();
        assertTrue(problem.contains("STORE_REFUSED (27)") && problem.contains("10 refused readings dropped"), problem);
    }

    @Test
    void aFrameRefusedAsDuplicateMismatchIsDroppedAndCountedNotResentForever() throws Exception {
        fake.nackFirstConnectionFrame = new Message.Nack(NackCode.DUPLICATE_MISMATCH, 0,
                "1 of the 10 readings of seq 11..20 (stream 1) differ from those stored under the same seqs");
        fake.nackAtFrame = 2; // seq 1..10 acknowledged, 11..20 refused
        append(40);
        link(10).start();
        until("everything else acknowledged after the NACK", WAIT, () -> spool.size() == 0);
        assertEquals(2, fake.connections(), "one reconnection, no loop");
        for (long seq = 11; seq <= 20; seq++) {
            long s = seq;
            assertEquals(1, fake.seqsReceived().stream().filter(r -> r == s).count(), "refused seq " + seq + " is not resent");
        }
        assertTrue(fake.committed().containsAll(range(21, 40)));
        assertEquals(10, spool.counts().dropped(), "the refused readings are counted, not swallowed");
        assertEquals(30, spool.counts().acknowledged());
        String problem = link.stats().lastProblem();
        assertTrue(problem.contains("DUPLICATE_MISMATCH (21)") && problem.contains("dropped"), problem);
    }

    @Test
    void replacedByAnotherClientWithTheSameDeviceIdWaitsTheMaximumBackoffAndSaysWhy() throws Exception {
        fake.nackFirstConnectionFrame = new Message.Nack(NackCode.REPLACED, 1000, "a newer connection for this device took over");
        fake.nackAtFrame = 1;
        append(20);
        link(List.of(fake.address()), 10, Duration.ofMillis(600), Duration.ofSeconds(30)).start();
        until("the REPLACED NACK", WAIT, () -> link.stats().lastProblem() != null);
        String problem = link.stats().lastProblem();
        assertTrue(problem.contains("REPLACED (12)") && problem.contains("another client uses the same device id"), problem);
        // The maximum backoff (0.6 s), or the gateway's advice (1 s, capped at that maximum) plus up to half again.
        assertTrue(problem.matches(".*next try in 0\\.[6-9] s, the maximum backoff"), problem);
        until("everything acknowledged on the next connection", WAIT, () -> spool.size() == 0);
        assertEquals(range(1, 20), fake.committed());
    }

    @Test
    void answersTheGatewaysPing() throws Exception {
        link(10).start();
        until("connected", WAIT, () -> link.stats().connected());
        until("the fake has a connection", WAIT, () -> !fake.framesPerConnection().isEmpty());
        fake.sendPing(42);
        until("PONG 42", WAIT, () -> fake.pongs().contains(42L));
    }

    @Test
    void pingsWhenIdleAndDropsASilentGateway() throws Exception {
        fake.answerPings = false;
        link(List.of(fake.address()), 10, Duration.ofMillis(50), Duration.ofSeconds(1)).start();
        until("an idle PING", WAIT, () -> fake.pingsReceived() >= 1);
        // No PONG: after twice the ping interval the client gives up on the connection and reconnects.
        until("a reconnect", WAIT, () -> fake.hellos().size() >= 2);
        String problem = link.stats().lastProblem();
        assertTrue(problem.contains("no answer from the gateway for 2."), problem);
        assertTrue(problem.contains("waiting for a PONG"), problem);
    }

    private static GatewayAddress closedPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return new GatewayAddress("127.0.0.1", port);
    }
}
