package io.pigateway.gateway.store;

import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * One writer thread with its own connection. It takes the first waiting job, keeps taking jobs
 * until the group holds {@code batchMaxReadings} readings or {@code batchMaxWait} has passed, commits
 * the group in one transaction and only then completes the jobs' futures. With the default wait of
 * 0 it takes only what is already queued: groups grow by themselves under load, because frames
 * queue up while every writer is in a transaction, and at lower rates no frame waits for company
 * (waiting cost half the ACK latency at half the peak rate; docs/PERFORMANCE.md).
 *
 * <p>A failed transaction fails every future of the group (none is completed normally), drops the
 * connection and makes the next group wait out a growing pause before reconnecting.
 */
final class Writer implements Runnable {
    private static final long IDLE = Long.MIN_VALUE;

    private final BlockingQueue<Job> queue;
    private final WriterConfig config;
    private final ConnectionSource source;
    private final Admission admission;
    private final Outage outage;
    private final Counters counters;
    private final Metrics metrics;
    private final CountDownLatch closing;
    private final Backoff backoff;
    private volatile Connection connection;
    /** System.nanoTime() when the group being written was taken on, or {@link #IDLE}: read by the watchdog. */
    private volatile long writingSince = IDLE;
    /** Taken from the queue but too big for the group being collected; it starts the next group. */
    private Job carried;
    /** System.nanoTime() when the first job of the group being collected was taken (for tracing). */
    private long groupTakenAt;

    Writer(BlockingQueue<Job> queue, WriterConfig config, ConnectionSource source, Connection connection,
           Admission admission, Outage outage, Counters counters, Metrics metrics, CountDownLatch closing) {
        this.queue = queue;
        this.config = config;
        this.source = source;
        this.connection = connection;
        this.admission = admission;
        this.outage = outage;
        this.counters = counters;
        this.metrics = metrics;
        this.closing = closing;
        this.backoff = new Backoff(config.retryBackoffMax());
    }

    @Override
    public void run() {
        List<Job> collected = new ArrayList<>();
        try {
            boolean stop = false;
            while (!stop) {
                pauseAfterFailure();
                stop = collect(collected);
                if (!collected.isEmpty()) {
                    List<Job> group = List.copyOf(collected);
                    collected.clear();
                    write(group);
                }
            }
        } catch (InterruptedException e) {
            // close() gave up waiting for this writer.
            Thread.currentThread().interrupt();
        } finally {
            if (carried != null) {
                collected.add(carried);
            }
            long now = System.nanoTime();
            settle(collected, false, 0, new StoreException("the store closed before committing it"), now, now);
            ConnectionSource.closeQuietly(connection);
        }
    }

