package io.pigateway.gateway.metrics;

import io.pigateway.protocol.NackCode;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The gateway's Prometheus metrics, all named {@code pigw_*} (docs/METRICS.md lists them), plus the
 * JVM's and the process's basics. Events arrive through {@link Metrics}; levels (connections, queue,
 * database up) are read from a {@link GatewayState} at scrape time, so they cost nothing in between.
 *
 * <p>One registry per gateway, not the library's global default: tests run several gateways in one JVM.
 */
public final class GatewayMetrics implements Metrics {
    /** Per-device series at most; beyond, devices are counted in pigw_device_series_overflow_total. */
    static final int MAX_DEVICES = 1000;

    private static final double[] TRANSACTION_READINGS_BUCKETS =
            {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 100_000};
    private static final double[] COMMIT_SECONDS_BUCKETS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    /** Reasons that exist from the start with 0, so that rate() and increase() see their first event. */
    private static final List<NackCode> HANDSHAKE_REASONS = List.of(NackCode.HELLO_REFUSED,
            NackCode.UNSUPPORTED_VERSION, NackCode.HANDSHAKE_REQUIRED, NackCode.TIMEOUT, NackCode.STORE_UNAVAILABLE,
            NackCode.TOO_MANY_CONNECTIONS, NackCode.AUTHENTICATION_FAILED, NackCode.CERTIFICATE_MISMATCH,
            NackCode.TOO_MANY_CONNECTIONS_FROM_ADDRESS, NackCode.CONNECTING_TOO_FAST, NackCode.TOO_MANY_HANDSHAKES);
    private static final List<NackCode> REJECT_REASONS = List.of(NackCode.INVALID_READING, NackCode.SEQUENCE_ERROR,
            NackCode.TOO_MANY_READINGS, NackCode.STORE_UNAVAILABLE);
    private static final Map<NackCode, String> LABELS = new EnumMap<>(NackCode.class);

