package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameType;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.SensorInfo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before HELLO_OK a client gets a HELLO-sized frame and a bounded sensor list, nothing more; after it,
 * the configured frame size. Each refusal has its own NACK, sent at once from the header or count.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelloLimitsIT {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final int MAX_SENSORS = 8;
    @TempDir
    static Path dir;
    static RunningGateway g;

    @BeforeAll
    static void start() throws Exception {
        // A handshake timeout far beyond WAIT: a refusal that came only from it would fail the tests.
        g = RunningGateway.start(dir, c -> c.withLimits(c.limits().withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30))
                .withMemory(1024, MAX_SENSORS, LimitsConfig.DEFAULT_CONNECTION_MEMORY_PERCENT)));
    }

    @AfterAll
    static void stop() {
        g.close();
    }

    static List<SensorInfo> sensors(int n) {
        List<SensorInfo> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new SensorInfo("s" + i, "C", "temperature", false));
        }
        return list;
    }

    @Test
    void aHeaderDeclaringALargeFrameBeforeHelloIsRefusedAtOnceWithoutWaitingForItsPayload() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.sendRaw(ByteBuffer.allocate(Frames.HEADER_BYTES).putShort((short) Frames.MAGIC).put((byte) Frames.VERSION)
                    .put((byte) FrameType.HELLO.code()).putInt(Frames.DEFAULT_MAX_PAYLOAD).array());
            Message.Nack n = d.awaitNack(WAIT);
            assertEquals(NackCode.FRAME_TOO_LARGE, n.nackCode(), n.reason());
            assertTrue(n.reason().contains("262144") && n.reason().contains("1024"), n.reason());
        }
        g.assertGoodDeviceServed(AuthenticationIT.loopback(2), null);
    }

    @Test
    void aHelloWithMoreSensorsThanAllowedIsRefusedWithTooManySensors() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(new Message.Hello("many", 0, 1, sensors(MAX_SENSORS + 1)));
            Message.Nack n = d.awaitNack(WAIT);
            assertEquals(NackCode.TOO_MANY_SENSORS, n.nackCode(), n.reason());
            assertTrue(n.reason().contains((MAX_SENSORS + 1) + " sensors; at most " + MAX_SENSORS), n.reason());
        }
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(new Message.Hello("enough", 0, 1, sensors(MAX_SENSORS)));
            assertInstanceOf(Message.HelloOk.class, d.next());
        }
    }

    @Test
    void afterTheHandshakeFramesUpToTheConfiguredMaximumAreAccepted() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "big-frames", 7)) {
            Message.Readings big = TestDevice.readings(1, 2000, "temperature"); // about 52 KB, far above 1 KiB
            assertTrue(FrameWriter.encode(big).length > 50 * 1024);
            d.send(big);
            assertEquals(2000, d.awaitAck(2000, Duration.ofSeconds(15)));
        }
        assertEquals(2000, g.rows("big-frames"));
    }
}
