package io.pigateway.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes the payload of each frame type. All integers are big-endian; a string is a
 * u16 byte count followed by that many bytes of UTF-8. The layouts (offsets from the payload start):
 *
 * <pre>
 * HELLO      u16 protocolVersion | string deviceId | i64 clientClockMillis | i64 streamId
 *            | u16 credentialsLength | credentials bytes
 *            | u16 sensorCount | sensorCount × ( string name | string unit | string kind | u8 flags )
 *              flags bit 0: simulated; other bits 0; a receiver may cap sensorCount (checked
 *              before any sensor is decoded, see {@link TooManySensorsException})
 * HELLO_OK   i64 gatewayClockMillis | u32 maxPayloadBytes | u16 maxReadingsPerFrame
 * READINGS   u16 sensorCount S (≥ 1) | S × string sensorName
 *            | u16 readingCount R (≥ 1) | R × ( i64 seq | u16 sensorIndex (&lt; S) | i64 timestampMillis | f64 value )
 *            timestampMillis below 946684800000 (2000-01-01): time unknown, sampled before the device's clock
 *            was set (docs/PROTOCOL.md, "Clocks")
 * ACK        i64 upToSeq
 * NACK       u16 code | u32 retryAfterMillis | string reason (≤ 1024 bytes)
 * PING, PONG i64 nonce
 * BYE        (empty)
 * CHALLENGE  u8 scheme (1 = HMAC-SHA256, see {@link HelloProof}) | 32 bytes nonce
 * </pre>
 *
 * A payload must be consumed exactly: trailing bytes make the frame malformed. Public for this
 * reference; encoding and decoding are reached through {@link FrameWriter} and {@link FrameReader}.
 */
public final class Payloads {
    static final int MAX_U16 = 0xFFFF;
    static final int MAX_REASON_BYTES = 1024;
    /** Bytes per reading inside READINGS after the sensor table: seq, index, timestamp, value. */
    static final int READING_BYTES = 8 + 2 + 8 + 8;

    private Payloads() {
    }