    static {
        for (NackCode c : NackCode.values()) {
            LABELS.put(c, c.name().toLowerCase(Locale.ROOT));
        }
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();
    private final DeviceTimes devices = new DeviceTimes(MAX_DEVICES);
    // For the status page (io.pigateway.gateway.status), which samples them once a second.
    private final RefusedDevices refused = new RefusedDevices();
    private final LongAdder committedAll = new LongAdder();
    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LatencyRecorder commitTime = new LatencyRecorder();

    private final CounterDataPoint accepted = counter("pigw_connections_accepted_total",
            "TCP connections accepted, before the handshake and before any limit is checked").labelValues();
    private final Counter handshakesRefused = counter("pigw_handshakes_refused_total",
            "Connections refused before HELLO_OK, by the NACK sent", "reason");
    private final Counter nacks = counter("pigw_nacks_sent_total",
            "NACK frames sent, by reason (handshake refusals included)", "reason");
    private final CounterDataPoint frames = counter("pigw_frames_received_total",
            "READINGS frames received, before they are checked").labelValues();
    private final CounterDataPoint readingsReceived = counter("pigw_readings_received_total",
            "Readings received in READINGS frames, before they are checked").labelValues();
    private final Counter ingested = counter("pigw_ingest_readings_total",
            "Readings that came through an input other than the binary protocol, by input and outcome",
            "input", "outcome");
    private final Counter ingestLines = counter("pigw_ingest_lines_total",
            "Lines of line protocol over TCP and UDP, which get no answer: received, then stored, refused or dropped",
            "input", "outcome");
    private final Counter readingsRejected = counter("pigw_readings_rejected_total",
            "Readings in frames refused before they were queued, by the NACK sent", "reason");
    private final CounterDataPoint readingsCommitted = counter("pigw_readings_committed_total",
            "Readings committed and stored for the first time (rows inserted)").labelValues();
    private final CounterDataPoint duplicates = counter("pigw_readings_duplicate_total",
            "Readings committed and acknowledged that were already stored (a resend) and were not inserted again")
            .labelValues();
    private final CounterDataPoint mismatched = counter("pigw_readings_duplicate_mismatch_total",
            "Readings whose (device, stream, seq) was already stored with another sensor, value or device time; their"
                    + " frames were refused with DUPLICATE_MISMATCH and not stored (a restored or cloned client)")
            .labelValues();
    private final CounterDataPoint clones = counter("pigw_probable_clones_total",
            "Times a device's connections from two addresses kept replacing each other (two clients with one device"
                    + " id, e.g. a cloned SD card)").labelValues();
    private final CounterDataPoint readingsFailed = counter("pigw_readings_failed_total",
            "Readings in transactions that failed; not acknowledged, so the clients send them again").labelValues();
    private final CounterDataPoint batchesCommitted = counter("pigw_batches_committed_total",
            "READINGS frames committed (one batch per frame)").labelValues();
    private final CounterDataPoint batchesFailed = counter("pigw_batches_failed_total",
            "READINGS frames whose transaction failed").labelValues();
    private final CounterDataPoint transactionsFailed = counter("pigw_transactions_failed_total",
            "Transactions of readings that failed (rolled back)").labelValues();
    private final Counter transactionsRetried = counter("pigw_transactions_retried_total",
            "Transactions rolled back after a deadlock or lock wait timeout and tried again", "cause");
    private final CounterDataPoint readingsRefusedByDatabase = counter("pigw_readings_refused_by_database_total",
            "Readings in frames the database refused as data (NACK STORE_REFUSED); the rest of their transaction"
                    + " was committed").labelValues();
    private final Histogram transactionReadings = Histogram.builder()
            .name("pigw_transaction_readings")
            .help("Readings per committed transaction (writers group frames up to writer.transaction-max-readings)")
            .classicOnly().classicUpperBounds(TRANSACTION_READINGS_BUCKETS).withoutExemplars()
            .register(registry);
    private final Histogram commitSeconds = Histogram.builder()
            .name("pigw_commit_duration_seconds")
            .help("Time of a committed transaction of readings, from its first statement to the end of its COMMIT")
            .classicOnly().classicUpperBounds(COMMIT_SECONDS_BUCKETS).withoutExemplars()
            .register(registry);

    public GatewayMetrics() {
        HANDSHAKE_REASONS.forEach(c -> handshakesRefused.initLabelValues(LABELS.get(c)));
        REJECT_REASONS.forEach(c -> readingsRejected.initLabelValues(LABELS.get(c)));
        List.of("deadlock", "lock_wait_timeout").forEach(transactionsRetried::initLabelValues);
        GaugeWithCallback.builder().name("pigw_device_last_seen_timestamp_seconds")
                .help("When the device last completed a handshake or sent a frame (Unix time); devices stay until restart")
                .labelNames("device")
                .callback(cb -> devices.forEach((id, t) -> {
                    if (t.seenMillis > 0) {
                        cb.call(t.seenMillis / 1000.0, id);
                    }
                }))
                .register(registry);
        GaugeWithCallback.builder().name("pigw_device_last_commit_timestamp_seconds")
                .help("When a frame of the device was last committed (Unix time)")
                .labelNames("device")
                .callback(cb -> devices.forEach((id, t) -> {
                    if (t.committedMillis > 0) {
                        cb.call(t.committedMillis / 1000.0, id);
                    }
                }))
                .register(registry);
        CounterWithCallback.builder().name("pigw_device_series_overflow_total")
                .help("Events of devices beyond the first " + MAX_DEVICES + ", which get no per-device series")
                .callback(cb -> cb.call(devices.untracked()))
                .register(registry);
        // The basics that matter on a Pi: memory (RSS, heap), threads, GC, CPU, open files.
        // Not JvmMetrics: it remembers every registry in a static set, and allocation counting adds GC listeners.
        ProcessMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
    }

    /** Registers the levels read from the running gateway at each scrape. Call once. */
    public void watch(GatewayState state) {
        gauge("pigw_connections_open", "TCP connections open, in or after the handshake", state::connectionsOpen);
        gauge("pigw_devices_connected", "Devices with a completed handshake that are still connected",
                state::devicesConnected);
        gauge("pigw_queue_readings", "Readings accepted and not yet committed (the write queue's depth)",
                state::queueDepth);
        gauge("pigw_queue_capacity_readings", "The write queue's capacity (writer.queue-capacity)",
                state::queueCapacity);
        gauge("pigw_listener_up", "1 while the listener accepts connections, else 0", () -> state.accepting() ? 1 : 0);
        gauge("pigw_database_up", "1 while the database takes commits (or answers probes), 0 during an outage",
                () -> state.store().up() ? 1 : 0);
        GaugeWithCallback.builder().name("pigw_database_state")
                .help("1 for the store's current state, 0 for the others: up, unreachable, read-only, full, failing"
                        + " (down for another reason) or closed")
                .labelNames("state")
                .callback(cb -> {
                    StoreHealth.State now = state.store().state();
                    for (StoreHealth.State s : StoreHealth.State.values()) {
                        cb.call(s == now ? 1 : 0, s.label());
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("pigw_database_outages_total")
                .help("Database outages since start-up (the store went from up to down)")
                .callback(cb -> cb.call(state.store().outages()))
                .register(registry);
    }

    /** Everything in the Prometheus text format, version 0.0.4. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        try {
            format.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    public String contentType() {
        return format.getContentType();
    }

    @Override
    public void connectionAccepted() {
        accepted.inc();
    }

    @Override
    public void nackSent(NackCode reason, boolean duringHandshake) {
        String label = LABELS.get(reason);
        nacks.labelValues(label).inc();
        if (duringHandshake) {
            handshakesRefused.labelValues(label).inc();
        }
    }

    @Override
    public void deviceSeen(String deviceId) {
        devices.seen(deviceId, System.currentTimeMillis());
    }

    @Override
    public void ingested(String input, String outcome, int readings) {
        ingested.labelValues(input, outcome).inc(readings);
    }

    @Override
    public void ingestLines(String input, String outcome, int lines) {
        ingestLines.labelValues(input, outcome).inc(lines);
    }

    @Override
    public void readingsReceived(String deviceId, int readings) {
        frames.inc();
        readingsReceived.inc(readings);
        devices.seen(deviceId, System.currentTimeMillis());
    }

    @Override
    public void readingsRejected(NackCode reason, int readings) {
        readingsRejected.labelValues(LABELS.get(reason)).inc(readings);
    }

    @Override
    public void transactionCommitted(int batches, int readings, int inserted, long nanos) {
        batchesCommitted.inc(batches);
        readingsCommitted.inc(inserted);
        duplicates.inc(readings - inserted);
        transactionReadings.observe(readings);
        commitSeconds.observe(nanos / 1e9);
        committedAll.add(readings);
        commitTime.record(nanos);
    }

    @Override
    public void duplicateMismatch(String deviceId, int readings) {
        mismatched.inc(readings);
    }

    @Override
    public void probableClone(String deviceId) {
        clones.inc();
    }

    @Override
    public void deviceCommitted(String deviceId, int readings) {
        devices.committed(deviceId, readings, System.currentTimeMillis());
    }

    @Override
    public void frameAcknowledged(long nanos) {
        ackLatency.record(nanos);
    }

    @Override
    public void deviceConnected(String deviceId, String peer, long streamId) {
        devices.connected(deviceId, address(peer), streamId, System.currentTimeMillis());
    }

    @Override
    public void deviceDisconnected(String deviceId) {
        devices.disconnected(deviceId);
    }

    @Override
    public void deviceRefused(String deviceId, String peer, NackCode reason) {
        if (deviceId != null) {
            refused.refused(deviceId, address(peer), reason, System.currentTimeMillis());
        }
    }

    /** "127.0.0.1:5000" of InetSocketAddress's "/127.0.0.1:5000". */
    private static String address(String peer) {
        return peer != null && peer.startsWith("/") ? peer.substring(1) : peer;
    }

    /**
     * One tracked device as the status page sees it. Times are epoch milliseconds, 0 = never.
     *
     * @param committedReadings readings committed since start-up, duplicates included
     * @param peer              "address:port" of its last handshake, {@code null} before one
     * @param connected         whether a connection of it is past its handshake now
     */
    public record DeviceCounters(String deviceId, long seenMillis, long committedMillis, long committedReadings,
                                 String peer, long streamId, boolean connected) {
    }

    /** Each tracked device's counters, in no particular order; reads volatile fields only. */
    public void forEachDevice(Consumer<DeviceCounters> action) {
        devices.forEach((id, t) -> action.accept(new DeviceCounters(id, t.seenMillis, t.committedMillis,
                t.committedReadings, t.peer, t.streamId, t.connections.get() > 0)));
    }

    /** Refusals by the device id the HELLO claimed (at most {@value RefusedDevices#MAX} ids). */
    public java.util.List<RefusedDevices.Entry> refusedDevices() {
        return refused.snapshot();
    }

    /** Readings in committed transactions since start-up, duplicates included. */
    public long readingsCommittedAll() {
        return committedAll.sum();
    }

    /** From each frame's arrival to its ACK written. */
    public LatencyRecorder ackLatency() {
        return ackLatency;
    }

    /** Of each committed transaction, first statement to the end of COMMIT. */
    public LatencyRecorder commitTime() {
        return commitTime;
    }

    @Override
    public void transactionFailed(int batches, int readings) {
        transactionsFailed.inc();
        batchesFailed.inc(batches);
        readingsFailed.inc(readings);
    }

    @Override
    public void transactionRetried(String cause) {
        transactionsRetried.labelValues(cause).inc();
    }

    @Override
    public void batchRefusedByDatabase(int readings) {
        readingsRefusedByDatabase.inc(readings);
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    private void gauge(String name, String help, java.util.function.IntSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsInt())).register(registry);
    }
}
