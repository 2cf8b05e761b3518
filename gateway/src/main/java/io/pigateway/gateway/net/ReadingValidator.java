package io.pigateway.gateway.net;

import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a READINGS frame before anything of it is queued: the whole frame is accepted or refused,
 * so a cumulative ACK never skips over a refused reading. One instance per connection, since
 * sequence numbers must rise across the connection's frames and sensors must have been announced in
 * the connection's HELLO (so that every stored reading has a known unit and kind).
 */
public final class ReadingValidator {
    /** 9999-12-31T23:59:59.999Z, the last instant a DATETIME column holds. */
    public static final long MAX_TIMESTAMP_MILLIS = 253_402_300_799_999L;

    private final int maxReadingsPerFrame;
    /**
     * The sensor names HELLO announced, sorted; each already passed {@link SensorInfo#problem()}. An
     * array rather than a set (32 bytes instead of about 270 for four names), and the names interned:
     * thousands of idle devices hold this, and their sensors mostly share a few names.
     */
    private final String[] announced;
    private long lastSeq;

    ReadingValidator(int maxReadingsPerFrame, List<SensorInfo> sensors) {
        this.maxReadingsPerFrame = maxReadingsPerFrame;
        this.announced = sensors.stream().map(s -> s.name().intern()).distinct().sorted().toArray(String[]::new);
    }

    void check(Message.Readings frame) throws ProtocolException {
        int count = frame.readings().size();
        if (count > maxReadingsPerFrame) {
            throw new ProtocolException(NackCode.TOO_MANY_READINGS, "READINGS frame holds " + count
                    + " readings; this gateway accepts at most " + maxReadingsPerFrame + " per frame");
        }
        long previous = lastSeq;
        for (Reading r : frame.readings()) {
            if (r.seq() <= previous) {
                throw new ProtocolException(NackCode.SEQUENCE_ERROR, previous == 0
                        ? "reading seq " + r.seq() + " is not positive; sequence numbers start at 1"
                        : "reading seq " + r.seq() + " follows seq " + previous + "; sequence numbers must rise");
            }
            previous = r.seq();
            if (Arrays.binarySearch(announced, r.sensor()) < 0) {
                String problem = Identifiers.problem("sensor name", r.sensor());
                throw new ProtocolException(NackCode.INVALID_READING, "reading seq " + r.seq() + ": " + (problem != null
                        ? problem : "sensor " + r.sensor() + " was not announced in HELLO (" + announced.length
                        + " sensors were); a reading is stored only with its sensor's unit and kind"));
            }
            if (!Double.isFinite(r.value())) {
                throw new ProtocolException(NackCode.INVALID_READING, "reading seq " + r.seq() + " (sensor "
                        + r.sensor() + ") has value " + r.value() + "; only finite numbers are stored");
            }
            if (r.timestampMillis() < 0 || r.timestampMillis() > MAX_TIMESTAMP_MILLIS) {
                throw new ProtocolException(NackCode.INVALID_READING, "reading seq " + r.seq() + " has timestamp "
                        + r.timestampMillis() + " ms; allowed are 0 (1970) to " + MAX_TIMESTAMP_MILLIS + " (year 9999)");
            }
        }
        lastSeq = previous;
    }
}
