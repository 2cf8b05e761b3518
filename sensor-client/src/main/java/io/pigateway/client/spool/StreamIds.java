package io.pigateway.client.spool;

import java.security.SecureRandom;

/**
 * Picks a stream id. A fresh id tells the gateway that sequence numbers restarted at 1: the durable
 * spool picks one when it starts empty and keeps it; the in-memory spool of the tests picks one per instance.
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
