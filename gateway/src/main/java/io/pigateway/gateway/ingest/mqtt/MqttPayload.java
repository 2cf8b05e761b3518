package io.pigateway.gateway.ingest.mqtt;

import io.pigateway.gateway.ingest.IngestRefusal;
import io.pigateway.gateway.ingest.Sample;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolException;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The readings in one MQTT message's payload (UTF-8). The topic names the device and the sensor
 * ({@link TopicPattern}); the payload is one of:
 * <ul>
 *   <li>a plain number, as ESPHome and Tasmota publish a state: {@code 21.5}, {@code -3}, {@code 1e3}
 *       (leading and trailing white space ignored). The gateway stamps the arrival time, so a redelivered
 *       message is stored again (see docs/INGEST.md (MQTT));</li>
 *   <li>{@code ON} / {@code OFF} (ESPHome's binary sensors and switches), {@code true} / {@code false}:
 *       stored as 1 and 0, also with the arrival time;</li>
 *   <li>a JSON object with exactly these members: {@code "value"} (a number, or true/false) required;
 *       {@code "ts"} optional, the device's time as milliseconds since 1970-01-01T00:00:00Z (a number, a
 *       fraction allowed: {@code 1764691200123.5}) or an ISO-8601 string with an offset
 *       ({@code "2026-12-02T16:00:00.123Z"}, {@code "2026-12-02T17:00:00+01:00"}); {@code "unit"}
 *       optional, a string recorded with a sensor seen for the first time. With {@code ts} a redelivery
 *       is stored once. Any other member, or a nested value, refuses the message: a typo such as
 *       {@code "tS"} must not turn a timed reading into an untimed one silently;</li>
 *   <li>anything else is read as InfluxDB line protocol, one or more lines (Telegraf's {@code outputs.mqtt}
 *       with {@code data_format = "influx"}), timestamps in {@code ingest.mqtt.precision}, sensors named
 *       by {@code ingest.line-protocol.*} (the topic's sensor level, if any, is not used). A line with no
 *       device tag belongs to the topic's device; a line whose device tag names another device refuses
 *       the message (FORBIDDEN): the broker's ACL lets a device publish only under its own topic, and a tag
 *       must not undo that.</li>
 * </ul>
 * A {@code ts} below 100,000,000,000 (1973-03-03) is refused, since it is almost certainly in seconds.
 */
public final class MqttPayload {
    private final LineProtocolParser lineParser;
    private final LineMapping lineMapping;
    private final Precision precision;

    /** A number as JSON writes it, which is also what the devices publish. */
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    /** The smallest {@code ts} taken as milliseconds: below it, the sender almost surely meant seconds. */
    static final long MIN_TS_MILLIS = 100_000_000_000L;

    public MqttPayload(LineProtocolParser lineParser, LineMapping lineMapping, Precision precision) {
        this.lineParser = lineParser;
        this.lineMapping = lineMapping;
        this.precision = precision;
    }

    /**
     * @param device the device named by the topic
     * @param sensor the sensor named by the topic, or {@code null} if the topic names none (then only
     *               line protocol, which names its sensors itself, is taken)
     * @throws IngestRefusal INVALID, TOO_LARGE (a line protocol limit) or FORBIDDEN, with the reason for
     *                       the operator's log
     */
    public List<Sample> readings(byte[] payload, String device, String sensor) throws IngestRefusal {
        String text = utf8(payload).strip();
        if (text.isEmpty()) {
            throw invalid("the payload is empty; expected a number, a JSON object {\"value\": ...} or line protocol");
        }
        boolean single = text.charAt(0) == '{' || flag(text) != null || NUMBER.matcher(text).matches();
        if (single && sensor == null) {
            throw invalid("the topic names no sensor ({sensor} in ingest.mqtt.topics), so only line protocol"
                    + " payloads are read; payload '" + shorten(text) + "'");
        }
        if (text.charAt(0) == '{') {
            return List.of(json(text, sensor));
        }
        Double flag = flag(text);
        if (flag != null) {
            return List.of(Sample.of(sensor, flag, Sample.NO_TIME));
        }
        if (NUMBER.matcher(text).matches()) {
            return List.of(Sample.of(sensor, number(text), Sample.NO_TIME));
        }
        return lines(payload, device, text);
    }

    private List<Sample> lines(byte[] payload, String device, String text) throws IngestRefusal {
        LineMapping.Result result;
        try {
            result = lineMapping.map(lineParser.parse(payload, payload.length, precision), device);
        } catch (LineProtocolException e) {
            IngestRefusal.Reason reason = e.kind() == LineProtocolException.Kind.LIMIT
                    ? IngestRefusal.Reason.TOO_LARGE : IngestRefusal.Reason.INVALID;
            throw new IngestRefusal(reason, "payload '" + shorten(text) + "' is neither a number, ON/OFF,"
                    + " true/false, a JSON object nor line protocol: " + e.getMessage());
        }
        Set<String> devices = result.byDevice().keySet();
        for (String other : devices) {
            if (!other.equals(device)) {
                throw new IngestRefusal(IngestRefusal.Reason.FORBIDDEN, "a line names device " + other
                        + " in the topic of device " + device + "; a device publishes only its own readings");
            }
        }
        List<Sample> samples = result.byDevice().get(device);
        if (samples == null) {
            throw invalid("the line protocol payload has no numeric field (" + result.skippedStrings()
                    + " string fields skipped)");
        }
        return samples;
    }

    private static Sample json(String text, String sensor) throws IngestRefusal {
        Map<String, Object> members = new FlatJsonObject(text).parse();
        Object value = members.remove("value");
        Object ts = members.remove("ts");
        Object unit = members.remove("unit");
        if (!members.isEmpty()) {
            throw invalid("JSON member " + members.keySet().iterator().next()
                    + " is not one of value, ts, unit (docs/INGEST.md (MQTT))");
        }
        double v;
        if (value instanceof BigDecimal d) {
            v = d.doubleValue();
        } else if (value instanceof Boolean b) {
            v = b ? 1 : 0;
        } else {
            throw invalid(value == null ? "the JSON object has no \"value\"" : "\"value\" is " + describe(value)
                    + "; expected a number or true/false");
        }
        if (unit != null && !(unit instanceof String)) {
            throw invalid("\"unit\" is " + describe(unit) + "; expected a string");
        }
        long nanos = ts == null ? Sample.NO_TIME : timeNanos(ts);
        return new Sample(sensor, v, nanos, 0, 0, (String) unit);
    }

    private static long timeNanos(Object ts) throws IngestRefusal {
        if (ts instanceof BigDecimal millis) {
            if (millis.compareTo(BigDecimal.valueOf(MIN_TS_MILLIS)) < 0) {
                throw invalid("\"ts\" " + millis.toPlainString() + " is before 1973-03-03 as milliseconds since 1970;"
                        + " send milliseconds (seconds x 1000) or an ISO-8601 string");
            }
            BigDecimal nanos = millis.movePointRight(6);
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw invalid("\"ts\" " + millis.toPlainString() + " is too large (milliseconds since 1970)");
            }
            return nanos.longValue();
        }
        if (ts instanceof String iso) {
            Instant instant;
            try {
                instant = OffsetDateTime.parse(iso).toInstant();
            } catch (DateTimeParseException e) {
                throw invalid("\"ts\" '" + shorten(iso) + "' is not an ISO-8601 time with an offset such as"
                        + " 2026-12-02T16:00:00.123Z");
            }
            if (instant.toEpochMilli() < MIN_TS_MILLIS) {
                throw invalid("\"ts\" '" + iso + "' is before 1973-03-03");
            }
            try {
                return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
            } catch (ArithmeticException e) {
                throw invalid("\"ts\" '" + iso + "' is too far in the future");
            }
        }
        throw invalid("\"ts\" is " + describe(ts) + "; expected milliseconds since 1970 or an ISO-8601 string");
    }

    private static Double flag(String text) {
        return switch (text) {
            case "ON", "true" -> 1.0;
            case "OFF", "false" -> 0.0;
            default -> null;
        };
    }

    private static double number(String text) throws IngestRefusal {
        double v = Double.parseDouble(text);
        if (!Double.isFinite(v)) {
            throw invalid("payload '" + shorten(text) + "' is out of range for a number");
        }
        return v;
    }

    private static String utf8(byte[] payload) throws IngestRefusal {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("the payload is not UTF-8 text (" + payload.length + " bytes)");
        }
    }

    private static String describe(Object v) {
        if (v instanceof String s) {
            return "the string '" + shorten(s) + "'";
        }
        if (v instanceof BigDecimal d) {
            return "the number " + d.toPlainString();
        }
        return v == FlatJsonObject.NULL ? "null" : String.valueOf(v);
    }

    static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static IngestRefusal invalid(String why) {
        return new IngestRefusal(IngestRefusal.Reason.INVALID, why);
    }

    /**
     * A strict parser for one JSON object whose members are numbers, strings, true, false or null (RFC 8259
     * syntax; nothing nested). Numbers are kept as {@link BigDecimal}, so a millisecond time keeps its digits.
     */
    static final class FlatJsonObject {
        static final Object NULL = new Object() {
            @Override
            public String toString() {
                return "null";
            }
        };
        private final String text;
        private int pos;

        FlatJsonObject(String text) {
            this.text = text;
        }

        Map<String, Object> parse() throws IngestRefusal {
            Map<String, Object> members = new LinkedHashMap<>();
            expect('{');
            skipSpace();
            if (peek() == '}') {
                pos++;
            } else {
                while (true) {
                    skipSpace();
                    String name = string();
                    skipSpace();
                    expect(':');
                    skipSpace();
                    Object value = value(name);
                    if (members.put(name, value) != null) {
                        throw error("member " + name + " appears twice");
                    }
                    skipSpace();
                    char c = next();
                    if (c == '}') {
                        break;
                    }
                    if (c != ',') {
                        throw error("expected ',' or '}'");
                    }
                }
            }
            skipSpace();
            if (pos != text.length()) {
                throw error("text after the object");
            }
            return members;
        }

        private Object value(String name) throws IngestRefusal {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (c == '{' || c == '[') {
                throw error("member " + name + " is nested; only numbers, strings, true and false are read");
            }
            int start = pos;
            while (pos < text.length() && "+-.0123456789eEtruefalsn".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "true":
                    return Boolean.TRUE;
                case "false":
                    return Boolean.FALSE;
                case "null":
                    return NULL;
                default:
                    if (!NUMBER.matcher(word).matches()) {
                        pos = start;
                        throw error("member " + name + " has no valid value");
                    }
                    return new BigDecimal(word);
            }
        }

        private String string() throws IngestRefusal {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private void skipSpace() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private char peek() throws IngestRefusal {
            if (pos >= text.length()) {
                throw error("the JSON ends early");
            }
            return text.charAt(pos);
        }

        private char next() throws IngestRefusal {
            char c = peek();
            pos++;
            return c;
        }

        private void expect(char c) throws IngestRefusal {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private IngestRefusal error(String why) {
            return invalid("JSON payload, character " + (pos + 1) + ": " + why);
        }
    }
}
