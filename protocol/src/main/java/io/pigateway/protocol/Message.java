package io.pigateway.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The messages of protocol v1, one record per frame type. Constructors check only what the wire
 * format itself limits (lengths, counts); whether a device id or a value is acceptable is the
 * receiver's decision, see {@link Identifiers}.
 */
public sealed interface Message {

    FrameType type();

    /**
     * Client → gateway, first frame on every connection. {@code sensors} announces the client's
     * sensors (names, units, kinds), recorded by the gateway with the session.
     */
    record Hello(int protocolVersion, String deviceId, long clientClockMillis, long streamId, byte[] credentials,
                 List<SensorInfo> sensors) implements Message {
        public Hello {
            Objects.requireNonNull(deviceId, "deviceId");
            credentials = credentials == null ? new byte[0] : credentials.clone();
            sensors = sensors == null ? List.of() : List.copyOf(sensors);
            Payloads.checkU16("HELLO protocol version", protocolVersion);
            Payloads.checkStringLength("HELLO device id", deviceId);
            Payloads.checkU16("HELLO credentials length", credentials.length);
            Payloads.checkU16("HELLO sensor count", sensors.size());
        }

        public Hello(int protocolVersion, String deviceId, long clientClockMillis, long streamId, byte[] credentials) {
            this(protocolVersion, deviceId, clientClockMillis, streamId, credentials, List.of());
        }

        public Hello(String deviceId, long clientClockMillis, long streamId) {
            this(Frames.VERSION, deviceId, clientClockMillis, streamId, new byte[0], List.of());
        }

        public Hello(String deviceId, long clientClockMillis, long streamId, List<SensorInfo> sensors) {
            this(Frames.VERSION, deviceId, clientClockMillis, streamId, new byte[0], sensors);
        }

        @Override
        public byte[] credentials() {
            return credentials.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.HELLO;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && protocolVersion == h.protocolVersion && deviceId.equals(h.deviceId)
                    && clientClockMillis == h.clientClockMillis && streamId == h.streamId
                    && Arrays.equals(credentials, h.credentials) && sensors.equals(h.sensors);
        }

        @Override
        public int hashCode() {
            return Objects.hash(protocolVersion, deviceId, clientClockMillis, streamId, Arrays.hashCode(credentials),
                    sensors);
        }

        @Override
        public String toString() {
            return "Hello[v" + protocolVersion + ", device=" + deviceId + ", clock=" + clientClockMillis
                    + ", stream=" + Long.toHexString(streamId) + ", credentials=" + credentials.length + " bytes"
                    + ", sensors=" + sensors + "]";
        }
    }

    /** Gateway → client: handshake accepted, with the gateway's clock and its limits. */
    record HelloOk(long gatewayClockMillis, int maxPayloadBytes, int maxReadingsPerFrame) implements Message {
        public HelloOk {
            if (maxPayloadBytes <= 0 || maxReadingsPerFrame <= 0 || maxReadingsPerFrame > Payloads.MAX_U16) {
                throw new IllegalArgumentException("HELLO_OK limits out of range: maxPayloadBytes="
                        + maxPayloadBytes + ", maxReadingsPerFrame=" + maxReadingsPerFrame);
            }
        }

        @Override
        public FrameType type() {
            return FrameType.HELLO_OK;
        }
    }

    /** Client → gateway: a batch of readings, sequence numbers strictly increasing. */
    record Readings(List<Reading> readings) implements Message {
        public Readings {
            readings = List.copyOf(readings);
            if (readings.isEmpty() || readings.size() > Payloads.MAX_U16) {
                throw new IllegalArgumentException(
                        "READINGS must hold 1.." + Payloads.MAX_U16 + " readings, not " + readings.size());
            }
        }

        @Override
        public FrameType type() {
            return FrameType.READINGS;
        }

        public long firstSeq() {
            return readings.getFirst().seq();
        }

        public long lastSeq() {
            return readings.getLast().seq();
        }
    }

    /** Gateway → client: every reading of this connection's stream with seq ≤ {@code upToSeq} is committed. */
    record Ack(long upToSeq) implements Message {
        @Override
        public FrameType type() {
            return FrameType.ACK;
        }
    }

    /**
     * Either side: a refusal. {@code code} is a {@link NackCode} number (kept as an int so a newer
     * peer's codes survive decoding); {@code retryAfterMillis} is 0 when the sender has no advice.
     */
    record Nack(int code, int retryAfterMillis, String reason) implements Message {
        public Nack {
            Objects.requireNonNull(reason, "reason");
            Payloads.checkU16("NACK code", code);
            if (retryAfterMillis < 0) {
                throw new IllegalArgumentException("NACK retryAfterMillis must be >= 0, not " + retryAfterMillis);
            }
            reason = Payloads.truncateUtf8(reason, Payloads.MAX_REASON_BYTES);
        }

        public Nack(NackCode code, String reason) {
            this(code.code(), 0, reason);
        }

        public Nack(NackCode code, int retryAfterMillis, String reason) {
            this(code.code(), retryAfterMillis, reason);
        }

        /** The known code, or {@code null} if this version does not know the number. */
        public NackCode nackCode() {
            return NackCode.ofCode(code);
        }

        @Override
        public FrameType type() {
            return FrameType.NACK;
        }
    }

    /** Either side: are you there? Answered by a PONG with the same nonce. */
    record Ping(long nonce) implements Message {
        @Override
        public FrameType type() {
            return FrameType.PING;
        }
    }

    record Pong(long nonce) implements Message {
        @Override
        public FrameType type() {
            return FrameType.PONG;
        }
    }

    /**
     * Gateway → client, the first frame on every connection: a fresh random nonce the client proves
     * its device secret against in HELLO (see {@link HelloProof}). Sent whether or not the gateway
     * checks secrets, so clients have one way to connect.
     */
    record Challenge(int scheme, byte[] nonce) implements Message {
        public Challenge {
            if (scheme != HelloProof.SCHEME) {
                throw new IllegalArgumentException("CHALLENGE scheme must be " + HelloProof.SCHEME + ", not " + scheme);
            }
            if (nonce == null || nonce.length != HelloProof.NONCE_BYTES) {
                throw new IllegalArgumentException("CHALLENGE nonce must be " + HelloProof.NONCE_BYTES + " bytes, not "
                        + (nonce == null ? "null" : nonce.length));
            }
            nonce = nonce.clone();
        }

        public Challenge(byte[] nonce) {
            this(HelloProof.SCHEME, nonce);
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.CHALLENGE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Challenge c && scheme == c.scheme && Arrays.equals(nonce, c.nonce);
        }

        @Override
        public int hashCode() {
            return 31 * scheme + Arrays.hashCode(nonce);
        }

        @Override
        public String toString() {
            return "Challenge[scheme=" + scheme + "]";
        }
    }

    /** Either side: I am closing. The gateway answers a client's BYE after its last ACK. */
    record Bye() implements Message {
        @Override
        public FrameType type() {
            return FrameType.BYE;
        }
    }
}
