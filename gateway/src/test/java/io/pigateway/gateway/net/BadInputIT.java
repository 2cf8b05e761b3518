package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.Reading;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad input gets a NACK whose code and reason say what was wrong, while a well-behaved
 * device on the same gateway keeps getting its readings committed, and readings acknowledged before
 * the bad input stay.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputIT {
    static final Duration WAIT = Duration.ofSeconds(15);
    @TempDir
    static Path dir;
    @AutoClose
    static RunningGateway g;

    @BeforeAll
    static void start() throws Exception {
        g = RunningGateway.start(dir);
    }

    /** Before and after each bad input, a device gets readings acknowledged, and they are all still there. */
    @BeforeEach
    @AfterEach
    void goodDeviceStillServed() throws Exception {
        g.assertGoodDeviceServed(null, null);
    }

    static Message.Nack nackFor(TestDevice d) throws Exception {
        Message.Nack n = d.awaitNack(WAIT);
        return n;
    }

    static void assertNack(Message.Nack n, NackCode code, String reasonPart) {
        assertEquals(code, n.nackCode(), n.reason());
        assertTrue(n.reason().contains(reasonPart), "reason '" + n.reason() + "' should contain '" + reasonPart + "'");
    }

    static byte[] withCrc(ByteBuffer frameWithoutCrc) {
        byte[] body = java.util.Arrays.copyOf(frameWithoutCrc.array(), frameWithoutCrc.position());
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }

    @Test
    void readingsBeforeHelloAreRefusedAsHandshakeRequired() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(TestDevice.readings(1, 5, "t"));
            assertNack(nackFor(d), NackCode.HANDSHAKE_REQUIRED, "expected HELLO as the first frame, got READINGS");
            assertTrue(d.closedByGateway(WAIT));
        }
    }

    @Test
    void aBadCrcIsAMalformedFrameWithBothChecksums() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "crc", 3)) {
            byte[] frame = FrameWriter.encode(TestDevice.readings(1, 5, "t"));
            frame[frame.length - 1] ^= 0x01;
            d.sendRaw(frame);
            Message.Nack n = nackFor(d);
            assertNack(n, NackCode.MALFORMED_FRAME, "CRC32C mismatch");
            assertTrue(n.reason().contains("frame says 0x"), n.reason());
            assertTrue(d.closedByGateway(WAIT));
        }
        assertEquals(0, g.rows("crc"));
    }

    @Test
    void aFrameClaimingTwoGigabytesIsRefusedWithTheLengthAndTheLimit() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "huge", 3)) {
            d.sendRaw(ByteBuffer.allocate(8).putShort((short) Frames.MAGIC).put((byte) 1).put((byte) 3)
                    .putInt(Integer.MAX_VALUE).array());
            assertNack(nackFor(d), NackCode.FRAME_TOO_LARGE, "2147483647 bytes exceeds the maximum of 262144 bytes");
            assertTrue(d.closedByGateway(WAIT));
        }
    }

    @Test
    void garbageBytesAreAMalformedFrame() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.sendRaw("GET / HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertNack(nackFor(d), NackCode.MALFORMED_FRAME, "bad frame magic 0x4745");
            assertTrue(d.closedByGateway(WAIT));
        }
    }

    @Test
    void anUnknownFrameTypeIsRefusedAndTheConnectionGoesOn() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "future", 3)) {
            ByteBuffer b = ByteBuffer.allocate(8).putShort((short) Frames.MAGIC).put((byte) 1).put((byte) 0x63).putInt(0);
            d.sendRaw(withCrc(b));
            assertNack(nackFor(d), NackCode.UNKNOWN_FRAME_TYPE, "unknown frame type 0x63");
            d.sendRange(1, 10, 10);
            assertEquals(10, d.awaitAck(10, WAIT));
        }
        assertEquals(10, g.rows("future"));
    }

    @Test
    void aNanValueIsRefusedNamingTheSeqAndSensorAndNothingOfTheFrameIsStored() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "nan", 3)) {
            d.sendRange(1, 10, 10);
            d.awaitAck(10, WAIT);
            d.send(new Message.Readings(List.of(new Reading(11, "t", 1, 1.0), new Reading(12, "humidity", 2, Double.NaN))));
            assertNack(nackFor(d), NackCode.INVALID_READING, "reading seq 12 (sensor humidity) has value NaN");
            assertTrue(d.closedByGateway(WAIT));
        }
        assertEquals(10, g.rows("nan"), "the acknowledged readings stay; the refused frame adds nothing");
    }

    @Test
    void aReadingOfASensorHelloDidNotAnnounceIsRefusedNamingItAndNothingOfTheFrameIsStored() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "unannounced", 3)) {
            d.sendRange(1, 10, 10);
            d.awaitAck(10, WAIT);
            d.send(new Message.Readings(List.of(new Reading(11, "t", 1, 1.0), new Reading(12, "pressure", 2, 1013.0))));
            assertNack(nackFor(d), NackCode.INVALID_READING, "reading seq 12: sensor pressure was not announced in HELLO");
            assertTrue(d.closedByGateway(WAIT));
        }
        assertEquals(10, g.rows("unannounced"), "the acknowledged readings stay; the refused frame adds nothing");
        assertEquals(0, TestStores.shared().queryLong(g.store, "SELECT COUNT(*) FROM readings WHERE sensor = 'pressure'"));
    }

    @Test
    void aSensorNameOutsideTheBmpIsRefusedNamingTheCodePointNotASurrogate() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "emoji", 3)) {
            d.send(TestDevice.readings(1, 1, "temp\uD83C\uDF21"));
            assertNack(nackFor(d), NackCode.INVALID_READING, "sensor name contains character U+1F321 at index 4");
        }
    }

    @Test
    void invalidUtf8InTheDeviceIdIsAMalformedFrameNamingTheOffsetAndBytes() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            byte[] frame = FrameWriter.encode(new Message.Hello("pi-1", 0, 1));
            frame[13] = (byte) 0xC3; // device id byte 1: a lead byte followed by no continuation byte
            frame[14] = (byte) 0x28;
            byte[] fixed = withCrc(ByteBuffer.wrap(java.util.Arrays.copyOf(frame, frame.length - 4))
                    .position(frame.length - 4));
            d.sendRaw(fixed);
            assertNack(nackFor(d), NackCode.MALFORMED_FRAME, "device id is not valid UTF-8 at byte 1 of 4 (0xC3 0x28 0x31)");
        }
    }

    @Test
    void sequenceNumbersThatDoNotRiseAreRefused() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "seq", 3)) {
            d.sendRange(1, 10, 10);
            d.send(TestDevice.readings(5, 3, "t"));
            Message.Nack n = nackFor(d);
            assertNack(n, NackCode.SEQUENCE_ERROR, "reading seq 5 follows seq 10");
            assertEquals(10, d.lastAck(), "the good frame before was acknowledged before the NACK");
        }
        assertEquals(10, g.rows("seq"));
    }

    @Test
    void anInvalidDeviceIdIsRefusedNamingTheCharacter() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(new Message.Hello("pi'; DROP TABLE readings; --", 0, 1));
            assertNack(nackFor(d), NackCode.HELLO_REFUSED, "device id contains character U+0027 at index 2");
        }
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(new Message.Hello("x".repeat(10_000), 0, 1));
            assertNack(nackFor(d), NackCode.HELLO_REFUSED, "10000 characters long; at most 64");
        }
    }

    @Test
    void aHelloAnnouncingAnInvalidSensorIsRefusedNamingIt() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(new Message.Hello("sensors", 0, 1, List.of(new io.pigateway.protocol.SensorInfo("air temp", "°C", "x", false))));
            assertNack(nackFor(d), NackCode.HELLO_REFUSED, "sensor name contains character U+0020 at index 3");
        }
    }

    @Test
    void aSecondHelloIsAnUnexpectedFrame() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "again", 3)) {
            d.send(new Message.Hello("again", 0, 3));
            assertNack(nackFor(d), NackCode.UNEXPECTED_FRAME, "HELLO is not expected");
        }
    }

    @Test
    void anUnsupportedProtocolVersionInHelloIsRefused() throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(new Message.Hello(2, "v2", 0, 1, new byte[0]));
            assertNack(nackFor(d), NackCode.UNSUPPORTED_VERSION, "client speaks protocol version 2; this gateway speaks 1");
        }
    }

    @Test
    void moreReadingsInOneFrameThanTheLimitAreRefusedWithBothNumbers() throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), "big", 3)) {
            d.send(TestDevice.readings(1, 5000, "t"));
            assertNack(nackFor(d), NackCode.TOO_MANY_READINGS, "holds 5000 readings; this gateway accepts at most 4096");
        }
    }
}
