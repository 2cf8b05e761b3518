package io.pigateway.client.sensor;

import io.pigateway.protocol.SensorInfo;
import java.util.List;

/**
 * A sensor that produces readings by itself, when something happens (a GPIO edge), rather than
 * when it is asked.
 */
public interface EventSensor {

    /** The configured sensor name, for log lines. */
    String name();

    /** What it is and where, for log lines. */
    String description();

    /** The readings it produces. */
    List<SensorInfo> channels();

    /** Starts handing readings to {@code sink}, from the I/O library's threads. */
    void start(ReadingSink sink);

    /** Stops; when this returns no further reading reaches the sink. Idempotent. */
    void stop();
}
