package io.pigateway.gateway.store;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.SensorInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accounts of {@code deploy/sql/users.sql} on a real server: the gateway does its whole job with
 * its few grants, Grafana reads everything and changes nothing, the optional migrate account can
 * apply every migration, and neither of the first two can change the schema.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DatabaseUsersIT {
    private static final TestStores DB = TestStores.shared();
    private static final Duration ACK_WAIT = Duration.ofSeconds(20);
    private static final List<String> TABLES = List.of("schema_version", "devices", "connections", "readings", "sensors");
    private static final List<String> VIEWS = List.of("reading_values", "latest_readings", "device_last_seen");

    @TempDir
    Path dir;

    /** Dropped after each test. */
    @AutoClose
    private DatabaseAccounts accounts;

    /** A schema migrated by root, and the accounts of users.sql on it. */
    private StoreConfig migratedWithAccounts() throws Exception {
        StoreConfig admin = DB.freshSchema(dir);
        Store.open(admin, Fixtures.writers()).close();
        accounts = DatabaseAccounts.forDatabase(admin, dir);
        accounts.createGatewayAndGrafana();
        return admin;
    }

    @Test
    void gatewayWithTheLeastPrivilegeAccountInCheckModeStoresReadingsOnce() throws Exception {
        StoreConfig admin = migratedWithAccounts();
        List<SensorInfo> sensors = List.of(new SensorInfo("temperature", "°C", "bme280.temperature", false));
        try (Gateway gateway = Gateway.start(TestGatewayConfig.forTests(dir).withStore(accounts.gateway))) {
            try (TestDevice d = handshake(gateway, sensors)) {
                d.sendRange(1, 10, 5);
                assertEquals(10, d.awaitAck(10, ACK_WAIT));
            }
            // Reconnect on the same stream: the device and sensor rows are updated, 6..10 are retransmitted.
            List<SensorInfo> changed = List.of(new SensorInfo("temperature", "K", "bme280.temperature", true));
            try (TestDevice d = handshake(gateway, changed)) {
                d.sendRange(6, 15, 5);
                assertEquals(15, d.awaitAck(15, ACK_WAIT));
            }
            assertEquals(5, gateway.store().stats().duplicateReadings());
        }
        assertEquals(15, DB.queryLong(admin, "SELECT COUNT(*) FROM readings WHERE device_id = 'pi-1'"));
        assertEquals(2, DB.queryLong(admin, "SELECT COUNT(*) FROM connections WHERE device_id = 'pi-1'"));
        assertEquals(1, DB.queryLong(admin, "SELECT COUNT(*) FROM sensors WHERE device_id = 'pi-1'"
                + " AND unit = 'K' AND simulated"));
        assertEquals(1, DB.queryLong(admin, "SELECT COUNT(*) FROM devices WHERE device_id = 'pi-1'"
                + " AND last_seen >= first_seen"));
        // The health probe the store runs during an outage and when idle: a write, rolled back.
        try (Connection c = TestStores.connect(accounts.gateway)) {
            c.setAutoCommit(false);
            Prober.write(c);
        }
        assertEquals(15, DB.queryLong(admin, "SELECT COUNT(*) FROM readings"), "the probe's row was rolled back");
    }

    private static TestDevice handshake(Gateway gateway, List<SensorInfo> sensors) throws Exception {
        TestDevice d = TestDevice.open(gateway.address());
        d.send(new Message.Hello("pi-1", System.currentTimeMillis(), 42, sensors));
        assertInstanceOf(Message.HelloOk.class, d.next(), "handshake with the session recorded");
        return d;
    }

    @Test
    void gatewayAccountCannotChangeTheSchemaDeleteOrReadHistory() throws Exception {
        migratedWithAccounts();
        StoreConfig gw = accounts.gateway;
        refused(gw, "CREATE TABLE extra (i INT)");
        refused(gw, "DROP TABLE readings");
        refused(gw, "ALTER TABLE readings ADD COLUMN extra INT");
        refused(gw, "CREATE INDEX extra ON readings (value)");
        refused(gw, "CREATE VIEW extra AS SELECT 1 AS one");
        refused(gw, "DELETE FROM readings");
        refused(gw, "DELETE FROM devices");
        refused(gw, "UPDATE connections SET peer_address = 'x'");
        refused(gw, "INSERT INTO schema_version VALUES (99, 'x', '2030-01-01')");
        refused(gw, "SELECT * FROM connections");
        refused(gw, "SELECT * FROM latest_readings");
    }

    @Test
    void grafanaAccountReadsEveryViewAndTableAndChangesNothing() throws Exception {
        StoreConfig admin = migratedWithAccounts();
        try (Store store = Store.open(admin, Fixtures.writers())) {
            Fixtures.await(store.recordSession(Fixtures.session("dev-1", 1)));
            Fixtures.await(submit(store, Fixtures.batch("dev-1", 1, 1, 4)));
        }
        StoreConfig gf = accounts.grafana;
        assertEquals(4, DB.queryLong(gf, "SELECT COUNT(*) FROM reading_values"));
        assertEquals(2, DB.queryLong(gf, "SELECT COUNT(*) FROM latest_readings"), "temp and humidity");
        assertEquals(1, DB.queryLong(gf, "SELECT COUNT(*) FROM device_last_seen WHERE last_reading_at IS NOT NULL"));
        for (String table : TABLES) {
            DB.queryLong(gf, "SELECT COUNT(*) FROM " + table);
        }
        refused(gf, "INSERT INTO readings (device_id, stream_id, seq, sensor, value, device_time, received_at)"
                + " VALUES ('x', 1, 1, 's', 1, '2024-01-01', '2024-01-01')");
        refused(gf, "UPDATE devices SET last_seen = '2000-01-01'");
        refused(gf, "DELETE FROM readings");
        refused(gf, "DROP VIEW latest_readings");
        refused(gf, "DROP TABLE readings");
        refused(gf, "CREATE TABLE extra (i INT)");
        assertEquals(4, DB.queryLong(admin, "SELECT COUNT(*) FROM readings"));
    }

    @Test
    void migrateAccountAppliesEveryMigrationAndItsViewsServeGrafana() throws Exception {
        StoreConfig admin = DB.freshSchema(dir);
        accounts = DatabaseAccounts.forDatabase(admin, dir);
        accounts.createMigrateAccount();
        refused(accounts.migrate, "DROP DATABASE " + admin.database());
        // "Start the gateway once with an admin account and store.migrate = apply".
        Store.open(accounts.migrate, Fixtures.writers()).close();
        assertEquals(Migration.all().size(), DB.queryLong(admin, "SELECT COUNT(*) FROM schema_version"));
        accounts.createGatewayAndGrafana();
        try (Store store = Store.open(accounts.gateway, Fixtures.writers())) {
            Fixtures.await(store.recordSession(Fixtures.session("dev-1", 1)));
            Fixtures.await(submit(store, Fixtures.batch("dev-1", 1, 1, 3)));
        }
        // The views run with their definer's (the migrate account's) rights.
        for (String view : VIEWS) {
            assertTrue(DB.queryLong(accounts.grafana, "SELECT COUNT(*) FROM " + view) > 0, view);
        }
    }

    /** The statement fails for lack of a privilege (SQLSTATE 42000, "... command denied ..."). */
    private static void refused(StoreConfig account, String sql) throws SQLException {
        try (Connection c = TestStores.connect(account)) {
            SQLException e = assertThrows(SQLException.class, () -> {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.execute();
                }
            }, account.user() + " may not " + sql);
            assertEquals("42000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("denied"), e.getMessage());
        }
    }
}
