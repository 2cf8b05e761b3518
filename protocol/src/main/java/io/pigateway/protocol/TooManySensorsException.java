package io.pigateway.protocol;

/** A HELLO announced more sensors than the receiver accepts. Refused from the count: none was decoded. */
public final class TooManySensorsException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final int count;
    private final int max;

    public TooManySensorsException(int count, int max) {
        super(NackCode.TOO_MANY_SENSORS, "HELLO announces " + count + " sensors; at most " + max
                + " are accepted from one device");
        this.count = count;
        this.max = max;
    }

    public int count() {
        return count;
    }

    public int max() {
        return max;
    }
}
