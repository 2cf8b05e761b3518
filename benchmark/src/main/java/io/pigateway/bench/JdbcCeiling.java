package io.pigateway.bench;

import com.mysql.cj.jdbc.JdbcStatement;
import io.pigateway.testing.TestSchema;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The database's own speed for the same rows into the same table of the same schema as the gateway's,
 * by plain JDBC without protocol, gateway or duplicate handling: one of three techniques on a number of
 * threads, one transaction per {@code batch} rows (the gateway's {@code writer.transaction-max-readings}).
 * Connections are opened and statements prepared before the clock starts; all threads start together.
 * <ul>
 * <li>{@code prepared}: server-side prepared multi-row INSERTs ({@code useServerPrepStmts=true}), one
 * statement of {@code batch} rows per transaction, as the gateway's writer builds them;</li>
 * <li>{@code rewritten}: the driver's client-side rewriting of a JDBC batch into multi-row INSERTs
 * ({@code rewriteBatchedStatements=true});</li>
 * <li>{@code load-data}: {@code LOAD DATA LOCAL INFILE} fed from memory through the driver's
 * {@link JdbcStatement#setLocalInfileInputStream}; without such a stream the driver may read local
 * files only from an empty directory ({@code allowLoadLocalInfileInPath}), so a hostile server can ask
 * for no file.</li>
 * </ul>
 */
final class JdbcCeiling {
    enum Technique {
        PREPARED("prepared", "server-side prepared multi-row INSERT"),
        REWRITTEN("rewritten", "client-side rewritten batch (rewriteBatchedStatements)"),
        LOAD_DATA("load-data", "LOAD DATA LOCAL INFILE from memory");

        final String key;
        final String description;

        Technique(String key, String description) {
            this.key = key;
            this.description = description;
        }

        static Technique of(String key) {
            for (Technique t : values()) {
                if (t.key.equals(key)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown ceiling technique '" + key + "': prepared, rewritten or load-data");
        }
    }

    /** One ceiling: a technique on a number of threads, e.g. {@code prepared:2}. */
    record Spec(Technique technique, int threads) {
        static Spec parse(String text) {
            String[] parts = text.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("ceiling '" + text + "' is not technique:threads, e.g. prepared:2");
            }
            return new Spec(Technique.of(parts[0].strip()), Integer.parseInt(parts[1].strip()));
        }

        String label() {
            return technique.key + ":" + threads;
        }

        boolean isLoadData() {
            return technique == Technique.LOAD_DATA;
        }
    }

    private static final String COLUMNS = "(device_id, stream_id, seq, sensor, value, device_time, received_at)";

    private JdbcCeiling() {
    }

    /**
     * Inserts {@code readings} rows for each of {@code devices} (stream 1, seqs from 1); returns rows per
     * second from the moment all threads start to the last commit. {@code noFiles}: an empty directory.
     */
    static double run(Spec spec, TestSchema store, Path noFiles, List<String> devices, int readings, int batch)
            throws Exception {
        String url = "jdbc:mysql://" + store.host() + ":" + store.port() + "/" + store.database() + "?" + switch (spec.technique) {
            case PREPARED -> "useServerPrepStmts=true&cachePrepStmts=true";
            case REWRITTEN -> "rewriteBatchedStatements=true";
            // The driver hands over a hooked stream only with allowLoadLocalInfile=true; with
            // allowLoadLocalInfileInPath also set, any file the server asks for must lie in that (empty)
            // directory, and URLs stay refused (allowUrlInLocalInfile=false by default).
            case LOAD_DATA -> "allowLoadLocalInfile=true&allowLoadLocalInfileInPath=" + noFiles.toAbsolutePath();
        };
        String password = Files.readString(store.passwordFile()).strip();
        List<Connection> connections = new ArrayList<>();
        try {
            for (int t = 0; t < spec.threads; t++) {
                Connection c = DriverManager.getConnection(url, store.user(), password);
                c.setAutoCommit(false);
                connections.add(c);
            }
            CyclicBarrier start = new CyclicBarrier(spec.threads + 1);
            String now = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS")
                    .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC));
            try (ExecutorService pool = Executors.newFixedThreadPool(spec.threads)) {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < spec.threads; t++) {
                    Connection c = connections.get(t);
                    List<String> mine = new ArrayList<>();
                    for (int d = t; d < devices.size(); d += spec.threads) {
                        mine.add(devices.get(d));
                    }
                    work.add(pool.submit(() -> {
                        insert(spec.technique, c, mine, readings, batch, now, start);
                        return null;
                    }));
                }
                start.await();
                long started = System.nanoTime();
                for (Future<?> f : work) {
                    f.get();
                }
                return (double) devices.size() * readings / ((System.nanoTime() - started) / 1e9);
            }
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /** The rows one thread inserts: each device's readings in seq order, {@code batch} per transaction. */
    private static void insert(Technique technique, Connection c, List<String> devices, int readings, int batch,
                               String now, CyclicBarrier start) throws Exception {
        List<Object[]> pending = new ArrayList<>(batch);
        try (Inserter inserter = switch (technique) {
            case PREPARED -> new Prepared(c, batch);
            case REWRITTEN -> new Rewritten(c);
            case LOAD_DATA -> new LoadData(c);
        }) {
            inserter.prepare(batch);
            start.await();
            for (String device : devices) {
                for (long seq = 1; seq <= readings; seq++) {
                    pending.add(new Object[] {device, seq, seq % 2 == 0 ? "humidity" : "temperature", 20 + (seq % 100) / 10.0});
                    if (pending.size() == batch) {
                        inserter.insert(pending, now);
                        c.commit();
                        pending.clear();
                    }
                }
            }
            if (!pending.isEmpty()) {
                inserter.insert(pending, now);
                c.commit();
            }
        }
    }

    private interface Inserter extends AutoCloseable {
        /** Prepares what can be before the clock starts. */
        void prepare(int rows) throws Exception;

        /** Rows of {device, seq, sensor, value}, stream 1, both times {@code now}. */
        void insert(List<Object[]> rows, String now) throws Exception;

        @Override
        void close() throws Exception;
    }

    private static final class Prepared implements Inserter {
        private final Connection c;
        private final java.util.Map<Integer, PreparedStatement> byRows = new java.util.HashMap<>();

        Prepared(Connection c, int rows) {
            this.c = c;
        }

        @Override
        public void prepare(int rows) throws Exception {
            statement(rows);
        }

        private PreparedStatement statement(int rows) throws Exception {
            PreparedStatement s = byRows.get(rows);
            if (s == null) {
                StringBuilder sql = new StringBuilder("INSERT INTO readings ").append(COLUMNS).append(" VALUES ");
                for (int i = 0; i < rows; i++) {
                    sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?)");
                }
                s = c.prepareStatement(sql.toString());
                byRows.put(rows, s);
            }
            return s;
        }

        @Override
        public void insert(List<Object[]> rows, String now) throws Exception {
            PreparedStatement s = statement(rows.size());
            int p = 1;
            for (Object[] row : rows) {
                s.setString(p++, (String) row[0]);
                s.setLong(p++, 1);
                s.setLong(p++, (Long) row[1]);
                s.setString(p++, (String) row[2]);
                s.setDouble(p++, (Double) row[3]);
                s.setString(p++, now);
                s.setString(p++, now);
            }
            s.executeUpdate();
        }

        @Override
        public void close() throws Exception {
            for (PreparedStatement s : byRows.values()) {
                s.close();
            }
        }
    }

    private static final class Rewritten implements Inserter {
        private final PreparedStatement s;

        Rewritten(Connection c) throws Exception {
            this.s = c.prepareStatement("INSERT INTO readings " + COLUMNS + " VALUES (?, ?, ?, ?, ?, ?, ?)");
        }

        @Override
        public void prepare(int rows) {
        }

        @Override
        public void insert(List<Object[]> rows, String now) throws Exception {
            for (Object[] row : rows) {
                s.setString(1, (String) row[0]);
                s.setLong(2, 1);
                s.setLong(3, (Long) row[1]);
                s.setString(4, (String) row[2]);
                s.setDouble(5, (Double) row[3]);
                s.setString(6, now);
                s.setString(7, now);
                s.addBatch();
            }
            s.executeBatch();
        }

        @Override
        public void close() throws Exception {
            s.close();
        }
    }

    /** Tab-separated rows, one per line; device ids and sensors here hold no tab, newline or backslash. */
    private static final class LoadData implements Inserter {
        private final Statement s;

        LoadData(Connection c) throws Exception {
            this.s = c.createStatement();
        }

        @Override
        public void prepare(int rows) {
        }

        @Override
        public void insert(List<Object[]> rows, String now) throws Exception {
            StringBuilder text = new StringBuilder(rows.size() * 80);
            for (Object[] row : rows) {
                text.append(row[0]).append("\t1\t").append(row[1]).append('\t').append(row[2]).append('\t')
                        .append(row[3]).append('\t').append(now).append('\t').append(now).append('\n');
            }
            s.unwrap(JdbcStatement.class).setLocalInfileInputStream(
                    new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)));
            s.executeUpdate("LOAD DATA LOCAL INFILE 'memory' INTO TABLE readings CHARACTER SET utf8mb4"
                    + " FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' " + COLUMNS);
        }

        @Override
        public void close() throws Exception {
            s.close();
        }
    }
}
