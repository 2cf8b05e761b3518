package io.pigateway.gateway.net;

import io.pigateway.testing.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.HandshakeLimits;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.store.Store;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameType;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tinylog.configuration.Configuration;

/**
 * Fuzz target: arbitrary bytes as the first frames of a connection to a real {@link Listener} on
 * loopback, over an embedded H2 store started once for the class. How an input becomes bytes on the
 * wire (CRC repair, a pause for the first answer) is in {@link Opening}. As a plain test it runs
 * over the seed corpus in {@code HandshakeFuzzITInputs/firstFrames/}; with {@code JAZZER_FUZZ=1}
 * Jazzer generates inputs (docs/FUZZING.md).
 *
 * <p>For every input:
 * <ul>
 *   <li>the gateway answers and closes within {@link #ANSWER_TIMEOUT}, with whole valid frames only;</li>
 *   <li>its first answer is the one {@link FirstAnswer} works out from the bytes: HELLO_OK for a
 *       valid HELLO, a NACK with the right code (and nothing after it), or silence when the bytes
 *       end inside the first frame;</li>
 *   <li>it sends only gateway frames, HELLO_OK only first, BYE and every NACK but UNKNOWN_FRAME_TYPE
 *       only last, and never
 *       STORE_UNAVAILABLE (whatever passes validation must be storable);</li>
 *   <li>no thread dies of an uncaught exception, every connection is closed and its permit returned,
 *       and afterwards a well-behaved device still connects and gets a reading acknowledged.</li>
 * </ul>
 */
class HandshakeFuzzIT {
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Three connections at most, so a leaked permit shows within two inputs as a refused health
     * check; a small payload limit, so "frame too large" is a short input; no limit on the rate of
     * new connections, which fuzzing opens by the thousand.
     */
    static final LimitsConfig LIMITS = new LimitsConfig(3, 1024, 64, Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(5), 3, 0).withHandshakeLimits(new HandshakeLimits(3, 0, 1, 32, 64));
    static final Set<FrameType> GATEWAY_FRAMES = Set.of(FrameType.CHALLENGE, FrameType.HELLO_OK, FrameType.ACK, FrameType.NACK,
            FrameType.PONG, FrameType.BYE);

    static {
        // Fuzzing refuses thousands of connections a minute, each with a WARN line; keep the fuzzer's
        // own statistics readable. Plain test runs keep the log.
        if (System.getenv("JAZZER_FUZZ") != null) {
            try {
                Configuration.set("level", "error");
            } catch (UnsupportedOperationException e) {
                // logging had already started in this JVM; it stays as configured
            }
        }
    }