    /** Closes the connection under a writer stuck in a call, so that the call fails. */
    void abort() {
        Connection c = connection;
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException e) {
                Logger.debug("aborting a writer's connection failed: {}", e.getMessage());
            }
        }
    }

    /** After a failure, waits before the next attempt; close() cuts the pause short to commit what is left. */
    private void pauseAfterFailure() throws InterruptedException {
        if (connection == null && backoff.pending() && closing.getCount() > 0) {
            closing.await(backoff.delay().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Fills {@code group}; returns true once the Stop job was taken. */
    private boolean collect(List<Job> group) throws InterruptedException {
        Job first = carried != null ? carried : queue.take();
        carried = null;
        groupTakenAt = System.nanoTime();
        if (first instanceof Job.Stop) {
            return true;
        }
        group.add(first);
        int readings = readings(first);
        long deadline = System.nanoTime() + config.batchMaxWait().toNanos();
        while (readings < config.batchMaxReadings()) {
            long left = deadline - System.nanoTime();
            // Past the deadline, still take what is already waiting, just no longer wait for more.
            Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                return false;
            }
            if (next instanceof Job.Stop) {
                return true;
            }
            int n = readings(next);
            if (readings > 0 && readings + n > config.batchMaxReadings()) {
                carried = next;
                return false;
            }
            group.add(next);
            readings += n;
        }
        return false;
    }

    /**
     * How long this writer has been on its current group (transaction, retry and completing the
     * futures), or -1 while it waits for work or pauses after a failure.
     */
    long writingForNanos(long now) {
        long since = writingSince;
        return since == IDLE ? -1 : now - since;
    }

    private void write(List<Job> group) {
        writingSince = System.nanoTime();
        try {
            commit(group);
        } finally {
            writingSince = IDLE;
        }
    }

    private void commit(List<Job> group) {
        long started = System.nanoTime();
        boolean committed = false;
        int inserted = 0;
        Exception failure = null;
        try {
            boolean reused = connection != null;
            try {
                inserted = transact(group);
                committed = true;
            } catch (SQLException e) {
                rollbackAndDrop();
                if (!reused || !connectionLost(e) || closing.getCount() == 0) {
                    throw e; // a real failure, or close() aborted this connection on purpose
                }
                // The connection may have died while idle (a database restart, wait_timeout): try once
                // more on a fresh one. Safe even if the lost COMMIT had succeeded: duplicates are skipped.
                Logger.debug("transaction on a reused connection failed ({}); retrying on a new connection",
                        Outage.describe(e));
                inserted = transact(group);
                committed = true;
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
            rollbackAndDrop();
        } finally {
            settle(group, committed, inserted, failure, started, System.nanoTime());
        }
    }

    /** The connection itself broke (SQLState class 08), as opposed to the statement failing on a live one. */
    private static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException se && se.getSQLState() != null && se.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return e instanceof java.sql.SQLRecoverableException;
    }

    /** One transaction for the whole group; returns the readings inserted (the rest were duplicates). */
    private int transact(List<Job> group) throws SQLException {
        Connection c = connection;
        if (c == null) {
            c = source.open();
            connection = c;
            Logger.debug("reconnected to {}", source.description());
        }
        List<ReadingBatch> batches = new ArrayList<>();
        for (Job job : group) {
            switch (job) {
                case Job.Session s -> WriteSql.recordSession(c, s.session());
                case Job.Readings r -> batches.add(r.batch());
                case Job.Stop s -> throw new IllegalStateException("Stop is never part of a group");
            }
        }
        int inserted = 0;
        if (!batches.isEmpty()) {
            inserted = WriteSql.insertReadings(c, batches);
            WriteSql.touchDevices(c, batches);
        }
        c.commit();
        return inserted;
    }

    private void rollbackAndDrop() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.rollback();
            } catch (SQLException e) {
                // The connection is likely gone; the server rolls back on disconnect anyway.
            }
            ConnectionSource.closeQuietly(c);
        }
    }

    /**
     * Gives the permits back, then completes every future: normally only after a commit. Runs in a
     * {@code finally}, so even an unexpected error leaves no future waiting forever. Metrics are counted
     * before the futures complete, so whoever sees an ACK also sees it counted.
     */
    private void settle(List<Job> group, boolean committed, int inserted, Exception failure, long started, long ended) {
        int readings = 0;
        int batches = 0;
        for (Job job : group) {
            if (job instanceof Job.Readings r) {
                admission.release(r);
                readings += r.batch().size();
                batches++;
            }
        }
        if (group.isEmpty()) {
            return;
        }
        if (committed) {
            if (batches > 0) {
                counters.committed(batches, readings, inserted);
                metrics.transactionCommitted(batches, readings, inserted, ended - started);
                for (Job job : group) {
                    if (job instanceof Job.Readings r) {
                        metrics.deviceCommitted(r.batch().deviceId(), r.batch().size());
                    }
                }
            }
            outage.committed();
            backoff.succeeded();
            group.forEach(job -> done(job).complete(null));
            trace(group, batches, readings, started, ended);
            return;
        }
        counters.failed(batches);
        if (batches > 0) {
            metrics.transactionFailed(batches, readings);
        }
        if (!(failure instanceof StoreException)) {
            outage.failed(failure, batches);
            backoff.failed();
        }
        for (Job job : group) {
            done(job).completeExceptionally(new StoreException(what(job) + " failed: " + Outage.describe(failure)
                    + " (" + source.description() + "; queue depth " + admission.depth() + " of "
                    + admission.capacity() + " readings)", failure));
        }
    }

    /** One {@link FrameCommittedEvent} per frame, if a flight recording wants them; after the futures, so it delays no ACK. */
    private void trace(List<Job> group, int batches, int readings, long started, long ended) {
        for (Job job : group) {
            if (job instanceof Job.Readings r) {
                FrameCommittedEvent e = new FrameCommittedEvent();
                if (!e.shouldCommit()) {
                    return;
                }
                // A job queued while this writer was already collecting was taken as it arrived.
                long taken = Math.max(groupTakenAt, r.queuedAt());
                e.device = r.batch().deviceId();
                e.lastSeq = r.batch().readings().getLast().seq();
                e.readings = r.batch().size();
                e.transactionFrames = batches;
                e.transactionReadings = readings;
                e.queueWait = taken - r.queuedAt();
                e.batchWait = started - taken;
                e.transaction = ended - started;
                e.queuedAt = r.queuedAt();
                e.committedAt = ended;
                e.commit();
            }
        }
    }

    private static String what(Job job) {
        return switch (job) {
            case Job.Readings r -> "committing " + r.batch().size() + " readings of device " + r.batch().deviceId()
                    + " (stream " + Long.toHexString(r.batch().streamId()) + ", seq "
                    + r.batch().readings().getFirst().seq() + ".." + r.batch().readings().getLast().seq() + ")";
            case Job.Session s -> "recording the connection of device " + s.session().deviceId();
            case Job.Stop s -> "stopping";
        };
    }

    private static CompletableFuture<Void> done(Job job) {
        return switch (job) {
            case Job.Readings r -> r.done();
            case Job.Session s -> s.done();
            case Job.Stop s -> throw new IllegalStateException("Stop has no future");
        };
    }

    private static int readings(Job job) {
        return job instanceof Job.Readings r ? r.batch().size() : 0;
    }
}
