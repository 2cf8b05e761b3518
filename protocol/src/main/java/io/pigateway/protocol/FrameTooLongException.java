package io.pigateway.protocol;

/** A frame header announced more payload bytes than the receiver accepts. Nothing was allocated. */
public final class FrameTooLongException extends OverLimitException {
    private static final long serialVersionUID = 1L;

    public FrameTooLongException(long length, int max) {
        super(NackCode.FRAME_TOO_LARGE,
                "frame payload length " + length + " bytes exceeds the maximum of " + max + " bytes", length, max);
    }

    /** The payload length the header announced. */
    public long length() {
        return announced();
    }
}
