package io.pigateway.client.sensor.pi4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.sensor.SensorStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device-file checks against a directory standing in for /dev. Access is a predicate here, since
 * these tests may run as root, for whom every file is readable.
 */
class DeviceFilesTest {
    @TempDir
    Path dev;

    private DeviceFiles files(boolean accessible) {
        return new DeviceFiles(dev, p -> accessible, "pigw");
    }

    @Test
    void missingI2cBusSaysHowToEnableI2c() {
        SensorStartException e = assertThrows(SensorStartException.class, () -> files(true).checkI2c(1));
        assertEquals(dev.resolve("i2c-1") + " does not exist, so I2C bus 1 cannot be opened: enable I2C (sudo"
                + " raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in /boot/firmware/config.txt, then reboot) or"
                + " check the bus number (ls /dev/i2c-*)", e.getMessage());
    }

    @Test
    void inaccessibleI2cBusNamesFileUserAndGroup() throws Exception {
        Files.createFile(dev.resolve("i2c-1"));
        files(true).checkI2c(1);
        SensorStartException e = assertThrows(SensorStartException.class, () -> files(false).checkI2c(1));
        assertTrue(e.getMessage().startsWith(dev.resolve("i2c-1")
                + " is not readable and writable for user pigw (owner "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": add the user to group i2c (sudo usermod -aG i2c pigw) and restart the"
                + " service"), e.getMessage());
    }

    @Test
    void noGpioChipSaysThisIsNoPi() {
        SensorStartException e = assertThrows(SensorStartException.class, () -> files(true).checkGpio());
        assertEquals("no " + dev.resolve("gpiochip*") + " exists, so GPIO inputs cannot be opened: gpio-input sensors"
                + " need a Raspberry Pi whose kernel provides the GPIO character device (Raspberry Pi OS does)",
                e.getMessage());
    }

    @Test
    void inaccessibleGpioChipNamesTheGpioGroup() throws Exception {
        Files.createFile(dev.resolve("gpiochip0"));
        files(true).checkGpio();
        SensorStartException e = assertThrows(SensorStartException.class, () -> files(false).checkGpio());
        assertTrue(e.getMessage().startsWith(dev.resolve("gpiochip0") + " is not readable and writable for user pigw"),
                e.getMessage());
        assertTrue(e.getMessage().contains("add the user to group gpio (sudo usermod -aG gpio pigw)"), e.getMessage());
    }

    @Test
    void pi4jIsNotStartedWhenADeviceFileIsMissing() {
        // On this machine Pi4J would fail differently (no Pi, no native gpiod library); the check comes first.
        SensorStartException e = assertThrows(SensorStartException.class,
                () -> Pi4jIo.open(false, Set.of(1), files(true)));
        assertTrue(e.getMessage().startsWith(dev.resolve("i2c-1") + " does not exist"), e.getMessage());
    }
}
