package io.pigateway.protocol;

/** A frame header carries a version byte this implementation does not speak. */
public final class UnsupportedVersionException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public UnsupportedVersionException(int actual) {
        super(NackCode.UNSUPPORTED_VERSION,
                "frame version " + actual + " is not supported; expected " + Frames.VERSION);
    }
}
