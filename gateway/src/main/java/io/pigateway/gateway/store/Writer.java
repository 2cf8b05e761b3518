package io.pigateway.gateway.store;

import io.pigateway.common.ErrorText;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * One writer thread with its own connection. It takes the first waiting job, keeps taking jobs
 * until the group holds {@code batchMaxReadings} readings or {@code batchMaxWait} has passed, commits
 * the group in one transaction (on the embedded store, then syncs it: one fsync per group) and only
 * then completes the jobs' futures. With the default wait of 0 it takes only what is already queued:
 * groups grow by themselves under load, because frames queue up while every writer is in a
 * transaction, and at lower rates no frame waits for company (waiting cost half the ACK latency at
 * half the peak rate; docs/PERFORMANCE.md).
 *
 * <p>A deadlock or lock wait timeout is retried; a frame whose data the database refuses is found by
 * splitting the group and refused alone. Any other failure fails every future of the group (none is
 * completed normally), drops the connection and makes the next group wait out a growing pause
 * before reconnecting.
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
    private final LastSeen lastSeen;
    private final DatabaseBackoff backoff;
    private volatile Connection connection;
    /** System.nanoTime() when the group being written was taken on, or {@link #IDLE}: read by the watchdog. */
    private volatile long writingSince = IDLE;
    /** Taken from the queue but too big for the group being collected; it starts the next group. */
    private Job carried;
    /** System.nanoTime() when the first job of the group being collected was taken (for tracing). */
    private long groupTakenAt;

    /** {@code connection}: the writer's first, opened by the store; later ones it opens through the context's source. */
    Writer(WriterContext context, Connection connection) {
        this.queue = context.queue();
        this.config = context.config();
        this.source = context.source();
        this.connection = connection;
        this.admission = context.admission();
        this.outage = context.outage();
        this.counters = context.counters();
        this.metrics = context.metrics();
        this.closing = context.closing();
        this.lastSeen = context.lastSeen();
        this.backoff = new DatabaseBackoff(config.retryBackoffMax());
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
            settle(collected, false, 0, Map.of(), Map.of(), new StoreException("the store closed before committing it"),
                    now, now);
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

    /**
     * Commits the group, or what of it the database takes: a deadlock or lock wait timeout is rolled
     * back and tried again (bounded); a data error splits the group in halves, each committed on its
     * own, until the frames the database refuses stand alone and are refused with a
     * {@link StoreRefusedException}, the store staying up; any other error fails the group and starts
     * an outage. Every future is completed once, after its own transaction.
     */
    private void commit(List<Job> group) {
        long started = System.nanoTime();
        boolean committed = false;
        boolean split = false;
        int inserted = 0;
        Exception failure = null;
        Map<ReadingBatch, DuplicateMismatchException> refused = new IdentityHashMap<>();
        Map<Job.Session, SensorLimitException> overLimit = new IdentityHashMap<>();
        try {
            inserted = transactRetrying(group, refused, overLimit);
            committed = true;
        } catch (SQLException e) {
            if (SqlErrors.of(e) == SqlErrors.DATA) {
                rollbackQuietly();
                if (group.size() > 1) {
                    split = true; // each half settles its own jobs
                    int half = group.size() / 2;
                    commit(group.subList(0, half));
                    commit(group.subList(half, group.size()));
                    return;
                }
                failure = refusal(group.getFirst(), e);
            } else if (SqlErrors.of(e) == SqlErrors.CONFLICT) {
                // Lock contention that outlasted the retries: the database works, so no outage; the
                // frames are refused as retryable and come back with the clients' next attempt.
                rollbackQuietly();
                failure = new StoreException("still conflicting after " + config.conflictRetries() + " retries: "
                        + SqlErrors.codes(e) + ": " + ErrorText.of(e), e);
            } else {
                failure = e;
                rollbackAndDrop();
            }
        } catch (RuntimeException e) {
            failure = e;
            rollbackAndDrop();
        } finally {
            if (!split) {
                settle(group, committed, inserted, refused, overLimit, failure, started, System.nanoTime());
            }
        }
    }

    /**
     * One transaction for the group, tried again on a new connection if a reused one turns out to
     * be dead; on the next node of a cluster if its node left the cluster or stopped answering, once
     * per other node; and after a deadlock or lock wait timeout up to {@code writer.conflict-retries} times.
     */
    private int transactRetrying(List<Job> group, Map<ReadingBatch, DuplicateMismatchException> refused,
                                 Map<Job.Session, SensorLimitException> overLimit) throws SQLException {
        boolean reused = connection != null;
        int nodesLeft = source.nodes() - 1; // other nodes a group may still move to
        int conflicts = 0;
        while (true) {
            try {
                return transact(group, refused, overLimit);
            } catch (SQLException e) {
                SqlErrors kind = SqlErrors.of(e);
                boolean open = closing.getCount() > 0; // not when close() aborted this connection on purpose
                boolean nodeFault = kind == SqlErrors.OTHER || kind == SqlErrors.DATA
                        || kind == SqlErrors.CONNECTION_LOST && !reused;
                if (nodeFault && open && nodesLeft > 0 && connection != null && source.nodeUnavailable(connection, e)) {
                    // A Galera node cut off from the others fails a COMMIT with a generic error (1180, "Not
                    // connected to Primary Component"), and one being stopped may accept the new connection
                    // and then drop it mid-transaction: the group is fine, the node is not. Once on each other
                    // node: while one node is down and another being cut off, the first retry can hit the second.
                    nodesLeft--;
                    rollbackAndDrop();
                    Logger.debug("transaction failed on a database node that left the cluster or stopped answering ({});"
                            + " retrying on the next node", ErrorText.of(e));
                    continue;
                }
                if (kind == SqlErrors.CONFLICT && conflicts < config.conflictRetries() && open) {
                    conflicts++;
                    rollbackQuietly();
                    String cause = lockWaitTimeout(e) ? "lock_wait_timeout" : "deadlock";
                    metrics.transactionRetried(cause);
                    Duration pause = conflictPause(conflicts);
                    Logger.debug("transaction of {} jobs hit a {} ({}); retry {} of {} in {} ms", group.size(),
                            cause.replace('_', ' '), ErrorText.of(e), conflicts, config.conflictRetries(),
                            pause.toMillis());
                    sleep(pause);
                    continue;
                }
                if (kind == SqlErrors.CONNECTION_LOST && reused && open) {
                    // The connection may have died while idle (a database restart, wait_timeout): try once
                    // more on a fresh one. Safe even if the lost COMMIT had succeeded: duplicates are skipped.
                    rollbackAndDrop();
                    reused = false;
                    Logger.debug("transaction on a reused connection failed ({}); retrying on a new connection",
                            ErrorText.of(e));
                    continue;
                }
                throw e;
            }
        }
    }

    /** The pause before conflict retry {@code n} (from 1): the configured pause, doubling, plus up to half at random. */
    private Duration conflictPause(int n) {
        long base = config.conflictRetryPause().toNanos() << Math.min(n - 1, 16);
        return Duration.ofNanos(base + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    private static void sleep(Duration pause) throws SQLException {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to retry a transaction", e);
        }
    }

    private static boolean lockWaitTimeout(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException se && (se.getErrorCode() == 1205 || se.getErrorCode() == 50200)) {
                return true;
            }
        }
        return false;
    }

    /** What the frame's (or handshake's) future fails with when the database refused its data. */
    private static StoreRefusedException refusal(Job job, SQLException e) {
        return new StoreRefusedException("the database refused " + what(job).replaceFirst("^committing ", "")
                + ": " + SqlErrors.codes(e) + ": " + ErrorText.of(e), e);
    }

    /**
     * One transaction for the whole group; returns the readings inserted (the rest were duplicates).
     * A frame with a reading that differs from the one stored under its key goes into {@code refused};
     * then the transaction is rolled back and done again without it, so a frame is stored whole or
     * not at all. That costs a second transaction, but only when a client reuses seqs. A handshake whose
     * device would pass its sensor limit is not recorded and goes into {@code overLimit}.
     */
    private int transact(List<Job> group, Map<ReadingBatch, DuplicateMismatchException> refused,
                         Map<Job.Session, SensorLimitException> overLimit) throws SQLException {
        while (true) {
            overLimit.clear(); // decided again by each attempt
            Connection c = connection;
            if (c == null) {
                c = source.open();
                connection = c;
                Logger.debug("reconnected to {}", source.description());
            }
            List<ReadingBatch> batches = new ArrayList<>();
            int readings = 0;
            for (Job job : group) {
                switch (job) {
                    case Job.Session s -> {
                        String tooMany = WriteSql.sensorLimitProblem(c, s.session(), s.maxSensors());
                        if (tooMany == null) {
                            WriteSql.recordSession(c, s.session());
                        } else {
                            overLimit.put(s, new SensorLimitException(tooMany));
                        }
                    }
                    case Job.Readings r -> {
                        if (!refused.containsKey(r.batch())) {
                            batches.add(r.batch());
                            readings += r.batch().size();
                        }
                    }
                    case Job.Stop s -> throw new IllegalStateException("Stop is never part of a group");
                }
            }
            int inserted = 0;
            if (!batches.isEmpty()) {
                inserted = WriteSql.insertReadings(c, batches);
                if (inserted < readings) {
                    Map<ReadingBatch, DuplicateMismatchException> differ = WriteSql.mismatches(c, batches);
                    if (!differ.isEmpty()) {
                        refused.putAll(differ);
                        c.rollback();
                        continue;
                    }
                }
                WriteSql.touchDevices(c, lastSeen.due(batches));
            }
            c.commit();
            source.sync(c); // the futures complete, and the ACKs go out, only after this
            return inserted;
        }
    }

    /** Ends the failed transaction but keeps the connection, which still works. */
    private void rollbackQuietly() {
        Connection c = connection;
        if (c != null) {
            try {
                c.rollback();
            } catch (SQLException e) {
                rollbackAndDrop();
            }
        }
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
    private void settle(List<Job> group, boolean committed, int inserted,
                        Map<ReadingBatch, DuplicateMismatchException> refused,
                        Map<Job.Session, SensorLimitException> overLimit, Exception failure, long started, long ended) {
        int readings = 0;
        int batches = 0;
        for (Job job : group) {
            if (job instanceof Job.Readings r) {
                admission.release(r);
                if (!committed || !refused.containsKey(r.batch())) {
                    readings += r.batch().size();
                    batches++;
                }
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
                    if (job instanceof Job.Readings r && !refused.containsKey(r.batch())) {
                        metrics.deviceCommitted(r.batch().deviceId(), r.batch().size());
                    }
                }
            }
            outage.committed();
            backoff.succeeded();
            for (Job job : group) {
                DuplicateMismatchException differs = job instanceof Job.Readings r ? refused.get(r.batch()) : null;
                SensorLimitException tooMany = job instanceof Job.Session s ? overLimit.get(s) : null;
                if (tooMany != null) {
                    done(job).completeExceptionally(tooMany);
                } else if (differs == null) {
                    done(job).complete(null);
                } else {
                    metrics.duplicateMismatch(((Job.Readings) job).batch().deviceId(), differs.mismatched());
                    done(job).completeExceptionally(differs);
                }
            }
            trace(group, batches, readings, started, ended);
            return;
        }
        if (failure instanceof StoreRefusedException refusal) {
            // The database works; it refused this frame's data. One job: the group was split down to it.
            outage.committed();
            if (batches > 0) {
                metrics.batchRefusedByDatabase(readings);
            }
            group.forEach(job -> done(job).completeExceptionally(refusal));
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
            done(job).completeExceptionally(new StoreException(what(job) + " failed: " + ErrorText.of(failure)
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
                    + " (stream " + r.batch().streamId() + ", seq "
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
