package io.pigateway.client.sensor.pi4j;

import io.pigateway.client.sensor.SensorStartException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Checks the device files before Pi4J touches them, so a missing bus or a missing group membership
 * is one sentence that says which file and what to do, not a stack trace from a native library.
 */
public final class DeviceFiles {
    private final Path dev;
    private final Predicate<Path> accessible;
    private final String user;

    /**
     * @param dev        normally {@code /dev}
     * @param accessible whether this process may open a file for reading and writing
     * @param user       the user this process runs as, for messages
     */
    public DeviceFiles(Path dev, Predicate<Path> accessible, String user) {
        this.dev = dev;
        this.accessible = accessible;
        this.user = user;
    }

    public static DeviceFiles system() {
        return new DeviceFiles(Path.of("/dev"), p -> Files.isReadable(p) && Files.isWritable(p),
                System.getProperty("user.name"));
    }

    /** {@code /dev/i2c-<bus>} exists and this user may read and write it. */
    public void checkI2c(int bus) {
        Path file = dev.resolve("i2c-" + bus);
        if (!Files.exists(file)) {
            throw new SensorStartException(file + " does not exist, so I2C bus " + bus + " cannot be opened: enable"
                    + " I2C (sudo raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in /boot/firmware/config.txt,"
                    + " then reboot) or check the bus number (ls /dev/i2c-*)");
        }
        checkAccess(file, "i2c");
    }

    /** At least one {@code /dev/gpiochip*} exists, and this user may read and write each of them. */
    public void checkGpio() {
        List<Path> chips = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dev, "gpiochip*")) {
            files.forEach(chips::add);
        } catch (IOException e) {
            throw new SensorStartException("cannot list " + dev + " to find the GPIO chips: " + e, e);
        }
        if (chips.isEmpty()) {
            throw new SensorStartException("no " + dev.resolve("gpiochip*") + " exists, so GPIO inputs cannot be"
                    + " opened: gpio-input sensors need a Raspberry Pi whose kernel provides the GPIO character"
                    + " device (Raspberry Pi OS does)");
        }
        chips.sort(null);
        for (Path chip : chips) {
            checkAccess(chip, "gpio");
        }
    }

    private void checkAccess(Path file, String usualGroup) {
        if (accessible.test(file)) {
            return;
        }
        String group = usualGroup;
        String owner = "";
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
            owner = " (owner " + a.owner().getName() + ", group " + a.group().getName() + ", mode "
                    + PosixFilePermissions.toString(a.permissions()) + ")";
            if (!a.group().getName().equals("root")) {
                group = a.group().getName();
            }
        } catch (IOException | UnsupportedOperationException e) {
            // the message just goes without the owner
        }
        throw new SensorStartException(file + " is not readable and writable for user " + user + owner
                + ": add the user to group " + group + " (sudo usermod -aG " + group + " " + user + ") and restart the"
                + " service");
    }
}
