package io.pigateway.gateway.ingest.lineprotocol;

import java.util.Map;

/**
 * One parsed line: {@code measurement,tag=v field=v timestamp}.
 *
 * @param measurement the measurement, its escapes resolved
 * @param tags        tag key → value in the order written (no key twice)
 * @param fields      field key → value in the order written (at least one, no key twice)
 * @param timeNanos   the timestamp converted to nanoseconds since 1970, or {@link #NO_TIME} if the line has none
 * @param line        the 1-based line number in its request (or datagram, or stream)
 */
public record Point(String measurement, Map<String, String> tags, Map<String, FieldValue> fields, long timeNanos,
                    int line) {
    /** {@link #timeNanos()} of a line without timestamp; the same as {@code Sample.NO_TIME}. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public Point {
        tags = java.util.Collections.unmodifiableMap(tags);
        fields = java.util.Collections.unmodifiableMap(fields);
    }

    public boolean hasTime() {
        return timeNanos != NO_TIME;
    }
}
