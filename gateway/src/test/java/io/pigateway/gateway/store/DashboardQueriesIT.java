package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.store.GrafanaDashboard.Query;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every panel and variable query of the Grafana dashboard, expanded as Grafana expands it, runs on
 * MariaDB as the read-only {@code grafana} account of users.sql, in a UTC session as the provisioned
 * data source opens it, and returns the columns and rows the panels expect.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardQueriesIT {
    private static final TestStores DB = TestStores.shared();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Instant ACTIVE = NOW.minus(Duration.ofMinutes(2));
    private static final Instant SILENT = NOW.minus(Duration.ofMinutes(30));

    @TempDir
    Path dir;

    /** Dropped after each test. */
    @AutoClose
    private DatabaseAccounts accounts;

    @Test
    void everyDashboardQueryRunsAsGrafanaAndReturnsWhatItsPanelShows() throws Exception {
        storeReadingsAndCreateAccounts();
        // The last hour, 1-minute buckets, both devices and all their sensors selected, silent = 10 min.
        GrafanaMacros grafana = new GrafanaMacros(NOW.minus(Duration.ofHours(1)), NOW, "1m", Map.of("minutes", "10"),
                Map.of("device", List.of("dev-a", "dev-b"), "sensor", List.of("door", "humidity", "temperature")));

        Map<String, List<String>> results = new LinkedHashMap<>();
        for (Query q : GrafanaDashboard.load().queries()) {
            results.put(q.owner(), run(grafana.expand(q.sql())));
        }
        assertEquals(List.of("Readings per sensor over time", "Latest value per device",
                "Devices not seen for $minutes minutes", "$device", "$sensor"), List.copyOf(results.keySet()));

        assertEquals(List.of("device_id", "dev-a", "dev-b"), results.get("$device"));
        assertEquals(List.of("sensor", "door", "humidity", "temperature"), results.get("$sensor"));
        // Older than the hour: the 5.0 of two hours ago is not in any bucket.
        assertEquals(List.of("time|metric|value",
                        bucket(SILENT) + "|dev-b door|1.0",
                        bucket(ACTIVE) + "|dev-a humidity (%)|40.0",
                        bucket(ACTIVE) + "|dev-a temperature (°C)|21.5"),
                results.get("Readings per sensor over time"));
        assertEquals(List.of("device|sensor|value|unit|received|sampled",
                        "dev-a|humidity|40.0|%|" + utc(ACTIVE) + "|" + utc(ACTIVE.minusSeconds(1)),
                        "dev-a|temperature|22.0|°C|" + utc(ACTIVE) + "|" + utc(ACTIVE.minusSeconds(1)),
                        "dev-b|door|1.0||" + utc(SILENT) + "|" + utc(SILENT.minusSeconds(1))),
                results.get("Latest value per device"));
        List<String> silent = results.get("Devices not seen for $minutes minutes");
        assertEquals(2, silent.size(), silent::toString);
        assertEquals("device|last_seen|last_reading|last_connection|address|silent_minutes", silent.getFirst());
        String prefix = "dev-b|" + utc(SILENT) + "|" + utc(SILENT) + "|" + utc(SILENT.minusSeconds(60))
                + "|127.0.0.1|";
        assertTrue(silent.get(1).equals(prefix + "30") || silent.get(1).equals(prefix + "31"), silent.get(1));
    }

    @Test
    void sensorVariableListsOnlyTheSensorsOfTheChosenDevices() throws Exception {
        storeReadingsAndCreateAccounts();
        GrafanaMacros grafana = new GrafanaMacros(NOW.minus(Duration.ofHours(1)), NOW, "1m", Map.of(),
                Map.of("device", List.of("dev-b")));
        String sql = GrafanaDashboard.load().queries().stream().filter(q -> q.owner().equals("$sensor"))
                .findFirst().orElseThrow().sql();
        assertEquals(List.of("sensor", "door"), run(grafana.expand(sql)));
    }

    /**
     * dev-a announces °C and % sensors and sent a frame two hours and two minutes ago; dev-b
     * announces nothing and last sent 30 minutes ago. Each device's clock is 1 s behind.
     */
    /** A fresh schema with the readings of {@link #storeReadings}, and the gateway and grafana accounts. */
    private void storeReadingsAndCreateAccounts() throws Exception {
        StoreConfig admin = DB.freshSchema(dir);
        try (Store store = Store.open(admin, Fixtures.writers())) {
            storeReadings(store);
        }
        accounts = DatabaseAccounts.forDatabase(admin, dir);
        accounts.createGatewayAndGrafana();
    }

    private static void storeReadings(Store store) throws Exception {
        List<SensorInfo> sensors = List.of(new SensorInfo("temperature", "°C", "bme280.temperature", false),
                new SensorInfo("humidity", "%", "bme280.humidity", false));
        await(store.recordSession(session("dev-a", NOW.minus(Duration.ofHours(3)), sensors)));
        await(submit(store, batch("dev-a", NOW.minus(Duration.ofHours(2)), new Reading(1, "temperature", 0, 5.0))));
        await(submit(store, batch("dev-a", ACTIVE, new Reading(2, "temperature", 0, 21.0),
                new Reading(3, "temperature", 0, 22.0), new Reading(4, "humidity", 0, 40.0))));
        await(store.recordSession(session("dev-b", SILENT.minusSeconds(60), List.of())));
        await(submit(store, batch("dev-b", SILENT, new Reading(1, "door", 0, 1.0))));
    }

    private static SessionStart session(String device, Instant at, List<SensorInfo> sensors) {
        return new SessionStart(device, 1, "127.0.0.1:40000", at, at.toEpochMilli() - 1000, 1000, sensors);
    }

    private static ReadingBatch batch(String device, Instant at, Reading... readings) {
        List<Reading> sampled = new ArrayList<>();
        for (Reading r : readings) {
            sampled.add(new Reading(r.seq(), r.sensor(), at.toEpochMilli() - 1000, r.value()));
        }
        return new ReadingBatch(device, 1, at, sampled);
    }

    /**
     * As the grafana account, in the UTC session the provisioned data source asks for, and with
     * MySQL 8's default ONLY_FULL_GROUP_BY, which MariaDB lacks, so the queries suit both.
     */
    private List<String> run(String sql) throws SQLException {
        try (Connection c = TestStores.connect(accounts.grafana)) {
            try (Statement s = c.createStatement()) {
                s.execute("SET time_zone = '+00:00', sql_mode = CONCAT(@@sql_mode, ',ONLY_FULL_GROUP_BY')");
            }
            try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<String> header = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    header.add(meta.getColumnLabel(i));
                }
                List<String> rows = new ArrayList<>();
                rows.add(String.join("|", header));
                rows.addAll(ViewsIT.format(rs));
                return rows;
            }
        }
    }

    private static long bucket(Instant t) {
        return t.getEpochSecond() / 60 * 60;
    }

    private static LocalDateTime utc(Instant t) {
        return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
