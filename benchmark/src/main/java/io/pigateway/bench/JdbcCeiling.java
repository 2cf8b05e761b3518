package io.pigateway.bench;

import io.pigateway.gateway.config.StoreConfig;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The database's own speed for the same rows into the same table: plain JDBC batches of 1,000
 * with {@code rewriteBatchedStatements=true} on 2 threads, one transaction per batch. No protocol,
 * no gateway, no duplicate check beyond the unique key the table has anyway.
 */
final class JdbcCeiling {
    static final int BATCH = 1000;
    static final int THREADS = 2;

    private JdbcCeiling() {
    }

    /** Inserts {@code devices × readings} rows for devices named {@code prefix} + number; returns rows per second. */
    static double run(StoreConfig store, String prefix, int devices, int readings) throws Exception {
        String url = "jdbc:mysql://" + store.host() + ":" + store.port() + "/" + store.database()
                + "?rewriteBatchedStatements=true";
        String password = Files.readString(store.passwordFile()).strip();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                work.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(url, store.user(), password)) {
                        insert(c, prefix, first, devices, readings);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        }
        return (double) devices * readings / ((System.nanoTime() - started) / 1e9);
    }

    private static void insert(Connection c, String prefix, int firstDevice, int devices, int readings) throws Exception {
        c.setAutoCommit(false);
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO readings (device_id, stream_id, seq, sensor, value,"
                + " device_time, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            int inBatch = 0;
            for (int d = firstDevice; d < devices; d += THREADS) {
                for (long seq = 1; seq <= readings; seq++) {
                    s.setString(1, prefix + d);
                    s.setLong(2, 1);
                    s.setLong(3, seq);
                    s.setString(4, seq % 2 == 0 ? "humidity" : "temperature");
                    s.setDouble(5, 20 + (seq % 100) / 10.0);
                    s.setObject(6, now);
                    s.setObject(7, now);
                    s.addBatch();
                    if (++inBatch == BATCH) {
                        s.executeBatch();
                        c.commit();
                        inBatch = 0;
                    }
                }
            }
            if (inBatch > 0) {
                s.executeBatch();
                c.commit();
            }
        }
    }
}
