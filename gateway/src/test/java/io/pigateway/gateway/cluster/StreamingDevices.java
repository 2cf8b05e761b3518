package io.pigateway.gateway.cluster;

import io.pigateway.testing.GaleraCluster;
import io.pigateway.testing.TestDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated devices streaming to gateways while a test breaks the database: each sends frames of
 * {@code perFrame} readings on one stream, awaits each ACK, and after a NACK, a closed connection or a
 * timeout reconnects and sends again everything after its last ACK, as the sensor client's spool does.
 * {@link #finish} stops them after their last frame is acknowledged; {@link #check} then counts, on
 * every node, the acknowledged readings missing and the readings stored twice. {@link #close} ends
 * them at once, for a test that failed before {@link #finish}.
 */
final class StreamingDevices implements AutoCloseable {
    private static final Duration ACK_WAIT = Duration.ofSeconds(30);
    private static final Duration PROGRESS_WAIT = Duration.ofSeconds(60);
    /** How long a device may take in all, to end a test whose gateways stopped acknowledging. */
    private static final Duration DEVICE_LIMIT = Duration.ofMinutes(5);

    private final Map<String, AtomicLong> acked = new LinkedHashMap<>();
    private final AtomicBoolean streaming = new AtomicBoolean(true);
    private final AtomicLong reconnects = new AtomicLong();
    /** Why devices reconnected, the first few: the gateway's NACK reason or the socket error. */
    private final List<String> reconnectCauses = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Future<Void>> devices = new ArrayList<>();

    /** The devices' counts per node and whether the nodes agree; see {@link #check}. */
    record Check(long acknowledged, long lost, long duplicated, List<String> nodes) {
        boolean nodesAgree() {
            return nodes.stream().distinct().count() == 1;
        }
    }

    /**
     * Starts {@code count} devices named {@code prefix-0...}, spread over {@code gateways} in turn, each
     * pausing {@code pause} between frames.
     */
    static StreamingDevices start(ExecutorService pool, List<InetSocketAddress> gateways, String prefix, int count,
                                  int perFrame, Duration pause) {
        StreamingDevices s = new StreamingDevices();
        for (int d = 0; d < count; d++) {
            String id = prefix + "-" + d;
            AtomicLong last = new AtomicLong();
            s.acked.put(id, last);
            InetSocketAddress gateway = gateways.get(d % gateways.size());
            s.devices.add(pool.submit(() -> s.stream(gateway, id, last, perFrame, pause)));
        }
        return s;
    }

    private Void stream(InetSocketAddress gateway, String id, AtomicLong acked, int perFrame, Duration pause)
            throws Exception {
        long deadline = System.nanoTime() + DEVICE_LIMIT.toNanos();
        boolean last = false;
        while (!last && System.nanoTime() < deadline) {
            last = !streaming.get();
            try (TestDevice d = TestDevice.connect(gateway, id, 7)) {
                while (true) {
                    long from = acked.get() + 1;
                    d.send(TestDevice.readings(from, perFrame, "temperature"));
                    acked.set(d.awaitAck(from + perFrame - 1, ACK_WAIT));
                    if (last) {
                        break;
                    }
                    if (!pause.isZero()) {
                        Thread.sleep(pause);
                    }
                    last = !streaming.get();
                }
            } catch (IOException e) {
                if (reconnects.incrementAndGet() <= 10) {
                    reconnectCauses.add(id + " after ACK " + acked.get() + ": " + e);
                }
                last = false;
                Thread.sleep(200);
            }
        }
        if (!last) {
            throw new IllegalStateException(id + " could not finish within " + DEVICE_LIMIT.toMinutes() + " minutes; last ACK "
                    + acked.get());
        }
        return null;
    }

    /** Readings acknowledged so far, all devices together. */
    long acknowledged() {
        return acked.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Device reconnects so far: a failover the devices noticed. */
    long reconnects() {
        return reconnects.get();
    }

    /** Why the first ten reconnects happened, for the message of a failed assertion. */
    List<String> reconnectCauses() {
        synchronized (reconnectCauses) {
            return List.copyOf(reconnectCauses);
        }
    }

    /** Waits until the devices together have {@code readings} more acknowledged: the gateways are writing. */
    void awaitProgress(long readings) throws InterruptedException {
        long from = acknowledged();
        long deadline = System.nanoTime() + PROGRESS_WAIT.toNanos();
        while (acknowledged() < from + readings) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no progress: " + (acknowledged() - from) + " of " + readings
                        + " readings acknowledged within " + PROGRESS_WAIT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Stops the devices once each has its last frame acknowledged; waits for them. */
    void finish() throws Exception {
        streaming.set(false);
        for (Future<Void> f : devices) {
            f.get(DEVICE_LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Ends the devices at once (a test that failed): interrupts them wherever they wait. */
    @Override
    public void close() {
        streaming.set(false);
        devices.forEach(f -> f.cancel(true));
    }

    /**
     * Reads {@code database} on every running node, each after everything the cluster committed
     * ({@code wsrep_sync_wait}): acknowledged readings missing (lost), readings beyond the first under
     * one key (duplicated), and per node its row count and a checksum of every column of {@code readings}.
     */
    Check check(GaleraCluster cluster, String database) throws SQLException {
        long lost = 0;
        long duplicated = 0;
        List<String> nodes = new ArrayList<>();
        for (GaleraCluster.Node node : cluster.nodes()) {
            try (Connection c = cluster.connect(node, database); Statement s = c.createStatement()) {
                s.execute("SET SESSION wsrep_sync_wait = 1");
                for (Map.Entry<String, AtomicLong> e : acked.entrySet()) {
                    long stored = longOf(s, "SELECT COUNT(*) FROM readings WHERE device_id = '" + e.getKey() + "' AND seq <= "
                            + e.getValue().get());
                    lost += e.getValue().get() - stored;
                }
                duplicated += longOf(s, "SELECT COUNT(*) - COUNT(DISTINCT device_id, stream_id, seq) FROM readings");
                nodes.add("rows=" + longOf(s, "SELECT COUNT(*) FROM readings") + " checksum="
                        + longOf(s, "SELECT COALESCE(BIT_XOR(CRC32(CONCAT_WS(',', id, device_id, stream_id, seq, sensor, value,"
                        + " device_time, received_at))), 0) FROM readings"));
            }
        }
        return new Check(acknowledged(), lost, duplicated, nodes);
    }

    static long longOf(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
