package io.pigateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameReaderTest {

    static final List<Message> STREAM = List.of(
            new Message.Hello("dev-1", 123L, 77L),
            new Message.Readings(List.of(new Reading(1, "temperature", 10, 20.25), new Reading(2, "door", 11, 0))),
            new Message.Ping(9),
            new Message.Readings(List.of(new Reading(3, "humidity", 12, 55.5))),
            new Message.Bye());

    static byte[] concat(List<Message> messages) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out);
        for (Message m : messages) {
            writer.write(m);
        }
        return out.toByteArray();
    }

    static List<Message> readAll(InputStream in) throws IOException {
        FrameReader reader = new FrameReader(in, Frames.DEFAULT_MAX_PAYLOAD);
        List<Message> out = new ArrayList<>();
        for (Message m; (m = reader.read()) != null; ) {
            out.add(m);
        }
        return out;
    }

    @Test
    void aValidStreamSplitAtEveryByteBoundaryDecodesToTheSameMessages() throws IOException {
        byte[] bytes = concat(STREAM);
        for (int split = 0; split <= bytes.length; split++) {
            assertEquals(STREAM, readAll(new ChunkedInputStream(bytes, split, Integer.MAX_VALUE)), "split at " + split);
        }
    }

    @Test
    void aValidStreamDeliveredOneByteAtATimeDecodes() throws IOException {
        assertEquals(STREAM, readAll(new ChunkedInputStream(concat(STREAM), 0, 1)));
    }

    @Test
    void aStreamCutAtAnyByteInsideAFrameIsAnEofThatSaysWhere() throws IOException {
        byte[] bytes = concat(List.of(new Message.Ack(5)));
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] prefix = java.util.Arrays.copyOf(bytes, cut);
            EOFException e = assertThrows(EOFException.class, () -> readAll(new ByteArrayInputStream(prefix)));
            assertTrue(e.getMessage().contains("after " + cut + " bytes"), e.getMessage());
        }
    }

    @Test
    void aLengthAboveTheMaximumIsRefusedBeforeAllocatingWithBothNumbers() {
        // Header only: 2 GiB claimed. If the reader allocated first, this would throw OutOfMemoryError.
        byte[] header = ByteBuffer.allocate(8).putShort((short) Frames.MAGIC).put((byte) 1).put((byte) 3)
                .putInt(Integer.MAX_VALUE).array();
        FrameTooLongException e = assertThrows(FrameTooLongException.class,
                () -> new FrameReader(new ByteArrayInputStream(header), 1024).read());
        assertEquals(Integer.MAX_VALUE, e.length());
        assertEquals(1024, e.max());
        assertTrue(e.getMessage().contains("2147483647") && e.getMessage().contains("1024"), e.getMessage());
        assertEquals(NackCode.FRAME_TOO_LARGE, e.nackCode());
    }

    @Test
    void aFrameExactlyAtTheMaximumIsAccepted() throws IOException {
        byte[] frame = FrameWriter.encode(new Message.Ping(1));
        assertEquals(new Message.Ping(1), new FrameReader(new ByteArrayInputStream(frame), 8).read());
        assertThrows(FrameTooLongException.class, () -> new FrameReader(new ByteArrayInputStream(frame), 7).read());
    }

    @Test
    void aFlippedBitAnywhereInAFrameIsDetected() {
        byte[] frame = FrameWriter.encode(new Message.Readings(List.of(new Reading(1, "t", 2, 3.0))));
        for (int i = 0; i < frame.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] copy = frame.clone();
                copy[i] ^= (byte) (1 << bit);
                int at = i;
                IOException e = assertThrows(IOException.class,
                        () -> new FrameReader(new ByteArrayInputStream(copy), Frames.DEFAULT_MAX_PAYLOAD).read(),
                        "flip at byte " + at + " bit " + bit);
                assertInstanceOf(IOException.class, e);
            }
        }
    }

    @Test
    void garbageBytesAreACorruptFrameNotATooLongFrame() {
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CorruptFrameException e = assertThrows(CorruptFrameException.class,
                () -> new FrameReader(new ByteArrayInputStream(http), Frames.DEFAULT_MAX_PAYLOAD).read());
        assertEquals(NackCode.MALFORMED_FRAME, e.nackCode());
    }

    @Test
    void nonUtf8DeviceIdIsMalformedNamingTheOffsetAndTheBytes() {
        byte[] frame = FrameWriter.encode(new Message.Hello("abcd", 0, 1));
        // device id bytes start after u16 version and u16 length: payload offset 4 → frame offset 12.
        frame[13] = (byte) 0xC3; // a two-byte sequence whose second byte is not a continuation byte
        frame[14] = (byte) 0x28;
        fixCrc(frame);
        CorruptFrameException e = assertThrows(CorruptFrameException.class,
                () -> new FrameReader(new ByteArrayInputStream(frame), Frames.DEFAULT_MAX_PAYLOAD).read());
        assertEquals(NackCode.MALFORMED_FRAME, e.nackCode());
        assertEquals("device id is not valid UTF-8 at byte 1 of 4 (0xC3 0x28 0x64)", e.getMessage());
    }

    @Test
    void aSurrogateEncodedInUtf8IsMalformedNamingItsBytes() {
        byte[] frame = FrameWriter.encode(new Message.Hello("abc", 0, 1));
        frame[12] = (byte) 0xED; // U+D800 in the UTF-8 form that UTF-8 forbids (CESU-8)
        frame[13] = (byte) 0xA0;
        frame[14] = (byte) 0x80;
        fixCrc(frame);
        CorruptFrameException e = assertThrows(CorruptFrameException.class,
                () -> new FrameReader(new ByteArrayInputStream(frame), Frames.DEFAULT_MAX_PAYLOAD).read());
        assertEquals("device id is not valid UTF-8 at byte 0 of 3 (0xED 0xA0 0x80)", e.getMessage());
    }

    @Test
    void aLongNackReasonIsCutToTheLimitWithoutSplittingACharacter() throws IOException {
        String reason = "é".repeat(2000);
        Message.Nack nack = new Message.Nack(NackCode.INVALID_READING, reason);
        assertTrue(nack.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 1024);
        assertTrue(nack.reason().chars().allMatch(c -> c == 'é'));
        assertEquals(nack, new FrameReader(new ByteArrayInputStream(FrameWriter.encode(nack)), 4096).read());
    }

    /** Found by FrameReaderFuzzTest: the credentials array was allocated at its claimed length first. */
    @Test
    void aHelloClaimingMoreCredentialBytesThanItCarriesIsMalformedWithoutAllocatingThem() throws IOException {
        // HELLO payload: version 1, device id "d", clock 0, stream 1, then a credentials length of 65535 and no more.
        byte[] payload = ByteBuffer.allocate(23).putShort((short) 1).putShort((short) 1).put((byte) 'd')
                .putLong(0).putLong(1).putShort((short) 0xFFFF).array();
        assertMalformedWithoutAllocating(FrameType.HELLO, payload, "a HELLO with missing credentials",
                "HELLO credentials length 65535 exceeds the 0 bytes left");
    }

    /** Found by PayloadsFuzzTest: the sensor-name table was allocated at its claimed size first. */
    @Test
    void aReadingsFrameClaimingMoreSensorNamesThanItCarriesIsMalformedWithoutAllocatingTheTable() throws IOException {
        byte[] payload = {(byte) 0xFF, (byte) 0xFF, 0, 1, 't'}; // 65,535 names announced, one short name present
        assertMalformedWithoutAllocating(FrameType.READINGS, payload, "a READINGS frame with missing sensor names",
                "declares 65535 sensor names but only 3 bytes follow");
    }

    /**
     * A frame of this type around {@code payload} is refused as corrupt with a message containing {@code reason},
     * having allocated less than 32 KiB while reading it (so nothing was sized by the payload's claims).
     */
    private static void assertMalformedWithoutAllocating(FrameType type, byte[] payload, String what, String reason)
            throws IOException {
        byte[] frame = ByteBuffer.allocate(8 + payload.length + 4).putShort((short) Frames.MAGIC).put((byte) 1)
                .put((byte) type.code()).putInt(payload.length).put(payload).array();
        fixCrc(frame);
        assertThrows(CorruptFrameException.class, () -> readAll(new ByteArrayInputStream(frame))); // loads the classes

        FrameReader reader = new FrameReader(new ByteArrayInputStream(frame), Frames.DEFAULT_MAX_PAYLOAD);
        long before = AllocationBudget.allocatedSoFar();
        long allocated;
        try {
            reader.read(); // no assertThrows here: bootstrapping its lambda would be counted too
            throw new AssertionError(what + " was accepted");
        } catch (CorruptFrameException e) {
            allocated = AllocationBudget.allocatedSoFar() - before;
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        }
        assertTrue(allocated < 32 * 1024, "reading a " + frame.length + "-byte frame allocated " + allocated + " bytes");
    }

    @Test
    void emptyInputIsACleanEnd() throws IOException {
        assertNull(new FrameReader(new ByteArrayInputStream(new byte[0]), 16).read());
    }

    static void fixCrc(byte[] frame) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame, 0, frame.length - 4);
        ByteBuffer.wrap(frame).putInt(frame.length - 4, (int) crc.getValue());
    }
}
