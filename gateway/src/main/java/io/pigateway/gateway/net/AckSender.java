package io.pigateway.gateway.net;

import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.store.ReadingBatch;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.Reading;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Sends a connection's ACKs, in the order its frames arrived, each only after that frame's batch is
 * committed. Writers may commit frames of one connection out of order; waiting on the futures in
 * arrival order keeps every cumulative ACK true. Runs on its own virtual thread so the reading thread
 * never waits for the database.
 */
final class AckSender implements Runnable {
    /** {@code receivedAt}: System.nanoTime() when the frame had been read, for tracing. */
    private record Pending(CompletableFuture<Void> committed, ReadingBatch batch, long receivedAt) {
    }

    private static final Pending END = new Pending(null, null, 0);

    /** What the sender tells the connection it works for (its {@link ConnectionEnding}); it calls nothing else of it. */
    interface Events {
        /** A batch could not be committed; nothing after it is acknowledged. */
        void storeFailed(ReadingBatch batch, Throwable cause);

        /** An ACK could not be written: the connection is gone. */
        void lost(String what, IOException e);
    }

    private final Events connection;
    private final FrameWriter out;
    private final boolean logReadings;
    private final String threadName;
    private final Metrics metrics;
    /**
     * Started with the first frame, with the queue and the future: an idle device (thousands may be)
     * costs no second thread and no queue. Written by the reading thread before the start, so the
     * ACK thread sees them.
     */
    private Thread thread;
    private BlockingQueue<Pending> pending;
    private CompletableFuture<Void> done;
    private volatile long acknowledged;

    AckSender(Events connection, FrameWriter out, boolean logReadings, String threadName, Metrics metrics) {
        this.connection = connection;
        this.out = out;
        this.logReadings = logReadings;
        this.threadName = threadName;
        this.metrics = metrics;
    }

    /** Called by the connection's reading thread only. */
    void enqueue(CompletableFuture<Void> committed, ReadingBatch batch, long receivedAt) {
        if (thread == null) {
            pending = new LinkedBlockingQueue<>();
            done = new CompletableFuture<>();
            pending.add(new Pending(committed, batch, receivedAt));
            thread = Thread.ofVirtual().name(threadName).start(this);
        } else {
            pending.add(new Pending(committed, batch, receivedAt));
        }
    }

    /** Highest seq acknowledged on this connection so far. */
    long acknowledged() {
        return acknowledged;
    }

    /**
     * Lets everything queued so far be acknowledged, then stops. Returns {@code false} if that took
     * longer than {@code timeout} (the client will resend what it did not see acknowledged).
     */
    boolean finish(Duration timeout) throws InterruptedException {
        if (thread == null) {
            return true; // nothing was ever queued
        }
        pending.add(END);
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    @Override
    public void run() {
        List<Pending> covered = new ArrayList<>();
        try {
            while (true) {
                Pending p = pending.take();
                if (p == END) {
                    return;
                }
                if (!committed(p)) {
                    return;
                }
                covered.clear();
                covered.add(p);
                // Coalesce: one ACK covers every frame that is already committed behind this one.
                Pending failed = null;
                for (Pending next = pending.peek(); next != null && next != END && next.committed().isDone(); next = pending.peek()) {
                    pending.poll();
                    if (next.committed().isCompletedExceptionally()) {
                        failed = next;
                        break;
                    }
                    committed(next);
                    covered.add(next);
                }
                long upTo = covered.getLast().batch().readings().getLast().seq();
                out.write(new Message.Ack(upTo));
                acknowledged = upTo;
                long now = System.nanoTime();
                for (Pending c : covered) {
                    metrics.frameAcknowledged(now - c.receivedAt());
                }
                trace(covered);
                // After the ACK of the frames before it: a NACK then refers to the first frame not acknowledged.
                if (failed != null && !committed(failed)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            connection.lost("could not send ACK", e);
        } finally {
            done.complete(null);
        }
    }

    /** One {@link FrameAcknowledgedEvent} per frame the ACK covered, if a flight recording wants them. */
    private static void trace(List<Pending> covered) {
        long now = System.nanoTime();
        for (Pending p : covered) {
            FrameAcknowledgedEvent e = new FrameAcknowledgedEvent();
            if (!e.shouldCommit()) {
                return;
            }
            e.device = p.batch().deviceId();
            e.lastSeq = p.batch().readings().getLast().seq();
            e.readings = p.batch().size();
            e.ackFrames = covered.size();
            e.sinceReceived = now - p.receivedAt();
            e.receivedAt = p.receivedAt();
            e.ackedAt = now;
            e.commit();
        }
    }

    /** Waits for the batch's commit; on failure tells the connection and returns {@code false}. */
    private boolean committed(Pending p) throws InterruptedException {
        try {
            p.committed().get();
        } catch (ExecutionException e) {
            connection.storeFailed(p.batch(), e.getCause());
            return false;
        }
        if (logReadings) {
            log(p.batch());
        }
        return true;
    }

    private static void log(ReadingBatch b) {
        Map<String, Reading> latest = new LinkedHashMap<>();
        for (Reading r : b.readings()) {
            latest.put(r.sensor(), r);
        }
        StringBuilder line = new StringBuilder();
        latest.values().forEach(r -> line.append(' ').append(r.sensor()).append('=').append(format(r.value())));
        Logger.info("{} committed seq {}..{} ({} reading{}):{}", b.deviceId(), b.readings().getFirst().seq(),
                b.readings().getLast().seq(), b.size(), b.size() == 1 ? "" : "s", line);
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format("%.2f", v);
    }
}
