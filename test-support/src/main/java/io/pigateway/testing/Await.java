package io.pigateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling for a condition in tests, with a deadline that names what was awaited. */
public final class Await {
    private Await() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - until > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            Thread.sleep(5);
        }
    }
}
