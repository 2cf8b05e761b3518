package io.pigateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: arbitrary bytes as the stream a receiver reads, frame by frame, the way the gateway
 * reads a connection (it goes on after an unknown frame type and stops at any other error). As a
 * plain test it runs over the seed corpus in {@code FrameReaderFuzzTestInputs/arbitraryBytes/};
 * with {@code JAZZER_FUZZ=1} Jazzer generates inputs (docs/FUZZING.md).
 *
 * <p>For every input:
 * <ul>
 *   <li>each read ends in a message, a clean end, an {@link EOFException} or a {@link ProtocolException},
 *       never in anything else, and the outcome agrees with the bytes (a clean end only between frames,
 *       "too long" only for a length field above the maximum, EOF only when the frame runs past the end);</li>
 *   <li>a decoded message encodes to a frame within the same maximum that decodes to an equal message;</li>
 *   <li>a read allocates no more than {@link AllocationBudget} allows for the bytes that frame can
 *       actually use, whatever its length field or counts claim;</li>
 *   <li>reading ends: never more frames than the bytes can hold, and each input within the timeout.</li>
 * </ul>
 */
class FrameReaderFuzzTest {
    /** Small, so frames at and just above the limit are short inputs the fuzzer reaches easily. */
    static final int MAX_PAYLOAD = 1024;
    static final int MIN_FRAME_BYTES = Frames.HEADER_BYTES + Frames.TRAILER_BYTES;
    /** The stream hands out at most this many bytes per read, so partial reads happen everywhere. */
    static final int CHUNK = 3;

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "2m")
    void arbitraryBytes(byte[] data) throws IOException {
        List<String> overBudget = readEveryFrame(data);
        if (!overBudget.isEmpty()) {
            // The first pass may have loaded (and instrumented) classes on this thread: count again.
            overBudget = readEveryFrame(data);
        }
        assertEquals(List.of(), overBudget, "reads that allocated more than their budget");
    }

    /** One read's outcome: a message (null at a clean end) or the error it ended in. */
    private record Read(Message message, IOException error) {
    }

    /** The fixed part of a frame that starts at {@code start}, or null if fewer than 8 bytes are left. */
    private record Header(int type, long length) {
        static Header at(byte[] data, int start) {
            if (data.length - start < Frames.HEADER_BYTES) {
                return null;
            }
            long length = ((data[start + 4] & 0xFFL) << 24) | ((data[start + 5] & 0xFF) << 16)
                    | ((data[start + 6] & 0xFF) << 8) | (data[start + 7] & 0xFF);
            return new Header(data[start + 3] & 0xFF, length);
        }

        long frameBytes() {
            return MIN_FRAME_BYTES + length;
        }
    }

    /** Reads until the stream ends or fails; returns a line for every read that went over its budget. */
    private static List<String> readEveryFrame(byte[] data) throws IOException {
        FrameReader reader = new FrameReader(new ChunkedInputStream(data, CHUNK), MAX_PAYLOAD);
        List<String> overBudget = new ArrayList<>();
        int start = 0;
        for (int frame = 0; ; frame++) {
            assertTrue(frame <= data.length / MIN_FRAME_BYTES, "read " + frame + " frames from " + data.length + " bytes");
            Header header = Header.at(data, start);
            long usable = header == null ? data.length - start : Math.min(data.length - start, header.frameBytes());
            long budget = AllocationBudget.forInput(usable);

            long before = AllocationBudget.allocatedSoFar();
            Read read = readOne(reader);
            long allocated = AllocationBudget.allocatedSoFar() - before;
            if (allocated > budget) {
                overBudget.add("frame " + frame + " at offset " + start + " (" + usable + " bytes usable, ended in "
                        + (read.error() != null ? read.error() : read.message() == null ? "end" : read.message().type())
                        + ") allocated " + allocated + " bytes, budget " + budget);
            }

            if (read.error() == null && read.message() == null) {
                assertEquals(data.length, start, "a clean end only between frames");
                return overBudget;
            }
            if (read.error() instanceof EOFException) {
                assertTrue(header == null || start + header.frameBytes() > data.length,
                        "EOF only for a frame that runs past the end: " + read.error().getMessage());
                return overBudget;
            }
            if (read.error() instanceof FrameTooLongException e) {
                assertEquals(header.length(), e.length());
                assertTrue(e.length() > MAX_PAYLOAD, e.getMessage());
                return overBudget;
            }
            if (read.error() instanceof UnknownFrameTypeException e) {
                assertNull(FrameType.ofCode(e.type()), e.getMessage());
                assertEquals(header.type(), e.type());
                start += (int) header.frameBytes(); // the gateway refuses this frame and reads the next
                continue;
            }
            if (read.error() instanceof ProtocolException e) {
                assertNotNull(e.nackCode(), e.toString()); // corrupt or unsupported version: the connection ends
                return overBudget;
            }
            Message m = read.message();
            assertEquals(header.type(), m.type().code());
            byte[] again = FrameWriter.encode(m);
            assertEquals(m, new FrameReader(new ByteArrayInputStream(again), MAX_PAYLOAD).read(), "re-encoded " + m);
            start += (int) header.frameBytes();
        }
    }

    /** Only these outcomes are allowed; any other exception escapes and fails the test. */
    private static Read readOne(FrameReader reader) throws IOException {
        try {
            return new Read(reader.read(), null);
        } catch (ProtocolException | EOFException e) {
            return new Read(null, e);
        }
    }
}
