package io.pigateway.gateway.store;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event per committed frame: where its time went inside the store. Costs nothing unless a
 * flight recording runs (docs/PERFORMANCE.md). The {@code *At} fields are {@link System#nanoTime()}
 * values, so that a tool can join this event with {@code io.pigateway.FrameAcknowledged} (same
 * device and last seq) and line up the whole path of a frame.
 */
@Name("io.pigateway.FrameCommitted")
@Label("Frame committed")
@Category("pi-gateway")
@Description("A READINGS frame's time in the write queue, waiting for its group to fill, and in its transaction")
@StackTrace(false)
final class FrameCommittedEvent extends jdk.jfr.Event {
    @Label("Device")
    String device;
    @Label("Last seq")
    long lastSeq;
    @Label("Readings")
    int readings;
    @Label("Frames in the transaction")
    int transactionFrames;
    @Label("Readings in the transaction")
    int transactionReadings;
    @Label("Queue wait")
    @Description("From queued to taken by a writer: every writer was busy")
    @Timespan
    long queueWait;
    @Label("Batch wait")
    @Description("From taken by a writer to its transaction's first statement: the group was filling")
    @Timespan
    long batchWait;
    @Label("Transaction")
    @Description("From the transaction's first statement to the end of its COMMIT")
    @Timespan
    long transaction;
    @Label("Queued at")
    @Description("System.nanoTime() when the frame was queued")
    long queuedAt;
    @Label("Committed at")
    @Description("System.nanoTime() when the COMMIT returned")
    long committedAt;
}
