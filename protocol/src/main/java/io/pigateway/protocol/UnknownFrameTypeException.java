package io.pigateway.protocol;

/**
 * A well-formed frame (its CRC matched) of a type this version does not define. The stream is still
 * at a frame boundary; the receiver decides whether to go on.
 */
public final class UnknownFrameTypeException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final int type;

    public UnknownFrameTypeException(int type) {
        super(NackCode.UNKNOWN_FRAME_TYPE, String.format("unknown frame type 0x%02x", type));
        this.type = type;
    }

    public int type() {
        return type;
    }
}
