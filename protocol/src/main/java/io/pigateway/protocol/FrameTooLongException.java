package io.pigateway.protocol;

/** A frame header announced more payload bytes than the receiver accepts. Nothing was allocated. */
public final class FrameTooLongException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final long length;
    private final int max;

    public FrameTooLongException(long length, int max) {
        super(NackCode.FRAME_TOO_LARGE,
                "frame payload length " + length + " bytes exceeds the maximum of " + max + " bytes");
        this.length = length;
        this.max = max;
    }

    public long length() {
        return length;
    }

    public int max() {
        return max;
    }
}
