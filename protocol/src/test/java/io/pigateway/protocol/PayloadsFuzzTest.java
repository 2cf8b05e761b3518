package io.pigateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets: arbitrary payloads through the decoder of one frame type each (HELLO with its sensor
 * list, READINGS with its sensor-name table, NACK, HELLO_OK), plus one for every type with the type
 * chosen by the first byte. The frame layer (magic, CRC) is skipped, so every input reaches the
 * payload structure. As plain tests they run over the seed corpus in {@code PayloadsFuzzTestInputs/}.
 *
 * <p>For every payload: decoding either throws {@link CorruptFrameException} or yields a message of
 * that type whose encoding is no longer than the payload (so it fits any limit the original did),
 * decodes to an equal message, and encodes to the same bytes again; and decoding allocates within
 * {@link AllocationBudget} for the payload's length, whatever its counts and lengths claim.
 */
class PayloadsFuzzTest {

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "2m")
    void helloPayload(byte[] payload) throws ProtocolException {
        roundTrip(FrameType.HELLO, payload);
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "2m")
    void readingsPayload(byte[] payload) throws ProtocolException {
        roundTrip(FrameType.READINGS, payload);
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "2m")
    void nackPayload(byte[] payload) throws ProtocolException {
        roundTrip(FrameType.NACK, payload);
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "2m")
    void helloOkPayload(byte[] payload) throws ProtocolException {
        roundTrip(FrameType.HELLO_OK, payload);
    }

    /** Byte 0 picks the frame type (its value modulo the number of types, in code order); the rest is the payload. */
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "2m")
    void anyTypePayload(byte[] data) throws ProtocolException {
        if (data.length == 0) {
            return;
        }
        FrameType[] types = FrameType.values();
        roundTrip(types[(data[0] & 0xFF) % types.length], Arrays.copyOfRange(data, 1, data.length));
    }

    private static void roundTrip(FrameType type, byte[] payload) throws ProtocolException {
        Message m = decodeWithinBudget(type, payload);
        if (m == null) {
            return;
        }
        assertEquals(type, m.type());
        byte[] encoded = Payloads.encode(m);
        assertTrue(encoded.length <= payload.length,
                type + ": " + payload.length + " payload bytes re-encode to " + encoded.length);
        Message again = Payloads.decode(type, encoded);
        assertEquals(m, again);
        assertArrayEquals(encoded, Payloads.encode(again), "encoding of " + m + " is not stable");
    }

    /** The decoded message, or null after a {@link CorruptFrameException}; fails if decoding overspent. */
    private static Message decodeWithinBudget(FrameType type, byte[] payload) {
        long allocated = 0;
        Message m = null;
        // The first try may load (and instrument) classes on this thread: a second one counts alone.
        for (int attempt = 0; attempt < 2; attempt++) {
            long before = AllocationBudget.allocatedSoFar();
            try {
                m = Payloads.decode(type, payload);
            } catch (ProtocolException e) {
                m = null;
            }
            allocated = AllocationBudget.allocatedSoFar() - before;
            if (allocated <= AllocationBudget.forInput(payload.length)) {
                return m;
            }
        }
        throw new AssertionError(type + " payload of " + payload.length + " bytes: decoding allocated " + allocated
                + " bytes, budget " + AllocationBudget.forInput(payload.length) + (m == null ? " (refused)" : ""));
    }
}
