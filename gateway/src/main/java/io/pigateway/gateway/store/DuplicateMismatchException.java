package io.pigateway.gateway.store;

/**
 * A frame was not stored because one or more of its (device, stream, seq) keys are already stored
 * with a different sensor, value or device time: the client reused seqs for other readings (a
 * restored or cloned SD card). Acknowledging it would discard those readings silently. The message
 * says how many readings differ and how the first one does.
 */
public final class DuplicateMismatchException extends Exception {
    private final int mismatched;

    public DuplicateMismatchException(String message, int mismatched) {
        super(message);
        this.mismatched = mismatched;
    }

    /** Readings of the frame whose stored namesakes differ. */
    public int mismatched() {
        return mismatched;
    }
}
