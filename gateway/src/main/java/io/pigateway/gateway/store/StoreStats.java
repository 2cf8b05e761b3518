package io.pigateway.gateway.store;

/**
 * Counters since the store was opened.
 *
 * @param committedReadings readings in committed batches, i.e. acknowledged as stored, including
 *                          retransmitted ones
 * @param duplicateReadings of those, readings already stored before (same device, stream and seq)
 *                          that were therefore not inserted again; committed minus duplicates is the
 *                          number of rows inserted
 * @param batches           committed batches (one per READINGS frame)
 * @param commits           transactions that committed readings; fewer than batches when writers
 *                          grouped frames
 * @param failedBatches     batches whose transaction failed; their senders were not acknowledged
 */
public record StoreStats(long committedReadings, long duplicateReadings, long batches, long commits,
                         long failedBatches) {
}
