package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that try to wear the gateway down: trickling bytes, opening a thousand connections, sending
 * faster than the rate limit. Each is refused with its own NACK code, and a well-behaved device on the
 * same gateway gets every reading committed and acknowledged after each.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileClientIT {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    static final int PER_ADDRESS = 20;
    static final int RATE = 1000;
    static final InetAddress GOOD_HOST = AuthenticationIT.loopback(2);
    @TempDir
    static Path dir;
    @AutoClose
    static RunningGateway g;

    @BeforeAll
    static void start() throws Exception {
        g = RunningGateway.start(dir, c -> c.withLimits(c.limits().withTimeouts(HANDSHAKE_TIMEOUT, IDLE_TIMEOUT)
                .withMaxConnectionsPerAddress(PER_ADDRESS).withMaxReadingsPerSecond(RATE)));
    }

    @AfterEach
    void goodDeviceStillServed() throws Exception {
        g.assertGoodDeviceServed(GOOD_HOST, null);
    }

    static byte[] frame(Message m) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new FrameWriter(bytes).write(m);
        return bytes.toByteArray();
    }

    /** Sends {@code bytes} one every {@code pause}, until done or the gateway closes; returns the time taken. */
    static long trickle(TestDevice d, byte[] bytes, Duration pause) throws Exception {
        long started = System.nanoTime();
        try {
            for (byte b : bytes) {
                d.sendRaw(new byte[] {b});
                Thread.sleep(pause.toMillis());
            }
        } catch (java.io.IOException e) {
            // the gateway closed the connection: what we wanted to see
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void aHelloTrickledAByteAtATimeIsCutOffAtTheHandshakeTimeout() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            // 45 bytes at 200 ms each would take 9 s
            assertTrickleCutOff(d, frame(new Message.Hello("slow", System.currentTimeMillis(), 3)), Duration.ofMillis(200),
                    NackCode.TIMEOUT, "handshake timeout of 1000 ms", 2500);
        }
    }

    @Test
    void aFrameTrickledAfterTheHandshakeIsCutOffAtTheIdleTimeout() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "slow-after-hello", 4)) {
            // 300 bytes at 100 ms each would take 30 s
            assertTrickleCutOff(d, frame(TestDevice.readings(1, 10, "t")), Duration.ofMillis(100),
                    NackCode.IDLE_TIMEOUT, "idle timeout of 2000 ms", 3500);
        }
    }

    /** Trickles {@code bytes} in the background; the gateway must say TIMEOUT ({@code why}) within {@code maxMillis}. */
    static void assertTrickleCutOff(TestDevice d, byte[] bytes, Duration pause, NackCode code, String why, long maxMillis)
            throws Exception {
        long started = System.nanoTime();
        Thread.ofVirtual().start(() -> {
            try {
                trickle(d, bytes, pause);
            } catch (Exception e) {
                // ends when the socket is closed
            }
        });
        Message.Nack n = d.awaitNack(WAIT);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(code, n.nackCode(), n.reason());
        assertTrue(n.reason().contains(why), n.reason());
        assertTrue(tookMillis < maxMillis, "cut off after " + tookMillis + " ms");
    }

    @Test
    void aThousandConnectionsFromOneAddressGetOnlyTheirShare() throws Exception {
        InetAddress flooder = AuthenticationIT.loopback(20);
        List<TestDevice> open = new ArrayList<>();
        try {
            // The first 30, opened within a few ms: exactly the allowed 20 get a CHALLENGE.
            for (int i = 0; i < PER_ADDRESS + 10; i++) {
                open.add(TestDevice.openFrom(flooder, g.address()));
            }
            int challenged = 0;
            for (TestDevice d : open) {
                Message first = d.firstFrame();
                if (first instanceof Message.Nack n) {
                    assertEquals(NackCode.TOO_MANY_CONNECTIONS_FROM_ADDRESS, n.nackCode(), n.reason());
                    assertTrue(n.reason().contains("maximum of " + PER_ADDRESS + " connections from 127.0.0.20"), n.reason());
                } else {
                    assertInstanceOf(Message.Challenge.class, first);
                    challenged++;
                }
            }
            assertEquals(PER_ADDRESS, challenged);
            // 970 more: each is challenged (once a slot frees at the handshake timeout) or refused, nothing else.
            for (int i = open.size(); i < 1000; i++) {
                open.add(TestDevice.openFrom(flooder, g.address()));
            }
            for (TestDevice d : open.subList(PER_ADDRESS + 10, open.size())) {
                Message first = d.firstFrame();
                if (first instanceof Message.Nack n) {
                    assertEquals(NackCode.TOO_MANY_CONNECTIONS_FROM_ADDRESS, n.nackCode(), n.reason());
                } else {
                    assertInstanceOf(Message.Challenge.class, first);
                }
            }
            g.assertGoodDeviceServed(GOOD_HOST, null); // meanwhile another host is served
        } finally {
            for (TestDevice d : open) {
                d.close();
            }
        }
        // With its connections closed, the address is welcome again.
        Thread.sleep(200);
        try (TestDevice d = TestDevice.connectFrom(flooder, g.address(), "back-again", 1, null)) {
            d.sendRange(1, 10, 10);
            assertEquals(10, d.awaitAck(10, WAIT));
        }
    }

    @Test
    void aDeviceCatchingUpABacklogFasterThanTheRateLimitIsSlowedNotDisconnected() throws Exception {
        // Burst: max(2 × 1000, 4096 readings per frame) = 4096 readings at once, then 1000 a second. The
        // second frame of 4000 waits 3.9 s for the bucket, longer than the idle timeout of 2 s.
        long started = System.nanoTime();
        long bucketEmptied;
        try (TestDevice d = TestDevice.connect(g.address(), "backlog", 5)) {
            d.sendRange(1, 8000, 4000);
            assertEquals(8000, d.awaitAck(8000, WAIT), "every reading acknowledged, no NACK");
            bucketEmptied = System.nanoTime(); // the last frame took what the bucket had, a little before its ACK
            long millis = (bucketEmptied - started) / 1_000_000;
            assertTrue(millis >= 3500 && millis < 10_000, "(8000 - 4096) readings at 1000/s took " + millis + " ms");
            d.send(new Message.Ping(42)); // the connection is still there
            assertTrue(pongFor(d, 42), "a PONG on the same connection");
        }
        // Reconnecting does not refill the bucket: the next 1000 readings wait for what it has not regained
        // since it was emptied (a fresh bucket would take them at once). The time the reconnect itself took
        // counts as regained, so a slow machine cannot make this fail.
        started = System.nanoTime();
        try (TestDevice d = TestDevice.connect(g.address(), "backlog", 5)) {
            d.sendRange(8001, 9000, 500);
            assertEquals(9000, d.awaitAck(9000, WAIT));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long regained = (started - bucketEmptied) / 1_000_000;
        assertTrue(millis + regained >= 700, "1000 readings after reconnecting took " + millis + " ms, "
                + regained + " ms after the bucket was emptied");
        assertEquals(9000, g.rows("backlog"), "every reading stored");
        assertEquals(9000, TestStores.shared().queryLong(g.store,
                "SELECT COUNT(DISTINCT seq) FROM readings WHERE device_id = 'backlog'"), "each once");
    }

    /** Reads until the PONG for {@code nonce}; ACKs and the gateway's own PINGs on the way are skipped. */
    private static boolean pongFor(TestDevice d, long nonce) throws Exception {
        for (Message m = d.next(); m != null; m = d.next()) {
            if (m instanceof Message.Pong p && p.nonce() == nonce) {
                return true;
            }
            assertTrue(m instanceof Message.Ack || m instanceof Message.Ping, "got " + m);
        }
        return false;
    }

    @Test
    void aFrameClaimingTwoGigabytesIsRefusedBeforeAnythingIsAllocated() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "liar", 6)) {
            d.sendRaw(new byte[] {'P', 'G', Frames.VERSION, 0x03, (byte) 0x80, 0, 0, 0});
            Message.Nack n = d.awaitNack(WAIT);
            assertEquals(NackCode.FRAME_TOO_LARGE, n.nackCode(), n.reason());
            assertTrue(n.reason().contains("2147483648"), n.reason());
        }
    }
}
