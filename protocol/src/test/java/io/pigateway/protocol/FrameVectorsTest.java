package io.pigateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

class FrameVectorsTest {

    /** The message each valid vector must decode to. */
    static final Map<String, Message> EXPECTED = Map.ofEntries(
            Map.entry("hello", new Message.Hello(1, "pi-kitchen", 1_700_000_000_000L, 0x0123456789abcdefL, new byte[0])),
            Map.entry("hello-with-credentials", new Message.Hello(1, "d1", 0L, -1L, new byte[] {1, 2, 3})),
            Map.entry("hello-with-sensors", new Message.Hello("d2", 5L, 6L, List.of(
                    new SensorInfo("t", "°C", "bme280.temperature", false),
                    new SensorInfo("door", "", "simulated.toggle", true)))),
            Map.entry("hello-ok", new Message.HelloOk(1_700_000_000_123L, 262_144, 4096)),
            Map.entry("readings-one", new Message.Readings(List.of(new Reading(1, "temp", 1_700_000_000_000L, 21.5)))),
            Map.entry("readings-two-sensors", new Message.Readings(List.of(
                    new Reading(7, "temp", 1000L, -3.25),
                    new Reading(8, "door", 1001L, 1.0),
                    new Reading(9, "temp", 1002L, -3.5)))),
            Map.entry("ack", new Message.Ack(42)),
            Map.entry("nack", new Message.Nack(NackCode.STORE_UNAVAILABLE, 5000, "database unreachable")),
            Map.entry("ping", new Message.Ping(1)),
            Map.entry("pong", new Message.Pong(-2)),
            Map.entry("challenge", new Message.Challenge(nonce0to31())),
            Map.entry("bye", new Message.Bye()));

    record Vector(String name, String expectedError, byte[] bytes) {
    }

    static List<Vector> vectors() throws IOException {
        List<Vector> out = new ArrayList<>();
        try (InputStream in = FrameVectorsTest.class.getResourceAsStream("/frame-vectors.txt")) {
            assertNotNull(in, "frame-vectors.txt on the test classpath");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                String[] name = parts[0].split(":");
                out.add(new Vector(name[0], name.length > 1 ? name[1] : null, HexFormat.of().parseHex(parts[1])));
            }
        }
        return out;
    }

    static Message decode(byte[] frame) throws IOException {
        return new FrameReader(new ByteArrayInputStream(frame), Frames.DEFAULT_MAX_PAYLOAD).read();
    }

    @TestFactory
    Stream<DynamicTest> everyValidVectorDecodesToItsMessageAndEncodesBackToTheSameBytes() throws IOException {
        return vectors().stream().filter(v -> v.expectedError() == null).map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            Message expected = EXPECTED.get(v.name());
            assertNotNull(expected, "no expected message for vector " + v.name());
            assertEquals(expected, decode(v.bytes()));
            assertArrayEquals(v.bytes(), FrameWriter.encode(expected));
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyInvalidVectorFailsWithItsOwnError() throws IOException {
        return vectors().stream().filter(v -> v.expectedError() != null).map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            IOException e = assertThrows(IOException.class, () -> decode(v.bytes()));
            assertEquals(v.expectedError(), e.getClass().getSimpleName(), e.getMessage());
        }));
    }

    @Test
    void everyValidVectorIsCovered() throws IOException {
        long valid = vectors().stream().filter(v -> v.expectedError() == null).count();
        assertEquals(EXPECTED.size(), valid);
        assertTrue(vectors().stream().anyMatch(v -> "too-long-2GiB".equals(v.name())));
    }

    @Test
    void streamEndingBetweenFramesIsACleanEnd() throws IOException {
        assertNull(decode(new byte[0]));
    }

    private static byte[] nonce0to31() {
        byte[] n = new byte[32];
        for (int i = 0; i < n.length; i++) {
            n[i] = (byte) i;
        }
        return n;
    }
}
