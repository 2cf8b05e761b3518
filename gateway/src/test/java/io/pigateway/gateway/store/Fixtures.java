package io.pigateway.gateway.store;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.testing.TcpRelay;
import io.pigateway.protocol.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Batches and writer settings for store tests. */
final class Fixtures {
    /** 2021-01-01T00:00:00Z; reading n was sampled n seconds later. */
    static final long SAMPLED_AT = 1_609_459_200_000L;
    static final Instant RECEIVED_AT = Instant.parse("2024-05-06T07:08:09.123456Z");

    private Fixtures() {
    }

    /** {@code count} readings with seq {@code first}, {@code first + 1}, ... */
    static ReadingBatch batch(String device, long stream, long first, int count) {
        List<Reading> readings = new ArrayList<>(count);
        for (long seq = first; seq < first + count; seq++) {
            readings.add(new Reading(seq, seq % 2 == 0 ? "temp" : "humidity", SAMPLED_AT + seq * 1000, seq / 4.0));
        }
        return new ReadingBatch(device, stream, RECEIVED_AT, readings);
    }

    static SessionStart session(String device, long stream) {
        return new SessionStart(device, stream, "127.0.0.1:40000", RECEIVED_AT.minusSeconds(1), SAMPLED_AT, 42, java.util.List.of());
    }

    static WriterConfig writers(int threads, int batchMaxReadings, Duration batchMaxWait, int queueCapacity) {
        return new WriterConfig(threads, batchMaxReadings, batchMaxWait, queueCapacity, Duration.ofMillis(200));
    }

    static WriterConfig writers() {
        return writers(2, 1000, Duration.ofMillis(5), 100_000);
    }

    /**
     * {@link Store#submit(ReadingBatch, Duration)} as the inputs call it, waiting up to 20 s for room: no
     * test fills the queue for that long unless it means to.
     */
    static CompletableFuture<Void> submit(Store store, ReadingBatch batch) throws StoreException, InterruptedException {
        return store.submit(batch, Duration.ofSeconds(20));
    }

    static void await(CompletableFuture<?> f) throws Exception {
        f.get(20, TimeUnit.SECONDS);
    }

    /** The database of {@code direct} reached through {@code relay}, which a test can cut and restore. */
    static StoreConfig through(TcpRelay relay, StoreConfig direct) {
        return StoreConfig.mysql(direct.host(), relay.port(), direct.database(), direct.user(), direct.passwordFile());
    }
}
