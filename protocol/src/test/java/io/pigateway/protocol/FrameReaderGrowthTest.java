package io.pigateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The payload buffer grows with the bytes that arrive; limits that change after the handshake; the sensor cap. */
class FrameReaderGrowthTest {
    /** A frame far larger than the first chunk, so reading it takes several growth steps. */
    static final Message BIG = readings(120);

    static Message.Readings readings(int count) {
        List<Reading> list = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            list.add(new Reading(i, "sensor-" + (i % 7), 1000 + i, i * 0.5));
        }
        return new Message.Readings(list);
    }

    /** Records what a reader takes and gives back; refuses beyond {@code limit}. */
    static final class CountingBudget implements FrameReader.Budget {
        final long limit;
        long held;
        long peak;

        CountingBudget(long limit) {
            this.limit = limit;
        }

        @Override
        public void take(int bytes) throws IOException {
            assertTrue(bytes > 0, "takes a positive amount, not " + bytes);
            if (held + bytes > limit) {
                throw new ProtocolException(NackCode.OVERLOADED, "budget of " + limit + " bytes spent", 1000);
            }
            held += bytes;
            peak = Math.max(peak, held);
        }

        @Override
        public void give(int bytes) {
            held -= bytes;
        }
    }

    static byte[] header(FrameType type, long length) {
        return ByteBuffer.allocate(Frames.HEADER_BYTES).putShort((short) Frames.MAGIC).put((byte) Frames.VERSION)
                .put((byte) type.code()).putInt((int) length).array();
    }

    @Test
    void aFrameLargerThanTheFirstChunkSplitAtEveryByteDecodesAndGivesBackAllItTook() throws IOException {
        byte[] bytes = FrameReaderTest.concat(List.of(BIG, new Message.Ping(3), BIG));
        assertTrue(bytes.length > 8 * FrameReader.FIRST_CHUNK_BYTES, "frame of " + bytes.length + " bytes");
        for (int split = 0; split <= bytes.length; split++) {
            CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
            FrameReader reader = new FrameReader(new ChunkedInputStream(bytes, split, Integer.MAX_VALUE),
                    Frames.DEFAULT_MAX_PAYLOAD, 16, budget);
            assertEquals(BIG, reader.read(), "split at " + split);
            assertEquals(new Message.Ping(3), reader.read(), "split at " + split);
            assertEquals(BIG, reader.read(), "split at " + split);
            assertEquals(null, reader.read());
            assertEquals(0, budget.held, "split at " + split);
        }
    }

    @Test
    void aFrameArrivingInSmallPiecesDecodesWithABufferNeverMoreThanTwiceWhatArrived() throws IOException {
        byte[] frame = FrameWriter.encode(BIG);
        for (int chunk : new int[] {1, 3, 100, 511, 512, 513, 4096}) {
            CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
            FrameReader reader = new FrameReader(new ChunkedInputStream(frame, chunk), Frames.DEFAULT_MAX_PAYLOAD, 16, budget);
            assertEquals(BIG, reader.read(), "chunks of " + chunk);
            int body = frame.length - Frames.HEADER_BYTES;
            assertTrue(budget.peak <= Math.max(2L * body, FrameReader.FIRST_CHUNK_BYTES),
                    "chunks of " + chunk + ": peak buffer " + budget.peak + " for a " + body + "-byte body");
            assertEquals(0, budget.held);
        }
    }

    @Test
    void aHeaderDeclaringTheMaximumFollowedByAFewBytesCostsTheFirstChunkNotTheDeclaredLength() {
        byte[] start = ByteBuffer.allocate(Frames.HEADER_BYTES + 10).put(header(FrameType.READINGS, Frames.DEFAULT_MAX_PAYLOAD))
                .array();
        CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
        FrameReader reader = new FrameReader(new ByteArrayInputStream(start), Frames.DEFAULT_MAX_PAYLOAD, 16, budget);
        EOFException e = assertThrows(EOFException.class, reader::read);
        assertTrue(e.getMessage().contains("after 18 bytes, while reading the frame payload"), e.getMessage());
        assertEquals(FrameReader.FIRST_CHUNK_BYTES, budget.peak);
        assertEquals(0, budget.held);

        // The same on the allocation counter of the thread: no 256 KiB array behind the budget's back.
        FrameReader again = new FrameReader(new ByteArrayInputStream(start), Frames.DEFAULT_MAX_PAYLOAD);
        long before = AllocationBudget.allocatedSoFar();
        try {
            again.read();
            throw new AssertionError("a frame cut short was accepted");
        } catch (IOException expected) {
            long allocated = AllocationBudget.allocatedSoFar() - before;
            assertTrue(allocated < 32 * 1024, "a stalled 256 KiB frame allocated " + allocated + " bytes");
        }
    }

    @Test
    void aHeaderAloneTakesNothingFromTheBudget() {
        CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
        FrameReader reader = new FrameReader(new ByteArrayInputStream(header(FrameType.READINGS, Frames.DEFAULT_MAX_PAYLOAD)),
                Frames.DEFAULT_MAX_PAYLOAD, 16, budget);
        EOFException e = assertThrows(EOFException.class, reader::read);
        assertTrue(e.getMessage().contains("after 8 bytes, while reading the frame payload"), e.getMessage());
        assertEquals(0, budget.peak);
    }

    @Test
    void theCrcCutShortStillSaysItWasReadingTheCrc() {
        byte[] frame = FrameWriter.encode(BIG);
        byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 2);
        EOFException e = assertThrows(EOFException.class,
                () -> new FrameReader(new ChunkedInputStream(cut, 700), Frames.DEFAULT_MAX_PAYLOAD).read());
        assertTrue(e.getMessage().contains("after " + cut.length + " bytes, while reading the frame CRC"), e.getMessage());
    }

    @Test
    void aBudgetThatRefusesToGrowEndsTheFrameWithItsErrorAndGetsEverythingBack() throws IOException {
        byte[] frame = FrameWriter.encode(BIG);
        CountingBudget budget = new CountingBudget(2048);
        FrameReader reader = new FrameReader(new ChunkedInputStream(frame, 256), Frames.DEFAULT_MAX_PAYLOAD, 16, budget);
        ProtocolException e = assertThrows(ProtocolException.class, reader::read);
        assertEquals(NackCode.OVERLOADED, e.nackCode());
        assertEquals(1000, e.retryAfterMillis());
        assertEquals(0, budget.held);
        assertTrue(budget.peak <= 2048);

        // A small frame fits the same budget.
        FrameReader small = new FrameReader(new ByteArrayInputStream(FrameWriter.encode(new Message.Ping(1))),
                Frames.DEFAULT_MAX_PAYLOAD, 16, budget);
        assertEquals(new Message.Ping(1), small.read());
    }

    @Test
    void theLimitRaisedAfterTheHandshakeAppliesFromTheNextFrame() throws IOException {
        byte[] bytes = FrameReaderTest.concat(List.of(new Message.Ping(1), BIG));
        FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes), 1024, 16, FrameReader.Budget.UNLIMITED);
        assertEquals(new Message.Ping(1), reader.read());
        reader.maxPayloadBytes(Frames.DEFAULT_MAX_PAYLOAD);
        assertEquals(BIG, reader.read());

        FrameReader strict = new FrameReader(new ByteArrayInputStream(bytes), 1024, 16, FrameReader.Budget.UNLIMITED);
        strict.read();
        FrameTooLongException e = assertThrows(FrameTooLongException.class, strict::read);
        assertEquals(1024, e.max());
    }

    static List<SensorInfo> sensors(int n) {
        List<SensorInfo> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new SensorInfo("s" + i, "C", "temperature", false));
        }
        return list;
    }

    @Test
    void aHelloWithAsManySensorsAsAllowedIsAcceptedAndOneMoreIsRefusedWithItsOwnCode() throws IOException {
        Message.Hello ok = new Message.Hello("dev", 1, 2, sensors(16));
        assertEquals(ok, new FrameReader(new ByteArrayInputStream(FrameWriter.encode(ok)), 4096, 16,
                FrameReader.Budget.UNLIMITED).read());

        Message.Hello tooMany = new Message.Hello("dev", 1, 2, sensors(17));
        TooManySensorsException e = assertThrows(TooManySensorsException.class,
                () -> new FrameReader(new ByteArrayInputStream(FrameWriter.encode(tooMany)), 4096, 16,
                        FrameReader.Budget.UNLIMITED).read());
        assertEquals(NackCode.TOO_MANY_SENSORS, e.nackCode());
        assertEquals(17, e.count());
        assertEquals(16, e.max());
        assertTrue(e.getMessage().contains("17 sensors; at most 16"), e.getMessage());
    }

    /** The count alone refuses it: a HELLO claiming 65,535 sensors and carrying none is not malformed first. */
    @Test
    void theSensorCapIsCheckedFromTheCountBeforeAnySensorIsDecoded() {
        byte[] payload = ByteBuffer.allocate(2 + 2 + 1 + 8 + 8 + 2 + 2).putShort((short) 1).putShort((short) 1)
                .put((byte) 'd').putLong(0).putLong(1).putShort((short) 0).putShort((short) 0xFFFF).array();
        byte[] frame = ByteBuffer.allocate(Frames.HEADER_BYTES + payload.length + Frames.TRAILER_BYTES)
                .put(header(FrameType.HELLO, payload.length)).put(payload).array();
        FrameReaderTest.fixCrc(frame);
        TooManySensorsException e = assertThrows(TooManySensorsException.class,
                () -> new FrameReader(new ByteArrayInputStream(frame), 4096, 256, FrameReader.Budget.UNLIMITED).read());
        assertEquals(65535, e.count());
        assertSame(NackCode.TOO_MANY_SENSORS, NackCode.ofCode(22));
        assertSame(NackCode.OVERLOADED, NackCode.ofCode(23));
        assertTrue(NackCode.OVERLOADED.retryable());
    }

    /** A stream that says what is already readable (as a socket does) lets the buffer grow to it at once. */
    @Test
    void whatIsAlreadyReadableIsTakenInOneStepAfterTheFirstChunk() throws IOException {
        byte[] frame = FrameWriter.encode(BIG);
        CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
        assertEquals(BIG, new FrameReader(new ByteArrayInputStream(frame), Frames.DEFAULT_MAX_PAYLOAD, 16, budget).read());
        assertEquals(frame.length - Frames.HEADER_BYTES, budget.peak);
    }
}
