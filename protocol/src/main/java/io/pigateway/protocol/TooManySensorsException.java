package io.pigateway.protocol;

/** A HELLO announced more sensors than the receiver accepts. Refused from the count: none was decoded. */
public final class TooManySensorsException extends OverLimitException {
    private static final long serialVersionUID = 1L;

    public TooManySensorsException(int count, int max) {
        super(NackCode.TOO_MANY_SENSORS, "HELLO announces " + count + " sensors; at most " + max
                + " are accepted from one device", count, max);
    }

    /** The number of sensors the HELLO announced. */
    public int count() {
        return (int) announced();
    }
}
