package io.pigateway.gateway.ingest.mqtt;

import java.util.ArrayList;
import java.util.List;

/**
 * Which MQTT topics carry readings and where the device id and sensor name sit in them: a topic
 * pattern is a topic with {@code {device}} and {@code {sensor}} as whole levels, and optionally
 * {@code +} for a level that may be anything. The gateway subscribes to the pattern with both
 * placeholders as {@code +}.
 *
 * <pre>
 *   pattern                        subscribes to         topic                               device   sensor
 *   pi/{device}/{sensor}           pi/+/+                pi/attic/air.temp                   attic    air.temp
 *   {device}/sensor/{sensor}/state +/sensor/+/state      attic-node/sensor/temperature/state attic-node temperature
 * </pre>
 *
 * A pattern without {@code {sensor}} takes the sensor names from the payload (line protocol) or, for
 * a plain number or JSON payload, refuses the message. Whether an id is valid is checked later
 * ({@code Identifiers}), so a topic level the rules refuse is reported with the device's name.
 */
public final class TopicPattern {
    static final String DEVICE = "{device}";
    static final String SENSOR = "{sensor}";

    private final String pattern;
    private final String[] levels;
    private final int deviceLevel;
    private final int sensorLevel;

    private TopicPattern(String pattern, String[] levels, int deviceLevel, int sensorLevel) {
        this.pattern = pattern;
        this.levels = levels;
        this.deviceLevel = deviceLevel;
        this.sensorLevel = sensorLevel;
    }

    /** Where a topic names its device and sensor; {@code sensor} is {@code null} if the pattern has no {@code {sensor}}. */
    public record Names(String device, String sensor) {
    }

    /**
     * @throws IllegalArgumentException with the rule the pattern breaks (the caller names the key)
     */
    public static TopicPattern parse(String pattern) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("a topic pattern is not empty");
        }
        String[] levels = pattern.split("/", -1);
        int device = -1;
        int sensor = -1;
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals(DEVICE)) {
                if (device >= 0) {
                    throw new IllegalArgumentException("{device} appears twice");
                }
                device = i;
            } else if (level.equals(SENSOR)) {
                if (sensor >= 0) {
                    throw new IllegalArgumentException("{sensor} appears twice");
                }
                sensor = i;
            } else if (level.contains("#")) {
                throw new IllegalArgumentException("'#' is not allowed: every level of a reading's topic is named");
            } else if (level.contains("+") && !level.equals("+")) {
                throw new IllegalArgumentException("'+' stands only for a whole level (level " + (i + 1) + " is '"
                        + level + "')");
            } else if (level.contains("{") || level.contains("}")) {
                throw new IllegalArgumentException("level " + (i + 1) + " '" + level
                        + "' has a brace; the placeholders are {device} and {sensor}, each a whole level");
            }
        }
        if (device < 0) {
            throw new IllegalArgumentException("{device} is missing: the topic must name the device");
        }
        return new TopicPattern(pattern, levels, device, sensor);
    }

    /** The MQTT topic filter to subscribe to. */
    public String filter() {
        List<String> out = new ArrayList<>(levels.length);
        for (String level : levels) {
            out.add(level.equals(DEVICE) || level.equals(SENSOR) ? "+" : level);
        }
        return String.join("/", out);
    }

    public boolean hasSensor() {
        return sensorLevel >= 0;
    }

    /** The names in {@code topic}, or {@code null} if it does not match this pattern. */
    public Names match(String topic) {
        String[] parts = topic.split("/", -1);
        if (parts.length != levels.length) {
            return null;
        }
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            boolean any = level.equals("+") || i == deviceLevel || i == sensorLevel;
            if (!any && !level.equals(parts[i])) {
                return null;
            }
        }
        return new Names(parts[deviceLevel], sensorLevel >= 0 ? parts[sensorLevel] : null);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
