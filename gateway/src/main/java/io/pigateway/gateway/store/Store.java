package io.pigateway.gateway.store;

import io.pigateway.common.ErrorText;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.metrics.StoreHealth;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.tinylog.Logger;

/**
 * Where connections hand over readings: a bounded queue in front of writer threads that commit them
 * to MySQL, MariaDB or an embedded H2 file. A batch's future completes only after its COMMIT (and, on
 * H2, the sync that makes it durable), so a connection acknowledges nothing that could still be
 * lost; connection threads never touch JDBC.
 *
 * <p>The tables (the migrations in {@code deploy/sql/}, applied in order, are the truth), all times UTC
 * {@code DATETIME(3)}:
 * <pre>
 * devices        device_id PK | first_seen | last_seen | last_address | last_stream_id | last_clock_offset_ms
 * connections    id PK | device_id | stream_id | peer_address | connected_at | device_clock | clock_offset_ms
 * sensors        (device_id, sensor) PK | unit | kind | simulated | first_announced | last_announced   (002)
 * readings       id PK | device_id | stream_id | seq | sensor | value | device_time | received_at
 *                UNIQUE (device_id, stream_id, seq), INDEX (device_id, sensor, received_at)
 * schema_version version PK | description | applied_at
 * </pre>
 * Views for dashboards ({@code latest_readings} and others) come with 003. Inputs other than the binary
 * protocol use the same tables; see {@code ingest.IngestKeys} for the streams and seqs they store under.
 * A reading is stored once per (device, stream, seq): a retransmission is acknowledged again but
 * not inserted again.
 */
public final class Store implements AutoCloseable {
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** A probe is one cheap query: during an outage, look every few seconds at most, not every 30. */
    private static final Duration PROBE_BACKOFF_MAX = Duration.ofSeconds(5);
    /** After close() gives up on a writer and aborts its connection, how long the writer gets to notice. */
    private static final Duration ABORT_GRACE = Duration.ofSeconds(2);

