package io.pigateway.client.sensor.i2c;

import java.io.InterruptedIOException;

/** Waiting for a chip to finish a conversion; tests pass one that returns at once. */
@FunctionalInterface
public interface Pause {
    Pause REAL = millis -> {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting " + millis + " ms for the chip");
        }
    };

    void millis(long millis) throws InterruptedIOException;
}
