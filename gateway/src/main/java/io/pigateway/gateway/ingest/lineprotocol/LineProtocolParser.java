package io.pigateway.gateway.ingest.lineprotocol;

import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser of InfluxDB line protocol (UTF-8), one point per line:
 * <pre>
 * measurement[,tag=value...] field=value[,field=value...] [timestamp]
 * weather,device=pi-attic,room=attic temp=21.5,hum=40i,ok=t,note="dry" 1700000000000000000
 * </pre>
 * <ul>
 *   <li>Lines end with {@code \n} (a {@code \r} before it is dropped). Empty lines and lines whose first
 *       non-blank character is {@code #} are skipped; a newline inside a string field is not supported.</li>
 *   <li>Escapes: in the measurement {@code \,} and {@code \ }; in tag keys, tag values and field keys
 *       {@code \,} {@code \=} and {@code \ }; in string field values {@code \"}; everywhere {@code \\} is
 *       one backslash. A backslash before any other character is kept as written.</li>
 *   <li>Field values: a float ({@code 21.5}, {@code -1e3}, {@code 7}), a signed integer {@code 7i}, an
 *       unsigned integer {@code 7u}, a string {@code "..."}, a boolean {@code t T true True TRUE f F false
 *       False FALSE}. NaN and infinities are refused.</li>
 *   <li>The timestamp is optional, an integer in the request's {@link Precision}.</li>
 *   <li>Limits, each checked before the part it limits is allocated: the line's length in bytes, the
 *       number of tags, the number of fields. A tag or field key given twice on a line is refused.</li>
 * </ul>
 * Errors are {@link LineProtocolException}s naming the 1-based line and, in the reason, the byte column.
 * Thread-safe: it keeps no state between calls.
 */
public final class LineProtocolParser {
    private final int maxLineBytes;
    private final int maxTags;
    private final int maxFields;

    public LineProtocolParser(LineProtocolConfig config) {
        this(config.maxLineBytes(), config.maxTags(), config.maxFields());
    }

    public LineProtocolParser(int maxLineBytes, int maxTags, int maxFields) {
        this.maxLineBytes = maxLineBytes;
        this.maxTags = maxTags;
        this.maxFields = maxFields;
    }

    /** The longest line accepted, in bytes without its newline: for readers that must bound their buffer. */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /** Every point of a body of newline-separated lines; the first bad line fails the whole body. */
    public List<Point> parse(byte[] body, int length, Precision precision) throws LineProtocolException {
        List<Point> points = new ArrayList<>();
        int line = 0;
        int start = 0;
        while (start < length) {
            line++;
            int end = start;
            while (end < length && body[end] != '\n') {
                end++;
            }
            Point p = parseLine(body, start, end - start, line, precision);
            if (p != null) {
                points.add(p);
            }
            start = end + 1;
        }
        return points;
    }

    /** {@link #parseLine(byte[], int, int, int, Precision)} of a line given as text (no newline). */
    public Point parseLine(String line, int lineNumber, Precision precision) throws LineProtocolException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parseLine(bytes, 0, bytes.length, lineNumber, precision);
    }

    /**
     * The point of one line, {@code length} bytes from {@code offset} without its {@code \n}, or
     * {@code null} if the line is empty or a comment.
     */
    public Point parseLine(byte[] buf, int offset, int length, int lineNumber, Precision precision)
            throws LineProtocolException {
        if (length > 0 && buf[offset + length - 1] == '\r') {
            length--;
        }
        if (length > maxLineBytes) {
            throw new LineProtocolException(lineNumber, Kind.LIMIT, "the line is " + length
                    + " bytes long; at most " + maxLineBytes + " are allowed (ingest.line-protocol.max-line-bytes)");
        }
        return new Cursor(buf, offset, offset + length, lineNumber).point(precision);
    }

    /** The state of parsing one line. */
    private final class Cursor {
        private final byte[] b;
        private final int start;
        private final int end;
        private final int line;
        private int pos;

        Cursor(byte[] b, int start, int end, int line) {
            this.b = b;
            this.start = start;
            this.end = end;
            this.line = line;
            this.pos = start;
        }

        Point point(Precision precision) throws LineProtocolException {
            while (pos < end && (b[pos] == ' ' || b[pos] == '\t')) {
                pos++;
            }
            if (pos == end || b[pos] == '#') {
                return null;
            }
            String measurement = name("measurement", ",");
            Map<String, String> tags = new LinkedHashMap<>();
            while (pos < end && b[pos] == ',') {
                pos++;
                if (tags.size() == maxTags) {
                    throw error(Kind.LIMIT, "the line has more than " + maxTags
                            + " tags (ingest.line-protocol.max-tags)");
                }
                String key = name("tag key", ",= ");
                expect('=', "tag '" + key + "' has no '=value'");
                String value = name("value of tag '" + key + "'", ",= ");
                if (tags.putIfAbsent(key, value) != null) {
                    throw error(Kind.SYNTAX, "tag '" + key + "' is given twice");
                }
            }
            if (pos == end) {
                throw error(Kind.SYNTAX, "the line has no fields (measurement[,tag=value...] field=value[,...] [time])");
            }
            expect(' ', "expected a space or ',' after the " + (tags.isEmpty() ? "measurement" : "tags"));
            skipSpaces();
            Map<String, FieldValue> fields = new LinkedHashMap<>();
            while (true) {
                if (fields.size() == maxFields) {
                    throw error(Kind.LIMIT, "the line has more than " + maxFields
                            + " fields (ingest.line-protocol.max-fields)");
                }
                String key = name("field key", ",= ");
                expect('=', "field '" + key + "' has no '=value'");
                FieldValue value = fieldValue(key);
                if (fields.putIfAbsent(key, value) != null) {
                    throw error(Kind.SYNTAX, "field '" + key + "' is given twice");
                }
                if (pos == end || b[pos] != ',') {
                    break;
                }
                pos++;
            }
            long time = Point.NO_TIME;
            if (pos < end) {
                expect(' ', "expected ',', a space or the end of the line after field '" + lastKey(fields) + "'");
                skipSpaces();
                if (pos < end) {
                    time = timestamp(precision);
                }
            }
            skipSpaces();
            if (pos < end) {
                throw error(Kind.SYNTAX, "unexpected text after the timestamp");
            }
            return new Point(measurement, tags, fields, time, line);
        }

        private String lastKey(Map<String, FieldValue> fields) {
            String last = null;
            for (String k : fields.keySet()) {
                last = k;
            }
            return last;
        }

        private void skipSpaces() {
            while (pos < end && b[pos] == ' ') {
                pos++;
            }
        }

        private void expect(char c, String problem) throws LineProtocolException {
            if (pos >= end || b[pos] != c) {
                throw error(Kind.SYNTAX, problem);
            }
            pos++;
        }

        /**
         * A measurement, tag key, tag value or field key: up to an unescaped space, or one of
         * {@code stops}; {@code \} before a space, one of {@code stops} or {@code \} escapes it.
         */
        private String name(String what, String stops) throws LineProtocolException {
            int from = pos;
            boolean escaped = false;
            while (pos < end) {
                byte c = b[pos];
                if (c == '\\' && pos + 1 < end && isEscapable(b[pos + 1], stops)) {
                    escaped = true;
                    pos += 2;
                    continue;
                }
                if (c == ' ' || stops.indexOf(c) >= 0) {
                    break;
                }
                if (c == '\t' || c == '\r') {
                    throw error(Kind.SYNTAX, what + " contains a " + (c == '\t' ? "tab" : "carriage return"));
                }
                pos++;
            }
            if (pos == from) {
                throw error(Kind.SYNTAX, what + " is empty");
            }
            if (!escaped) {
                return new String(b, from, pos - from, StandardCharsets.UTF_8);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(pos - from);
            for (int i = from; i < pos; i++) {
                if (b[i] == '\\' && i + 1 < pos && isEscapable(b[i + 1], stops)) {
                    i++;
                }
                out.write(b[i]);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        private static boolean isEscapable(byte next, String stops) {
            return next == ' ' || next == '\\' || stops.indexOf(next) >= 0;
        }

        private FieldValue fieldValue(String key) throws LineProtocolException {
            if (pos < end && b[pos] == '"') {
                return string(key);
            }
            int from = pos;
            while (pos < end && b[pos] != ',' && b[pos] != ' ') {
                pos++;
            }
            if (pos == from) {
                throw error(Kind.SYNTAX, "field '" + key + "' has no value");
            }
            String text = new String(b, from, pos - from, StandardCharsets.US_ASCII);
            FieldValue v = value(text);
            if (v == null) {
                pos = from;
                throw error(Kind.SYNTAX, "field '" + key + "' has value '" + printable(text) + "', which is not a float"
                        + " (21.5), integer (7i), unsigned integer (7u), string (\"...\") or boolean (t, false)");
            }
            return v;
        }

        private FieldValue string(String key) throws LineProtocolException {
            int open = pos;
            pos++;
            ByteArrayOutputStream out = null;
            int from = pos;
            while (pos < end && b[pos] != '"') {
                if (b[pos] == '\\' && pos + 1 < end && (b[pos + 1] == '"' || b[pos + 1] == '\\')) {
                    if (out == null) {
                        out = new ByteArrayOutputStream(end - from);
                        out.write(b, from, pos - from);
                    }
                    out.write(b[pos + 1]);
                    pos += 2;
                    continue;
                }
                if (out != null) {
                    out.write(b[pos]);
                }
                pos++;
            }
            if (pos == end) {
                pos = open;
                throw error(Kind.SYNTAX, "string of field '" + key + "' has no closing '\"'");
            }
            String text = out == null ? new String(b, from, pos - from, StandardCharsets.UTF_8)
                    : out.toString(StandardCharsets.UTF_8);
            pos++;
            return new FieldValue.StringValue(text);
        }

        private long timestamp(Precision precision) throws LineProtocolException {
            int from = pos;
            if (pos < end && (b[pos] == '-' || b[pos] == '+')) {
                pos++;
            }
            int digits = pos;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                pos++;
            }
            String text = new String(b, from, pos - from, StandardCharsets.US_ASCII);
            if (pos == digits || (pos < end && b[pos] != ' ')) {
                while (pos < end && b[pos] != ' ') {
                    pos++;
                }
                String all = new String(b, from, pos - from, StandardCharsets.UTF_8);
                pos = from;
                throw error(Kind.SYNTAX, "timestamp '" + printable(all) + "' is not an integer");
            }
            try {
                return precision.toNanos(Long.parseLong(text));
            } catch (NumberFormatException | ArithmeticException e) {
                pos = from;
                throw error(Kind.SYNTAX, "timestamp " + text + " in " + precision.name().toLowerCase()
                        + " is outside the range of nanoseconds a 64-bit integer holds");
            }
        }

        private LineProtocolException error(Kind kind, String reason) {
            return new LineProtocolException(line, kind, reason + " (column " + (pos - start + 1) + ")");
        }
    }

    /** The value a field's unquoted text stands for, or {@code null} if it is none. */
    static FieldValue value(String t) {
        switch (t) {
            case "t", "T", "true", "True", "TRUE":
                return new FieldValue.BooleanValue(true);
            case "f", "F", "false", "False", "FALSE":
                return new FieldValue.BooleanValue(false);
            default:
                break;
        }
        char last = t.charAt(t.length() - 1);
        try {
            if (last == 'i') {
                String n = t.substring(0, t.length() - 1);
                return isInteger(n, true) ? new FieldValue.IntegerValue(Long.parseLong(n)) : null;
            }
            if (last == 'u') {
                String n = t.substring(0, t.length() - 1);
                return isInteger(n, false) ? new FieldValue.UnsignedValue(Long.parseUnsignedLong(n)) : null;
            }
        } catch (NumberFormatException e) {
            return null; // out of range
        }
        if (!isFloat(t)) {
            return null;
        }
        double d = Double.parseDouble(t);
        return Double.isFinite(d) ? new FieldValue.FloatValue(d) : null;
    }

    private static boolean isInteger(String n, boolean signed) {
        int i = signed && !n.isEmpty() && (n.charAt(0) == '-' || n.charAt(0) == '+') ? 1 : 0;
        if (i == n.length()) {
            return false;
        }
        for (; i < n.length(); i++) {
            if (n.charAt(i) < '0' || n.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code [+-]digits[.digits][(e|E)[+-]digits]}, with digits on at least one side of the point. */
    private static boolean isFloat(String t) {
        int i = 0;
        int n = t.length();
        if (i < n && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
            i++;
        }
        int digits = 0;
        while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
            digits++;
        }
        if (i < n && t.charAt(i) == '.') {
            i++;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
                i++;
            }
            int exp = 0;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static String printable(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
