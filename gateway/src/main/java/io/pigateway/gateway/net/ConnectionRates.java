package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.gateway.config.HandshakeLimits;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How fast each source ({@link SourcePrefix}) may open new connections: a token bucket per source
 * ({@code limits.new-connections-per-second}, bursts up to {@code limits.new-connection-burst}), so that
 * one source cannot churn through the handshake slots ({@link ConnectionSlots}) and push out the
 * handshakes of others. The buckets of at most {@value #MAX_SOURCES} sources are kept, the least
 * recently used going first: forgetting one only hands it a full bucket, and a source that needs
 * forgetting to get one is one of ten thousand. Thread-safe.
 */
final class ConnectionRates {
    static final int MAX_SOURCES = 10_000;

    private final int perSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private final Map<SourcePrefix, ReadingRate> buckets = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SourcePrefix, ReadingRate> eldest) {
            return size() > MAX_SOURCES;
        }
    };

    ConnectionRates(HandshakeLimits limits) {
        this(limits.newPerSecond(), limits.newBurst(), System::nanoTime);
    }

    /** @param perSecond 0 = no limit */
    ConnectionRates(int perSecond, int burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /** 0 if {@code source} may open one more connection now, else the milliseconds until it may. */
    long take(SourcePrefix source) {
        if (perSecond == 0) {
            return 0;
        }
        ReadingRate bucket;
        synchronized (buckets) {
            // The same token bucket as a device's readings, one token a connection.
            bucket = buckets.computeIfAbsent(source, s -> new ReadingRate(perSecond, burst, nanoClock));
        }
        return bucket.take(1);
    }

    int perSecond() {
        return perSecond;
    }

    int burst() {
        return burst;
    }

    int sources() {
        synchronized (buckets) {
            return buckets.size();
        }
    }
}