    @TempDir
    static Path dir;
    static Store store;
    static Listener listener;
    static Thread.UncaughtExceptionHandler previousHandler;
    static final Queue<String> uncaught = new ConcurrentLinkedQueue<>();
    static final AtomicLong healthSeq = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(thread.getName() + ": " + e));
        // Commit at once rather than waiting for a batch to fill: every input waits for its ACKs.
        store = Store.open(StoreConfig.embedded(dir.resolve("store")),
                new WriterConfig(1, 1000, Duration.ZERO, 10_000, Duration.ofMillis(200)));
        // Any device id (the fuzzer cannot know a secret; AuthenticationIT covers the secrets), no TLS.
        listener = new Listener(new ListenerContext(new ListenConfig(InetAddress.getLoopbackAddress(), 0, 128), LIMITS,
                AuthConfig.open(), TlsConfig.DISABLED, store, false, Metrics.NONE));
        listener.start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            if (listener != null) {
                listener.close(Duration.ofSeconds(5));
            }
        } finally {
            if (store != null) {
                store.close(Duration.ofSeconds(5));
            }
            Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        }
    }

    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "2m")
    void firstFrames(byte[] input) throws Exception {
        // Jazzer's SSRF detector reports any connection it was not told about; its agent is only
        // installed once the fuzz test starts, so this cannot move to @BeforeAll.
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections((host, port) -> isLoopback(host))) {
            converseAndCheck(input);
        }
    }

    private static void converseAndCheck(byte[] input) throws Exception {
        Opening opening = Opening.of(input, LIMITS.maxPayloadBytes());
        Transcript transcript = RawConversation.run(listener.address(), opening, ANSWER_TIMEOUT);
        FirstAnswer expected = FirstAnswer.to(opening.bytes(), LIMITS.maxHelloBytes(), LIMITS.maxSensors());
        String context = "expected first " + expected + "; got " + transcript;

        assertTrue(transcript.ending() == Transcript.Ending.CLOSED || transcript.ending() == Transcript.Ending.RESET,
                "the gateway must answer in whole frames and close within " + ANSWER_TIMEOUT.toMillis() + " ms; " + context);
        List<Message> replies = transcript.replies();
        assertTrue(!replies.isEmpty() && replies.getFirst() instanceof Message.Challenge,
                "every connection opens with the gateway's CHALLENGE; " + context);
        replies = replies.subList(1, replies.size()); // what answers the client's bytes
        assertFirstAnswer(expected, replies, context);
        assertGatewayFramesInOrder(replies, context);
        awaitNoConnections();
        assertEquals(List.of(), List.copyOf(uncaught), "threads that died of an uncaught exception");

        gatewayStillServesAWellBehavedDevice();
    }

    private static void assertFirstAnswer(FirstAnswer expected, List<Message> replies, String context) {
        if (expected.equals(FirstAnswer.NONE)) {
            assertEquals(List.of(), replies, context);
        } else if (expected.helloOk()) {
            assertTrue(!replies.isEmpty() && replies.getFirst() instanceof Message.HelloOk, context);
        } else {
            assertTrue(!replies.isEmpty(), context);
            Message.Nack nack = assertInstanceOf(Message.Nack.class, replies.getFirst(), context);
            assertEquals(expected.nack(), nack.nackCode(), context);
            assertEquals(1, replies.size(), "a refused handshake ends the connection; " + context);
        }
    }

    private static void assertGatewayFramesInOrder(List<Message> replies, String context) {
        long lastAck = Long.MIN_VALUE;
        for (int i = 0; i < replies.size(); i++) {
            Message m = replies.get(i);
            boolean last = i == replies.size() - 1;
            assertTrue(GATEWAY_FRAMES.contains(m.type()), "the gateway sent " + m.type() + "; " + context);
            switch (m) {
                case Message.Challenge c -> fail("a second CHALLENGE; " + context);
                case Message.HelloOk ok -> assertEquals(0, i, "HELLO_OK only as the first answer; " + context);
                case Message.Nack n -> {
                    // An unknown type after the handshake is refused alone (its CRC was good, the
                    // stream is in step); every other refusal ends the connection.
                    assertTrue(last || (i > 0 && n.nackCode() == NackCode.UNKNOWN_FRAME_TYPE),
                            "nothing after a NACK that ends the connection; " + context);
                    assertTrue(n.nackCode() != NackCode.STORE_UNAVAILABLE,
                            "input that passed validation could not be stored; " + context);
                }
                case Message.Bye b -> assertTrue(last, "nothing after BYE; " + context);
                case Message.Ack a -> {
                    assertTrue(a.upToSeq() > lastAck, "ACKs rise; " + context);
                    lastAck = a.upToSeq();
                }
                default -> {
                }
            }
        }
    }

    /** Every connection's thread has finished: registry emptied, socket closed. */
    private static void awaitNoConnections() throws InterruptedException {
        Await.until("every connection closed after its client was answered (" + listener.connections() + " open at the start)",
                ANSWER_TIMEOUT, () -> listener.connections() == 0);
    }

    /** A device with a proper HELLO and one reading; fails on a refusal (a leaked permit shows here too). */
    private static void gatewayStillServesAWellBehavedDevice() throws Exception {
        try (TestDevice device = TestDevice.connect(listener.address(), "fuzz-health", 1)) {
            long seq = healthSeq.incrementAndGet();
            device.send(TestDevice.readings(seq, 1, "temperature"));
            assertEquals(seq, device.awaitAck(seq, ANSWER_TIMEOUT));
        }
        awaitNoConnections();
        assertTrue(store.healthy(), "the store reports itself unhealthy");
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
