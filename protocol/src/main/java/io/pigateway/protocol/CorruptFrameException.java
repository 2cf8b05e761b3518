package io.pigateway.protocol;

/**
 * The bytes are not a valid frame: wrong magic, CRC mismatch, or a payload whose structure does not
 * add up. After this the stream cannot be trusted to be at a frame boundary: close the connection.
 */
public final class CorruptFrameException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public CorruptFrameException(String message) {
        super(NackCode.MALFORMED_FRAME, message);
    }
}
