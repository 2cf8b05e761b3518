package io.pigateway.protocol;

import java.lang.management.ManagementFactory;

/**
 * How much memory decoding may take: proportional to the bytes that actually arrived, never to a
 * length or count a field merely claims. A 14-byte frame that says "65,535 sensor names follow" must
 * not cost 256 KiB before the decoder notices the names are missing.
 *
 * <p>Measured with HotSpot's per-thread allocation counter, so it covers every array and object the
 * decoder creates on the calling thread, not only the payload array.
 */
final class AllocationBudget {
    /** An exception with its stack trace and formatted message, the reader's buffer (measured: under 6 KiB). */
    static final long FIXED_BYTES = 16 * 1024;
    /**
     * The worst honest case is a HELLO of many sensors with empty names, units and kinds: 7 payload
     * bytes become a SensorInfo, three strings and their decoders (measured: about 100 bytes per
     * frame byte for a 1 KiB HELLO of 142 such sensors, 80 for a READINGS table of 1-letter names).
     */
    static final long PER_INPUT_BYTE = 256;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationBudget() {
    }

    /** The most that decoding {@code inputBytes} received bytes may allocate. */
    static long forInput(long inputBytes) {
        return FIXED_BYTES + PER_INPUT_BYTE * inputBytes;
    }

    /** Bytes allocated by the current thread since it started; differences measure a piece of code. */
    static long allocatedSoFar() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
