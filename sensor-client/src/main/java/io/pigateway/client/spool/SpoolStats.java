package io.pigateway.client.spool;

import java.nio.file.Path;

/**
 * A snapshot of the spool.
 *
 * @param directory      this client's spool directory
 * @param streamId       the stream its readings belong to
 * @param segmentFiles   segment files on disk (each at most {@code spool.segment-bytes})
 * @param segmentsInUse  of those, the ones holding readings not yet acknowledged (or the newest)
 * @param held           readings not yet acknowledged
 * @param unflushed      of those, readings not yet flushed to the storage, hence not yet sendable
 * @param lost           readings this stream lost so far (dropped when full, or not stored), the
 *                       value reported as {@code client.readings-dropped}
 * @param writeFailures  appends that could not be written since start
 * @param flushFailures  flushes that failed since start
 * @param lastProblem    the last I/O failure, {@code null} if none
 * @param fsyncs         fsync calls since start (segment and meta file; rolling to a new segment adds more)
 */
public record SpoolStats(Path directory, long streamId, int segmentFiles, int segmentsInUse, long held, long unflushed,
                         long lost, long writeFailures, long flushFailures, String lastProblem, long fsyncs) {
}
