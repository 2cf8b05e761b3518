package io.pigateway.client.buffer;

import java.security.SecureRandom;

/**
 * Picks a stream id. A fresh id per process start tells the gateway that sequence numbers restarted
 * at 1 (the in-memory buffer forgets them); the durable spool will store its id and reuse it.
 */
public final class StreamIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private StreamIds() {
    }

    /** A random id; never 0, which the protocol reserves. */
    public static long random() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return id;
    }
}
