package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How InfluxDB line protocol is read and turned into readings, for every input that accepts it
 * (HTTP, TCP, UDP, MQTT): the size limits checked before anything is allocated, and the mapping of
 * measurement, tags and fields onto device, sensor and value (docs/INGEST.md). Keys
 * {@code ingest.line-protocol.*}.
 *
 * @param maxLineBytes   longest line in bytes, without its newline
 * @param maxTags        most tags on one line
 * @param maxFields      most fields on one line
 * @param deviceTags     the tags that name the device, the first present wins; a line with none belongs to
 *                       the device of the credentials
 * @param sensor         the sensor name template: {@code {measurement}}, {@code {field}} and
 *                       {@code {tag:NAME}} are replaced, anything else is kept
 * @param unitTag        the tag whose value is recorded as the sensor's unit when first seen ("" for none)
 * @param strings        what a string field does: skipped, or the whole request refused
 */
public record LineProtocolConfig(int maxLineBytes, int maxTags, int maxFields, List<String> deviceTags,
                                 String sensor, String unitTag, Strings strings) {
    public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_TAGS = 32;
    public static final int DEFAULT_MAX_FIELDS = 64;
    public static final List<String> DEFAULT_DEVICE_TAGS = List.of("device", "host");
    public static final String DEFAULT_SENSOR = "{measurement}.{field}";

    /** What happens to a string field ({@code ingest.line-protocol.strings}). */
    public enum Strings {
        /** Left out; the line's other fields are stored. */
        SKIP,
        /** The request is refused as invalid, naming the line. */
        REFUSE
    }

    public LineProtocolConfig {
        deviceTags = List.copyOf(deviceTags);
        Objects.requireNonNull(sensor, "sensor");
        Objects.requireNonNull(unitTag, "unitTag");
        Objects.requireNonNull(strings, "strings");
        String problem = templateProblem(sensor);
        if (problem != null) {
            throw new IllegalArgumentException("sensor template '" + sensor + "': " + problem);
        }
    }

    public static LineProtocolConfig defaults() {
        return new LineProtocolConfig(DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_TAGS, DEFAULT_MAX_FIELDS,
                DEFAULT_DEVICE_TAGS, DEFAULT_SENSOR, "unit", Strings.SKIP);
    }

    public static LineProtocolConfig from(Settings s) throws ConfigException {
        int maxLine = s.intIn("ingest.line-protocol.max-line-bytes", DEFAULT_MAX_LINE_BYTES, 64, 1024 * 1024);
        int maxTags = s.intIn("ingest.line-protocol.max-tags", DEFAULT_MAX_TAGS, 0, 1024);
        int maxFields = s.intIn("ingest.line-protocol.max-fields", DEFAULT_MAX_FIELDS, 1, 1024);
        List<String> deviceTags = s.list("ingest.line-protocol.device-tags", DEFAULT_DEVICE_TAGS);
        String sensor = s.string("ingest.line-protocol.sensor", DEFAULT_SENSOR);
        String problem = templateProblem(sensor);
        if (problem != null) {
            throw s.invalid("ingest.line-protocol.sensor", sensor, problem);
        }
        String unitTag = s.string("ingest.line-protocol.unit-tag", "unit");
        if (unitTag.equalsIgnoreCase("none")) {
            unitTag = "";
        }
        Strings strings = s.choice("ingest.line-protocol.strings", Strings.class, Strings.SKIP);
        return new LineProtocolConfig(maxLine, maxTags, maxFields, deviceTags, sensor, unitTag, strings);
    }

    /** Whether the template names the field: without it a line may carry one number only. */
    public boolean sensorHasField() {
        return sensor.contains("{field}");
    }

    /** The template split into literal text and placeholders ({@code {measurement}}, {@code {field}}, {@code {tag:x}}). */
    public List<String> sensorParts() {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < sensor.length()) {
            int open = sensor.indexOf('{', i);
            if (open < 0) {
                parts.add(sensor.substring(i));
                break;
            }
            if (open > i) {
                parts.add(sensor.substring(i, open));
            }
            int close = sensor.indexOf('}', open);
            parts.add(sensor.substring(open, close + 1));
            i = close + 1;
        }
        return parts;
    }

    private static String templateProblem(String template) {
        if (template.isEmpty()) {
            return "must not be empty";
        }
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                return "'{' at index " + open + " is not closed";
            }
            String name = template.substring(open + 1, close);
            if (!name.equals("field") && !name.equals("measurement") && !(name.startsWith("tag:") && name.length() > 4)) {
                return "placeholder {" + name + "} is unknown; allowed are {measurement}, {field}, {tag:NAME}";
            }
            i = close + 1;
        }
        return null;
    }
}
