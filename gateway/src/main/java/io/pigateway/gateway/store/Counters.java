package io.pigateway.gateway.store;

import java.util.concurrent.atomic.LongAdder;

/** What the writers did, for {@link StoreStats}. */
final class Counters {
    private final LongAdder committedReadings = new LongAdder();
    private final LongAdder duplicateReadings = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder failedBatches = new LongAdder();

    void committed(int batchCount, int readings, int inserted) {
        committedReadings.add(readings);
        duplicateReadings.add(readings - inserted);
        batches.add(batchCount);
        commits.increment();
    }

    void failed(int batchCount) {
        failedBatches.add(batchCount);
    }

    StoreStats snapshot() {
        return new StoreStats(committedReadings.sum(), duplicateReadings.sum(), batches.sum(), commits.sum(),
                failedBatches.sum());
    }
}
