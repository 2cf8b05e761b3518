package io.pigateway.client.spool;

import java.security.SecureRandom;

/**
 * How far a restarted spool moves its next seq beyond every seq it may have used: at least
 * {@value #MIN} (2^32) plus a random amount below {@value #SPREAD} (2^40).
 *
 * <p>Why: the stream id and the seqs come only from the files, and files can be copied. A Pi
 * restored from an older image of its SD card, or two Pis cloned from one image, would otherwise
 * go on from the image's seq and give seqs the gateway already holds to new readings, which the
 * unique key would then silently discard. With the jump, a restored copy starts at least 2^32 seqs
 * beyond where the original went on after the copy (its linear continuation would need 4 billion
 * readings to reach that), and two copies started from one image land 2^40 apart on average: their
 * seq ranges of m readings each overlap with a probability of about 2m / 2^40 (10^-5 for 5 million
 * readings). What still collides is refused by the gateway ({@code DUPLICATE_MISMATCH}), not lost
 * silently. 2^63 seqs leave room for more than 8 million restarts.
 */
final class SeqJump {
    static final long MIN = 1L << 32;
    static final long SPREAD = 1L << 40;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SeqJump() {
    }

    static long random() {
        return MIN + RANDOM.nextLong(SPREAD);
    }
}
