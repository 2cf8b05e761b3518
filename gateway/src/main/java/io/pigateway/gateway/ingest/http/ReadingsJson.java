package io.pigateway.gateway.ingest.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.pigateway.gateway.ingest.IngestRefusal;
import io.pigateway.gateway.ingest.Sample;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /v1/readings} (docs/INGEST.md), one device per request:
 * <pre>
 * {"device": "pi-attic",                      optional if the credentials name the device
 *  "readings": [
 *    {"sensor": "air.temp",                   required, A-Z a-z 0-9 . _ - : (1 to 64)
 *     "value": 21.5,                          required, a number, true (1) or false (0)
 *     "ts": 1700000000123,                    optional, an integer in ?precision= (default ms) since 1970 UTC;
 *                                             without it the gateway stamps the arrival time
 *     "unit": "°C",                           optional, recorded when the sensor is first seen
 *     "stream": 7, "seq": 42}                 optional, together and only with ts: the reading's key,
 *                                             stored exactly once
 *  ]}
 * </pre>
 * Any other member is refused (a typo must not drop a value silently). Errors name the reading's index.
 *
 * @param device {@code null} if the body has none
 */
record ReadingsJson(String device, List<Sample> samples) {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).maxStringLength(1024)
                    .maxNumberLength(64).build())
            .build();

    static ReadingsJson parse(byte[] body, int length, Precision precision) throws IngestRefusal {
        try (JsonParser p = FACTORY.createParser(body, 0, length)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "the body must be a JSON object");
            String device = null;
            List<Sample> samples = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "device" -> {
                        expect(p, t, JsonToken.VALUE_STRING, "\"device\" must be a string");
                        device = p.getText();
                    }
                    case "readings" -> {
                        expect(p, t, JsonToken.START_ARRAY, "\"readings\" must be an array");
                        samples = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            samples.add(reading(p, samples.size(), precision));
                        }
                    }
                    default -> throw invalid("unknown member \"" + printable(name)
                            + "\"; the body has \"device\" and \"readings\"");
                }
            }
            if (p.nextToken() != null) {
                throw invalid("text after the JSON object");
            }
            if (samples == null) {
                throw invalid("the body has no \"readings\"");
            }
            return new ReadingsJson(device, samples);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage().replaceAll(" \\(start marker at \\[Source.*?\\]\\)", "");
            throw invalid("the body is not valid JSON: " + why + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw invalid("the body cannot be read as JSON: " + e.getMessage());
        }
    }

    private static Sample reading(JsonParser p, int index, Precision precision) throws IOException, IngestRefusal {
        String at = "readings[" + index + "]: ";
        expect(p, p.currentToken(), JsonToken.START_OBJECT, at + "must be an object");
        String sensor = null;
        Double value = null;
        long time = Sample.NO_TIME;
        String unit = "";
        Long stream = null;
        Long seq = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "sensor" -> {
                    expect(p, t, JsonToken.VALUE_STRING, at + "\"sensor\" must be a string");
                    sensor = p.getText();
                }
                case "value" -> value = switch (t) {
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                    case VALUE_TRUE -> 1.0;
                    case VALUE_FALSE -> 0.0;
                    default -> throw invalid(at + "\"value\" must be a number, true or false");
                };
                case "ts" -> {
                    long ts = integer(p, t, at + "\"ts\"");
                    try {
                        time = precision.toNanos(ts);
                    } catch (ArithmeticException e) {
                        throw invalid(at + "\"ts\" " + ts + " is out of range");
                    }
                }
                case "unit" -> {
                    expect(p, t, JsonToken.VALUE_STRING, at + "\"unit\" must be a string");
                    unit = p.getText();
                }
                case "stream" -> stream = integer(p, t, at + "\"stream\"");
                case "seq" -> seq = integer(p, t, at + "\"seq\"");
                default -> throw invalid(at + "unknown member \"" + printable(name)
                        + "\"; a reading has sensor, value, ts, unit, stream, seq");
            }
        }
        if (sensor == null || value == null) {
            throw invalid(at + "needs \"sensor\" and \"value\"");
        }
        if ((stream == null) != (seq == null)) {
            throw invalid(at + "\"stream\" and \"seq\" go together: give both or neither");
        }
        if (seq != null && time == Sample.NO_TIME) {
            // An arrival time differs on every retry, and a retry must match what its key stored.
            throw invalid(at + "\"stream\" and \"seq\" need \"ts\": a retry must resend the same reading");
        }
        if (seq != null && seq < 1) {
            throw invalid(at + "\"seq\" is " + seq + "; it starts at 1");
        }
        return new Sample(sensor, value, time, stream == null ? 0 : stream, seq == null ? 0 : seq, unit);
    }

    private static long integer(JsonParser p, JsonToken t, String what) throws IOException, IngestRefusal {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw invalid(what + " must be an integer (64-bit)");
        }
        return p.getLongValue();
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken wanted, String problem) throws IngestRefusal {
        if (got != wanted) {
            throw invalid(problem);
        }
    }

    private static IngestRefusal invalid(String why) {
        return new IngestRefusal(IngestRefusal.Reason.INVALID, why);
    }

    private static String printable(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
