package io.pigateway.client.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.protocol.Reading;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
    private static final int TAG = 3;

    private static ByteBuffer encode(Reading r) {
        ByteBuffer b = ByteBuffer.allocate(RecordCodec.MAX_RECORD);
        RecordCodec.encode(b, TAG, r);
        return b.flip();
    }

    @Test
    void theDocumentedExampleByteForByte() {
        ByteBuffer b = encode(new Reading(7, "t", 1000, 1.5));
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        assertEquals("00000003001a000000000000000700000000000003e83ff80000000000000174" + "8ae81503",
                HexFormat.of().formatHex(bytes));
        assertEquals(RecordCodec.MIN_RECORD, bytes.length);
    }

    @Test
    void roundTripAndSizes() {
        String longest = "x".repeat(64);
        ByteBuffer b = encode(new Reading(1L << 40, longest, -5, -273.15));
        assertEquals(RecordCodec.MAX_RECORD, b.remaining());
        assertEquals(RecordCodec.size(longest), b.remaining());
        RecordCodec.Found f = assertInstanceOf(RecordCodec.Found.class, RecordCodec.decode(b, TAG, 1L << 40, 64));
        assertEquals(new Reading(1L << 40, longest, -5, -273.15), f.reading());
        assertEquals(RecordCodec.MAX_RECORD, f.size());
        assertEquals(RecordCodec.MAX_RECORD, b.position(), "positioned after the record");
    }

    @Test
    void anotherTagOrNothingIsTheEndNotDamage() {
        ByteBuffer b = encode(new Reading(7, "t", 1000, 1.5));
        assertInstanceOf(RecordCodec.End.class, RecordCodec.decode(b, TAG + 1, 7, 64));
        assertInstanceOf(RecordCodec.End.class, RecordCodec.decode(ByteBuffer.allocate(0), TAG, 7, 64));
        assertInstanceOf(RecordCodec.End.class, RecordCodec.decode(ByteBuffer.allocate(100), TAG, 7, 64),
                "zeros never match a tag");
        assertEquals(0, b.position(), "position unchanged");
    }

    @Test
    void everyCutAndEveryFlippedBitIsDamageWithTheNumbers() {
        ByteBuffer whole = encode(new Reading(7, "temp", 1000, 1.5));
        int size = whole.remaining();
        for (int cut = 1; cut < size; cut++) {
            RecordCodec.Decoded d = RecordCodec.decode(whole.duplicate().limit(cut), TAG, 7, 100);
            RecordCodec.Damaged damaged = assertInstanceOf(RecordCodec.Damaged.class, d, "cut after " + cut + " bytes");
            assertTrue(damaged.why().contains("offset 100"), damaged.why());
        }
        for (int i = 4; i < size; i++) { // bytes 0..3 are the tag: flipped, it reads as the end (recovery looks further)
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer b = ByteBuffer.allocate(size).put(whole.duplicate()).flip();
                b.put(i, (byte) (b.get(i) ^ (1 << bit)));
                assertInstanceOf(RecordCodec.Damaged.class, RecordCodec.decode(b, TAG, 7, 100), "byte " + i + " bit " + bit);
            }
        }
        String why = ((RecordCodec.Damaged) RecordCodec.decode(whole.duplicate().limit(20), TAG, 7, 100)).why();
        assertEquals("torn record at offset 100: expected " + size + " bytes, only 20 are there", why);
        why = ((RecordCodec.Damaged) RecordCodec.decode(whole.duplicate(), TAG, 8, 100)).why();
        assertEquals("record at offset 100 has seq 7; expected 8", why);
    }
}
