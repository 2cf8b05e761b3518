package io.pigateway.gateway.ingest.lineprotocol;

import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.ingest.Sample;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolException.Kind;
import io.pigateway.protocol.Identifiers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed lines into readings by the rules of {@link LineProtocolConfig} (docs/INGEST.md):
 * <ul>
 *   <li>the device is the value of the first of {@code device-tags} (default {@code device}, {@code host})
 *       the line has, else the device of the request's credentials;</li>
 *   <li>each field is one reading of the sensor named by the template (default
 *       {@code {measurement}.{field}}: {@code weather temp=21.5} is sensor {@code weather.temp});</li>
 *   <li>floats, integers ({@code i}) and unsigned integers ({@code u}) are stored as their number, booleans
 *       as 1 and 0, strings skipped or refused ({@code strings});</li>
 *   <li>the line's timestamp is the reading's time; a line without one gets {@link Sample#NO_TIME}, which
 *       the gateway replaces with the arrival time;</li>
 *   <li>the value of {@code unit-tag}, if the line has it, is the unit recorded for a new sensor.</li>
 * </ul>
 * Device ids and sensor names must be valid identifiers ({@code A-Z a-z 0-9 . _ - :}, at most 64);
 * anything else is an error naming the line. Thread-safe.
 */
public final class LineMapping {
    private final LineProtocolConfig config;
    private final List<String> sensorParts;

    /** The readings of a request, per device in order of first appearance, and how many string fields were skipped. */
    public record Result(Map<String, List<Sample>> byDevice, int skippedStrings) {
        public int readings() {
            return byDevice.values().stream().mapToInt(List::size).sum();
        }
    }

    public LineMapping(LineProtocolConfig config) {
        this.config = config;
        this.sensorParts = config.sensorParts();
    }

    /**
     * @param credentialsDevice the device the request's credentials name, for lines without a device tag;
     *                          {@code null} if none (such a line is then an error)
     */
    public Result map(List<Point> points, String credentialsDevice) throws LineProtocolException {
        Map<String, List<Sample>> byDevice = new LinkedHashMap<>();
        int skipped = 0;
        for (Point p : points) {
            long numbers = p.fields().values().stream().filter(v -> !(v instanceof FieldValue.StringValue)).count();
            if (!config.sensorHasField() && numbers > 1) {
                // Each field would be a value of the same sensor at the same time.
                throw new LineProtocolException(p.line(), Kind.MAPPING, "the line has " + numbers
                        + " number fields, and the sensor name (" + config.sensor() + ", ingest.line-protocol.sensor)"
                        + " has no {field} to tell them apart");
            }
            String device = deviceOf(p, credentialsDevice);
            List<Sample> samples = byDevice.computeIfAbsent(device, d -> new ArrayList<>());
            String unit = config.unitTag().isEmpty() ? "" : p.tags().getOrDefault(config.unitTag(), "");
            for (Map.Entry<String, FieldValue> f : p.fields().entrySet()) {
                Double value = number(p, f.getKey(), f.getValue());
                if (value == null) {
                    skipped++;
                    continue;
                }
                String sensor = sensorOf(p, f.getKey());
                samples.add(new Sample(sensor, value, p.timeNanos(), 0, 0, unit));
            }
        }
        byDevice.values().removeIf(List::isEmpty);
        return new Result(byDevice, skipped);
    }

    private String deviceOf(Point p, String credentialsDevice) throws LineProtocolException {
        for (String tag : config.deviceTags()) {
            String d = p.tags().get(tag);
            if (d != null) {
                String problem = Identifiers.problem("device id (tag '" + tag + "')", d);
                if (problem != null) {
                    throw new LineProtocolException(p.line(), Kind.MAPPING, problem);
                }
                return d;
            }
        }
        if (credentialsDevice == null) {
            throw new LineProtocolException(p.line(), Kind.MAPPING, "the line has no tag naming its device ("
                    + String.join(", ", config.deviceTags()) + ") and the request's credentials name none");
        }
        return credentialsDevice;
    }

    private Double number(Point p, String key, FieldValue v) throws LineProtocolException {
        return switch (v) {
            case FieldValue.FloatValue f -> f.value();
            case FieldValue.IntegerValue i -> (double) i.value();
            case FieldValue.UnsignedValue u -> u.asDouble();
            case FieldValue.BooleanValue b -> b.value() ? 1.0 : 0.0;
            case FieldValue.StringValue s -> {
                if (config.strings() == LineProtocolConfig.Strings.REFUSE) {
                    throw new LineProtocolException(p.line(), Kind.MAPPING, "field '" + key
                            + "' is a string; only numbers and booleans are stored (ingest.line-protocol.strings = refuse)");
                }
                yield null;
            }
        };
    }

    private String sensorOf(Point p, String field) throws LineProtocolException {
        StringBuilder b = new StringBuilder();
        for (String part : sensorParts) {
            if (part.equals("{measurement}")) {
                b.append(p.measurement());
            } else if (part.equals("{field}")) {
                b.append(field);
            } else if (part.startsWith("{tag:")) {
                String tag = part.substring(5, part.length() - 1);
                String v = p.tags().get(tag);
                if (v == null) {
                    throw new LineProtocolException(p.line(), Kind.MAPPING, "the sensor name ("
                            + config.sensor() + ") needs tag '" + tag + "', which the line does not have");
                }
                b.append(v);
            } else {
                b.append(part);
            }
        }
        String sensor = b.toString();
        String problem = Identifiers.problem("sensor name '" + printable(sensor) + "'", sensor);
        if (problem != null) {
            throw new LineProtocolException(p.line(), Kind.MAPPING, problem + " (sensor names are "
                    + config.sensor() + ", see ingest.line-protocol.sensor)");
        }
        return sensor;
    }

    private static String printable(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
