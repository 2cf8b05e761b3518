package io.pigateway.client.sensor;

import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.util.List;

/** A {@link PolledSensor} with a single reading, named like the sensor itself. */
public interface Sensor extends PolledSensor {

    /** The unit of its values, announced to the gateway. */
    String unit();

    /** What kind of sensor it is, announced to the gateway: e.g. {@code simulated.temperature}, {@code gpio.state}. */
    default String kind() {
        return "";
    }

    /** The current value. NaN or infinity is allowed here; the sampler refuses to send it. */
    double read() throws IOException;

    @Override
    default List<SensorInfo> channels() {
        return List.of(new SensorInfo(name(), unit(), kind(), simulated()));
    }

    @Override
    default double[] sample() throws IOException {
        return new double[] {read()};
    }
}