    private final String description;
    /** A writer on one group for longer than this (and the watchdog interval) is stuck, not waiting. */
    private final Duration writeLimit;
    private final Admission admission;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Counters counters = new Counters();
    private final Outage outage;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final List<Writer> writers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Guards {@link #closed} together with adding to the queue, so nothing is queued behind the Stop jobs. */
    private final Object lock = new Object();
    private volatile boolean closed;
    private Thread prober;

    private Store(String description, WriterConfig config, Duration writeLimit) {
        this.description = description;
        this.writeLimit = writeLimit;
        this.admission = new Admission(config.queueCapacity());
        this.outage = new Outage(description, config.retryBackoffMax());
    }

    /**
     * Connects, applies or checks the schema migrations and starts the writers. Fails, naming the
     * store, if the database cannot be reached, the password file cannot be read or the schema is
     * not what this release expects; there is no fallback to another store. On MySQL and MariaDB it
     * warns once if the server's settings let a commit be lost in a power cut ({@link ServerDurability}),
     * and on a Galera cluster fails if a group could exceed its write-set limits ({@link GaleraLimits}).
     */
    public static Store open(StoreConfig store, WriterConfig writer) throws StoreException {
        return open(store, writer, Metrics.NONE);
    }

    /** {@link #open(StoreConfig, WriterConfig)}, with the writers reporting each transaction to {@code metrics}. */
    public static Store open(StoreConfig store, WriterConfig writer, Metrics metrics) throws StoreException {
        return open(store, writer, metrics, Migrations.shipped(store.describe()));
    }

    /** A seam for tests that make a store of an older release: {@code migrations} instead of the shipped ones. */
    static Store open(StoreConfig store, WriterConfig writer, Metrics metrics, Migrations migrations)
            throws StoreException {
        long started = System.nanoTime();
        ConnectionSource source = ConnectionSource.of(store);
        List<Connection> connections = new ArrayList<>();
        int applied = store.kind() == StoreConfig.Kind.EMBEDDED ? EmbeddedMigration.apply(store, migrations) : 0;
        try {
            Connection first = source.open();
            connections.add(first);
            if (store.kind() == StoreConfig.Kind.MYSQL) {
                GaleraLimits.check(first, writer, store.describe()); // before migrating: a refused start changes nothing
            }
            applied += migrations.run(first, store.migrate());
            if (store.kind() == StoreConfig.Kind.MYSQL) {
                ServerDurability.check(first, store.describe());
            }
            first.commit();
            source.sync(first);
            while (connections.size() < writer.threads()) {
                connections.add(source.open());
            }
        } catch (SQLException e) {
            connections.forEach(ConnectionSource::closeQuietly);
            throw new StoreException("cannot open " + store.describe() + ": " + ErrorText.of(e), e);
        } catch (StoreException | RuntimeException e) {
            connections.forEach(ConnectionSource::closeQuietly);
            throw e;
        }
        // Twice: a group that fails on a reused connection is tried once more on a fresh one; and once
        // more for each retry after a deadlock or lock wait timeout.
        Store s = new Store(store.describe(), writer, source.attemptLimit().multipliedBy(2L + writer.conflictRetries()));
        WriterContext context = new WriterContext(s.queue, writer, source, s.admission, s.outage, s.counters, metrics,
                s.closing, new LastSeen());
        for (Connection c : connections) {
            Writer w = new Writer(context, c);
            s.writers.add(w);
            // Daemon: a store nobody closed must not keep the JVM alive; the gateway closes it on SIGTERM.
            s.threads.add(Thread.ofPlatform().name("store-writer-" + (s.threads.size() + 1)).daemon().start(w));
        }
        s.prober = Thread.ofPlatform().name("store-prober").daemon()
                .start(new Prober(source, s.outage, min(writer.retryBackoffMax(), PROBE_BACKOFF_MAX), s.closing));
        Logger.info("opened {} in {} ms: {} schema migrations applied, {} writers, queue capacity {} readings",
                store.describe(), (System.nanoTime() - started) / 1_000_000, applied, writer.threads(),
                writer.queueCapacity());
        return s;
    }

    /**
     * {@code gateway migrate}: connects as {@code store} says (an account that may change the schema),
     * applies the missing schema migrations under the migration lock and returns them, oldest first
     * (empty if the schema was current). Starts no writers.
     */
    public static List<String> migrate(StoreConfig store) throws StoreException {
        ConnectionSource source = ConnectionSource.of(store);
        try (Connection c = source.open()) {
            List<Migration> applied = Migrations.shipped(store.describe()).runListing(c, StoreConfig.MigrationMode.APPLY);
            c.commit();
            return applied.stream().map(Migration::toString).toList();
        } catch (SQLException e) {
            throw new StoreException("cannot migrate " + store.describe() + ": " + ErrorText.of(e), e);
        }
    }

    /** The schema version this release brings a database to. */
    public static int schemaVersion() {
        return Migrations.shipped("").latest();
    }

    /**
     * Queues a frame's readings, waiting up to {@code timeout} for room in the queue. The future
     * completes after the readings are committed, or fails with a {@link StoreException} saying what
     * failed; it fails at once if the batch holds values no column can store. During a known outage
     * the batch is refused here, not queued: queueing would only hold the client until the writers
     * fail it anyway.
     *
     * @throws StoreException if the queue stayed full (the message gives depth and capacity), the
     *                        database is failing or the store is closed; nothing was queued
     */
    public CompletableFuture<Void> submit(ReadingBatch batch, Duration timeout)
            throws StoreException, InterruptedException {
        String problem = WriteSql.problem(batch);
        if (problem != null) {
            return CompletableFuture.failedFuture(refused(batch, problem));
        }
        if (closed) {
            throw refused(batch, "the store is closed");
        }
        if (outage.down()) {
            // Fail fast: queueing would only hold the client until the writers fail it anyway.
            throw refused(batch, unavailable());
        }
        if (!admission.tryAcquire(batch, timeout)) {
            throw refused(batch, "the queue stayed full for " + timeout.toMillis() + " ms: "
                    + admission.depth() + " of " + admission.capacity() + " readings waiting for "
                    + description + (outage.down() ? ", which is failing" : ""));
        }
        CompletableFuture<Void> done = enqueue(batch);
        if (done == null) {
            throw refused(batch, "the store is closed");
        }
        return done;
    }

    /** Queues the permits already taken; {@code null} (permits returned) if the store closed meanwhile. */
    private CompletableFuture<Void> enqueue(ReadingBatch batch) {
        Job.Readings job = new Job.Readings(batch, admission.permitsFor(batch), new CompletableFuture<>());
        synchronized (lock) {
            if (!closed) {
                queue.add(job);
                return job.done();
            }
        }
        admission.release(job);
        return null;
    }

    private static StoreException refused(ReadingBatch batch, String why) {
        return new StoreException("refused " + batch.size() + " readings of device " + batch.deviceId()
                + " (seq " + batch.readings().getFirst().seq() + ".." + batch.readings().getLast().seq() + "): " + why);
    }

    /** {@link #recordSession(SessionStart, int)} with no limit on the device's sensors. */
    public CompletableFuture<Void> recordSession(SessionStart session) {
        return recordSession(session, Integer.MAX_VALUE);
    }

    /**
     * Records a completed handshake in {@code devices}, {@code connections} and {@code sensors}, on a
     * writer thread. The future completes after the commit; it fails with a {@link SensorLimitException},
     * nothing of the handshake recorded, if the device would then have more than {@code maxSensors}
     * sensors stored.
     */
    public CompletableFuture<Void> recordSession(SessionStart session, int maxSensors) {
        if (outage.down()) {
            return CompletableFuture.failedFuture(new StoreException("cannot record the connection of device "
                    + session.deviceId() + ": " + unavailable()));
        }
        Job.Session job = new Job.Session(session, maxSensors, new CompletableFuture<>());
        synchronized (lock) {
            if (!closed) {
                queue.add(job);
                return job.done();
            }
        }
        return CompletableFuture.failedFuture(new StoreException("cannot record the connection of device "
                + session.deviceId() + ": the store is closed"));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private String unavailable() {
        return description + " has been failing for " + outage.downForMillis() + " ms (" + outage.state().label()
                + "); retry later";
    }

    /** Readings accepted and not yet committed (or failed). */
    public int queueDepth() {
        return admission.depth();
    }

    public StoreStats stats() {
        return counters.snapshot();
    }

    /** Whether the database is up and, if not, since when and why: for /health and /metrics. */
    public StoreHealth status() {
        if (closed) {
            return new StoreHealth(false, null, "the store is closed", outage.status().outages(), StoreHealth.State.CLOSED);
        }
        return outage.status();
    }

    /** Readings the write queue holds at most (writer.queue-capacity). */
    public int queueCapacity() {
        return admission.capacity();
    }

    /**
     * Called when the database starts failing and when it works again (the moments of the outage's
     * WARN and INFO lines), on the thread that noticed; must return quickly.
     */
    public interface AvailabilityListener {
        AvailabilityListener NONE = new AvailabilityListener() {
            @Override
            public void failing(String cause) {
            }

            @Override
            public void available() {
            }
        };

        /** @param cause the driver's error on one line */
        void failing(String cause);

        void available();
    }

    /** Replaces the listener for outages that start or end from now on. */
    public void onAvailability(AvailabilityListener listener) {
        outage.listener(listener);
    }

    /**
     * For the systemd watchdog: a writer or the prober thread that has ended, or a writer that has
     * been on one group for longer than {@code interval} and than the database's own timeouts allow
     * (a reconnect plus a statement that waits out the socket timeout, twice). A failing database is
     * not stuck: writers fail fast or wait out those timeouts, and pause between attempts. Empty
     * once closed.
     */
    public Optional<String> stuck(Duration interval) {
        return stuckAfter(interval.compareTo(writeLimit) >= 0 ? interval : writeLimit);
    }

    /** As {@link #stuck}, with the limit for one group given as is (tests). */
    Optional<String> stuckAfter(Duration writeLimit) {
        if (closed) {
            return Optional.empty();
        }
        long limit = writeLimit.toNanos();
        long now = System.nanoTime();
        for (int i = 0; i < writers.size(); i++) {
            Thread t = threads.get(i);
            if (!t.isAlive()) {
                return Optional.of(t.getName() + " has ended; " + admission.depth() + " readings queued for " + description);
            }
            long busy = writers.get(i).writingForNanos(now);
            if (busy > limit) {
                return Optional.of(t.getName() + " has been on one transaction for " + busy / 1_000_000 + " ms (limit "
                        + limit / 1_000_000 + " ms); " + admission.depth() + " readings queued for " + description);
            }
        }
        if (!prober.isAlive()) {
            return Optional.of(prober.getName() + " has ended; an outage of " + description + " would never end");
        }
        return Optional.empty();
    }

    /**
     * False while the database is failing (from the first failed transaction until a writer commits
     * or the prober reaches it again), and once closed.
     */
    public boolean healthy() {
        return !closed && !outage.down();
    }

    /**
     * The SIGTERM path: takes no new work, commits everything already accepted, then closes the
     * connections. Waits at most {@code timeout}; after that, writers still busy have their
     * connections aborted and what they held fails. Idempotent.
     */
    public void close(Duration timeout) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            // Behind everything accepted so far: each writer commits up to its Stop, then ends.
            writers.forEach(w -> queue.add(Job.STOP));
        }
        closing.countDown();
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Thread t : threads) {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<Thread> busy = threads.stream().filter(Thread::isAlive).toList();
        if (!busy.isEmpty()) {
            Logger.warn("{}: {} writers still busy after {} ms; aborting them, {} readings stay uncommitted",
                    description, busy.size(), timeout.toMillis(), admission.depth());
            writers.forEach(Writer::abort);
            threads.forEach(Thread::interrupt);
            interrupted |= joinQuietly(busy, ABORT_GRACE);
        }
        failLeftovers();
        StoreStats s = stats();
        Logger.info("closed {}: {} readings committed in {} transactions, {} of them duplicates, {} failed batches",
                description, s.committedReadings(), s.commits(), s.duplicateReadings(), s.failedBatches());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #close(Duration)} with a 30 s timeout. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /** Jobs no writer will take any more: fail them rather than leave their connections waiting forever. */
    private void failLeftovers() {
        for (Job job; (job = queue.poll()) != null; ) {
            switch (job) {
                case Job.Readings r -> {
                    admission.release(r);
                    r.done().completeExceptionally(refused(r.batch(), "the store closed before committing it"));
                }
                case Job.Session s -> s.done().completeExceptionally(new StoreException(
                        "cannot record the connection of device " + s.session().deviceId() + ": the store closed"));
                case Job.Stop s -> {
                }
            }
        }
    }

    private static boolean joinQuietly(List<Thread> threads, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (Thread t : threads) {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