    static byte[] encode(Message message) {
        var bytes = new ByteArrayOutputStream(64);
        try (var out = new DataOutputStream(bytes)) {
            switch (message) {
                case Message.Hello h -> {
                    out.writeShort(h.protocolVersion());
                    writeString(out, h.deviceId());
                    out.writeLong(h.clientClockMillis());
                    out.writeLong(h.streamId());
                    byte[] credentials = h.credentials();
                    out.writeShort(credentials.length);
                    out.write(credentials);
                    out.writeShort(h.sensors().size());
                    for (SensorInfo sensor : h.sensors()) {
                        writeString(out, sensor.name());
                        writeString(out, sensor.unit());
                        writeString(out, sensor.kind());
                        out.writeByte(sensor.simulated() ? 1 : 0);
                    }
                }
                case Message.HelloOk ok -> {
                    out.writeLong(ok.gatewayClockMillis());
                    out.writeInt(ok.maxPayloadBytes());
                    out.writeShort(ok.maxReadingsPerFrame());
                }
                case Message.Readings r -> writeReadings(out, r.readings());
                case Message.Ack a -> out.writeLong(a.upToSeq());
                case Message.Nack n -> {
                    out.writeShort(n.code());
                    out.writeInt(n.retryAfterMillis());
                    writeString(out, n.reason());
                }
                case Message.Ping p -> out.writeLong(p.nonce());
                case Message.Pong p -> out.writeLong(p.nonce());
                case Message.Bye b -> {
                }
                case Message.Challenge c -> {
                    out.writeByte(c.scheme());
                    out.write(c.nonce());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void writeReadings(DataOutputStream out, List<Reading> readings) throws IOException {
        Map<String, Integer> index = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Reading r : readings) {
            if (index.putIfAbsent(r.sensor(), names.size()) == null) {
                names.add(r.sensor());
            }
        }
        if (names.size() > MAX_U16) {
            throw new IllegalArgumentException("READINGS with " + names.size() + " sensor names; at most " + MAX_U16);
        }
        out.writeShort(names.size());
        for (String name : names) {
            writeString(out, name);
        }
        out.writeShort(readings.size());
        for (Reading r : readings) {
            out.writeLong(r.seq());
            out.writeShort(index.get(r.sensor()));
            out.writeLong(r.timestampMillis());
            out.writeDouble(r.value());
        }
    }

    static Message decode(FrameType type, byte[] payload) throws ProtocolException {
        return decode(type, payload, payload.length, MAX_U16);
    }

    /**
     * Decodes the first {@code length} bytes of {@code payload}. A HELLO announcing more than
     * {@code maxHelloSensors} sensors is refused from its count, before any sensor is decoded.
     */
    static Message decode(FrameType type, byte[] payload, int length, int maxHelloSensors) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(payload, 0, length);
        try {
            Message m = switch (type) {
                case HELLO -> {
                    int version = u16(in);
                    String deviceId = string(in, "device id");
                    long clock = in.getLong();
                    long stream = in.getLong();
                    byte[] credentials = bytes(in, "HELLO credentials");
                    int sensorCount = u16(in);
                    if (sensorCount > maxHelloSensors) {
                        throw new TooManySensorsException(sensorCount, maxHelloSensors);
                    }
                    List<SensorInfo> sensors = new ArrayList<>(Math.min(sensorCount, 256));
                    for (int i = 0; i < sensorCount; i++) {
                        String name = string(in, "sensor name");
                        String unit = string(in, "sensor unit");
                        String kind = string(in, "sensor kind");
                        int flags = in.get() & 0xFF;
                        if ((flags & ~1) != 0) {
                            throw new CorruptFrameException(String.format("HELLO sensor %d has unknown flags 0x%02x", i, flags));
                        }
                        sensors.add(new SensorInfo(name, unit, kind, (flags & 1) != 0));
                    }
                    yield new Message.Hello(version, deviceId, clock, stream, credentials, sensors);
                }
                case HELLO_OK -> {
                    long clock = in.getLong();
                    long maxPayload = Integer.toUnsignedLong(in.getInt());
                    int maxReadings = u16(in);
                    if (maxPayload == 0 || maxPayload > Frames.PROTOCOL_MAX_PAYLOAD || maxReadings == 0) {
                        throw new CorruptFrameException("HELLO_OK limits out of range: maxPayloadBytes="
                                + maxPayload + ", maxReadingsPerFrame=" + maxReadings);
                    }
                    yield new Message.HelloOk(clock, (int) maxPayload, maxReadings);
                }
                case READINGS -> readReadings(in);
                case ACK -> new Message.Ack(in.getLong());
                case NACK -> {
                    int code = u16(in);
                    long retry = Integer.toUnsignedLong(in.getInt());
                    String reason = string(in, "reason");
                    yield new Message.Nack(code, (int) Math.min(retry, Integer.MAX_VALUE), reason);
                }
                case PING -> new Message.Ping(in.getLong());
                case PONG -> new Message.Pong(in.getLong());
                case BYE -> new Message.Bye();
                case CHALLENGE -> {
                    int scheme = in.get() & 0xFF;
                    if (scheme != HelloProof.SCHEME) {
                        throw new CorruptFrameException("CHALLENGE scheme " + scheme + " is unknown; this version knows "
                                + HelloProof.SCHEME + " (HMAC-SHA256)");
                    }
                    byte[] nonce = new byte[HelloProof.NONCE_BYTES];
                    in.get(nonce);
                    yield new Message.Challenge(scheme, nonce);
                }
            };
            if (in.hasRemaining()) {
                throw new CorruptFrameException(type + " payload has " + in.remaining()
                        + " trailing bytes after " + in.position() + " bytes of content");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new CorruptFrameException(type + " payload of " + length
                    + " bytes ends in the middle of a field at offset " + in.position());
        }
    }

    private static Message.Readings readReadings(ByteBuffer in) throws CorruptFrameException {
        int sensorCount = u16(in);
        if (sensorCount == 0) {
            throw new CorruptFrameException("READINGS payload declares 0 sensor names");
        }
        // Each name takes at least its 2-byte length: refuse a count the payload cannot hold before
        // allocating the table for it.
        if (sensorCount > in.remaining() / 2) {
            throw new CorruptFrameException("READINGS payload declares " + sensorCount + " sensor names but only "
                    + in.remaining() + " bytes follow");
        }
        String[] names = new String[sensorCount];
        for (int i = 0; i < sensorCount; i++) {
            names[i] = string(in, "sensor name");
        }
        int count = u16(in);
        if (count == 0) {
            throw new CorruptFrameException("READINGS payload declares 0 readings");
        }
        if ((long) count * READING_BYTES != in.remaining()) {
            throw new CorruptFrameException("READINGS payload declares " + count + " readings ("
                    + (long) count * READING_BYTES + " bytes) but " + in.remaining() + " bytes follow");
        }
        List<Reading> readings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = in.getLong();
            int sensor = u16(in);
            if (sensor >= sensorCount) {
                throw new CorruptFrameException("READINGS reading " + i + " names sensor index " + sensor
                        + " but only " + sensorCount + " sensor names were sent");
            }
            readings.add(new Reading(seq, names[sensor], in.getLong(), in.getDouble()));
        }
        return new Message.Readings(readings);
    }

    private static int u16(ByteBuffer in) {
        return Short.toUnsignedInt(in.getShort());
    }

    /** A u16 length and that many bytes; the length is checked against the payload before anything is allocated. */
    private static byte[] bytes(ByteBuffer in, String what) throws CorruptFrameException {
        int length = u16(in);
        if (length > in.remaining()) {
            throw new CorruptFrameException(what + " length " + length + " exceeds the " + in.remaining()
                    + " bytes left in the payload");
        }
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    private static String string(ByteBuffer in, String what) throws CorruptFrameException {
        int length = u16(in);
        if (length > in.remaining()) {
            throw new CorruptFrameException(what + " length " + length + " exceeds the " + in.remaining()
                    + " bytes left in the payload");
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(length); // UTF-8 never decodes to more UTF-16 units than bytes
        CoderResult result = decoder.decode(slice, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new CorruptFrameException(what + " is not valid UTF-8 at byte " + slice.position() + " of " + length
                    + " (" + hex(slice, slice.position(), 4) + ")");
        }
        return out.flip().toString();
    }

    /** Up to {@code max} bytes of {@code b} from {@code from}, as {@code 0xC3 0x28}. */
    private static String hex(ByteBuffer b, int from, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < Math.min(b.limit(), from + max); i++) {
            s.append(s.isEmpty() ? "" : " ").append(String.format("0x%02X", b.get(i)));
        }
        return s.toString();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        checkU16("string length", utf8.length);
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    static void checkU16(String what, int value) {
        if (value < 0 || value > MAX_U16) {
            throw new IllegalArgumentException(what + " must be 0.." + MAX_U16 + ", not " + value);
        }
    }

    static void checkStringLength(String what, String s) {
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_U16) {
            throw new IllegalArgumentException(what + " is " + bytes + " bytes of UTF-8; at most " + MAX_U16);
        }
    }

    /** Cuts {@code s} to at most {@code maxBytes} of UTF-8 without splitting a character. */
    static String truncateUtf8(String s, int maxBytes) {
        if (s.length() * 3 <= maxBytes || s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        ByteBuffer out = ByteBuffer.allocate(maxBytes);
        StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .encode(CharBuffer.wrap(s), out, true);
        return new String(out.array(), 0, out.position(), StandardCharsets.UTF_8);
    }
}
