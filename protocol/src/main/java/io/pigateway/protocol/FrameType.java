package io.pigateway.protocol;

/** The frame types of protocol v1 and their one-byte codes on the wire. */
public enum FrameType {
    HELLO(0x01),
    HELLO_OK(0x02),
    READINGS(0x03),
    ACK(0x04),
    NACK(0x05),
    PING(0x06),
    PONG(0x07),
    BYE(0x08),
    CHALLENGE(0x09);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a wire code, or {@code null} if v1 has no such type. */
    public static FrameType ofCode(int code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
