package io.pigateway.gateway.auth;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down the answers to HELLOs that keep failing, per source and device id: once a device id
 * has failed n times in a row from one source ({@link SourcePrefix}), the answer to its next HELLO
 * from there waits {@code 250 ms × 2^(n-1)}, at most {@value #MAX_DELAY_MILLIS} ms. The CHALLENGE is
 * never delayed, and other device ids from the same source (devices behind one NAT router, LTE
 * router or VPN concentrator) are not slowed at all, so one device with a stale secret cannot lock
 * its neighbours out.
 *
 * <p>The wait applies to the answer whatever it is, HELLO_OK or AUTHENTICATION_FAILED: a client that
 * could tell a success by its speed would not need to wait for the answer to a failure. The cap stays
 * well below the sensor client's {@code gateway.connect-timeout} (5 s by default; the client waits
 * that long for each answer of the handshake), so a device whose secret was just fixed still gets in
 * on its first try, and a waiting connection holds its handshake slot for seconds, not minutes.
 *
 * <p>A device id is forgiven {@value #FORGET_AFTER_MINUTES} minutes after its last failure, or at once
 * when it authenticates from that source; a success of one device clears no other's record. At most
 * {@value #MAX_RECORDS} records are kept; beyond that the one whose last failure is oldest goes, so a
 * flood of invented device ids costs memory it cannot grow and wipes no one else's record at once.
 * Thread-safe.
 */
public final class FailurePenalty {
    static final long FIRST_DELAY_MILLIS = 250;
    /** Below the client's 5 s default connect timeout with room for a slow link: see the class comment. */
    static final long MAX_DELAY_MILLIS = 2_000;
    static final long FORGET_AFTER_MINUTES = 10;
    static final int MAX_RECORDS = 10_000;

    private record Key(SourcePrefix source, String deviceId) { }

    private record Record(int failures, long lastNanos) { }

    /** In the order of each key's last failure, oldest first (a failure moves its key to the end). */
    private final LinkedHashMap<Key, Record> records = new LinkedHashMap<>();
    private final LongSupplier nanoClock;

    public FailurePenalty() {
        this(System::nanoTime);
    }

    FailurePenalty(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Answers a secret check of {@code deviceId} from {@code source} made by the caller: waits out the
     * {@link #delay} due, whatever the outcome, then records it. Returns {@code null} if the check passed
     * ({@code problem} is null), else {@code problem} with the failures in a row and the waits, for the
     * operator's log line; the sender is told only that authentication failed.
     */
    public String settle(SourcePrefix source, String deviceId, String problem) throws InterruptedException {
        Duration wait = delay(source, deviceId);
        if (!wait.isZero()) {
            Thread.sleep(wait.toMillis());
        }
        if (problem == null) {
            succeeded(source, deviceId);
            return null;
        }
        int failures = failed(source, deviceId);
        return problem + "; " + failures + " failure(s) in a row of this device id from " + source + " (answer delayed "
                + wait.toMillis() + " ms; the next one waits " + delay(source, deviceId).toMillis() + " ms)";
    }

    /** Counts a failed HELLO of {@code deviceId} from {@code source}; returns its failures in a row. */
    public synchronized int failed(SourcePrefix source, String deviceId) {
        long now = nanoClock.getAsLong();
        Key key = new Key(source, deviceId);
        Record old = records.remove(key);
        int failures = old == null || expired(old, now) ? 1 : old.failures + 1;
        records.put(key, new Record(failures, now));
        forgetOldest(now);
        return failures;
    }

    /** {@code deviceId} proved its secret from {@code source}: its record there goes; no other's does. */
    public synchronized void succeeded(SourcePrefix source, String deviceId) {
        records.remove(new Key(source, deviceId));
    }

    /** How long to wait before answering a HELLO of {@code deviceId} from {@code source}. */
    public synchronized Duration delay(SourcePrefix source, String deviceId) {
        Record r = records.get(new Key(source, deviceId));
        if (r == null || expired(r, nanoClock.getAsLong())) {
            return Duration.ZERO;
        }
        int doublings = Math.min(r.failures - 1, 20);
        return Duration.ofMillis(Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << doublings));
    }

    synchronized int size() {
        return records.size();
    }

    /** Drops expired records from the old end, then the oldest ones beyond {@link #MAX_RECORDS}. */
    private void forgetOldest(long now) {
        Iterator<Map.Entry<Key, Record>> it = records.entrySet().iterator();
        while (it.hasNext()) {
            Record r = it.next().getValue();
            if (records.size() <= MAX_RECORDS && !expired(r, now)) {
                return;
            }
            it.remove();
        }
    }

    private static boolean expired(Record r, long now) {
        return now - r.lastNanos > Duration.ofMinutes(FORGET_AFTER_MINUTES).toNanos();
    }
}
