package io.pigateway.protocol;

/**
 * The bytes are not a valid frame: wrong magic or CRC mismatch, after which the stream cannot be
 * trusted to be at a frame boundary; or a frame whose CRC matched but whose payload does not add up
 * (a count past the end, trailing bytes, invalid UTF-8), where the stream is still in step but the
 * sender is broken. Either way the receiver answers MALFORMED_FRAME and closes the connection.
 */
public final class CorruptFrameException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public CorruptFrameException(String message) {
        super(NackCode.MALFORMED_FRAME, message);
    }
}
