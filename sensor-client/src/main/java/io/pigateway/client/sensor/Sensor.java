package io.pigateway.client.sensor;

import java.io.IOException;

/**
 * Something that yields one value per call. Simulated today; a Pi4J-backed sensor implements the
 * same interface later. {@link #read()} is called from one sampler thread at a time.
 */
public interface Sensor {

    /** The sensor name sent with each reading; follows the Identifiers rule. */
    String name();

    /** For log lines only. */
    String unit();

    /** A short description for the start-up log line, e.g. "SIMULATED temperature". */
    default String description() {
        return getClass().getSimpleName();
    }

    /** True for a stand-in that makes values up; the start-up log says so, loudly. */
    default boolean simulated() {
        return false;
    }

    /** The current value. NaN or infinity is allowed here; the sampler refuses to send it. */
    double read() throws IOException;
}
