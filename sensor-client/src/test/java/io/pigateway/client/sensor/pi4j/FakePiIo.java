package io.pigateway.client.sensor.pi4j;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.I2cDevice;
import io.pigateway.client.sensor.SensorStartException;
import io.pigateway.client.sensor.i2c.FakeI2C;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPIO from Pi4J's mock provider (a real Pi4J context, shut down on close), I2C chips from register
 * fakes the test puts in {@link #chips}; a device without a fake fails like a bus with nothing at that
 * address.
 */
final class FakePiIo implements PiIo {
    final Context pi4j = Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance()).build();
    final Map<I2cDevice, FakeI2C> chips = new HashMap<>();
    final Map<Integer, MockDigitalInput> pins = new HashMap<>();
    final List<I2cDevice> opened = new ArrayList<>();
    boolean closed;

    @Override
    public DigitalInput digitalInput(String id, int bcmPin, Hardware.Pull pull) {
        MockDigitalInput in = (MockDigitalInput) pi4j.create(DigitalInput.newConfigBuilder(pi4j).id(id).address(bcmPin)
                .pull(pull == Hardware.Pull.UP ? PullResistance.PULL_UP : PullResistance.PULL_DOWN).debounce(0L));
        pins.put(bcmPin, in);
        return in;
    }

    @Override
    public I2C i2c(String id, I2cDevice device) {
        opened.add(device);
        FakeI2C chip = chips.get(device);
        if (chip == null) {
            throw new SensorStartException(device + ": Pi4J's linuxfs provider could not open the bus: no fake here");
        }
        return chip;
    }

    @Override
    public void close() {
        closed = true;
        pi4j.shutdown();
    }
}
