package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code DATETIME(3)} column the gateway writes keeps the milliseconds it was given, on the
 * server of this JVM (MariaDB 11.4, or Debian's 10.11, whose {@code 5.5.5-} greeting once made the
 * driver cut them) and on the embedded H2 store. The stored values are read back as text, so the
 * driver's reading of them cannot hide a loss.
 */
class MillisecondsIT {
    private static final Instant CONNECTED_AT = Instant.parse("2026-03-04T05:06:07.123Z");
    private static final Instant DEVICE_CLOCK = Instant.parse("2026-03-04T05:06:06.456Z");
    /** Two readings 500 ms apart, as a 2 Hz sensor samples them. */
    private static final Instant SAMPLED_FIRST = Instant.parse("2026-03-04T05:06:07.250Z");
    private static final Instant SAMPLED_SECOND = Instant.parse("2026-03-04T05:06:07.750Z");
    private static final Instant RECEIVED_AT = Instant.parse("2026-03-04T05:06:08.987Z");
    /** Received before RECEIVED_AT but committed after it: last_seen must not move back. */
    private static final Instant RECEIVED_EARLIER = Instant.parse("2026-03-04T05:06:08.986Z");

    @TempDir
    Path dir;

    @Test
    void mysqlServerKeepsTheMillisecondsOfEveryTime() throws Exception {
        assertEveryTimeKeepsItsMilliseconds(TestStores.shared().freshSchema(dir));
    }

    @Test
    void embeddedStoreKeepsTheMillisecondsOfEveryTime() throws Exception {
        assertEveryTimeKeepsItsMilliseconds(StoreConfig.embedded(dir.resolve("gateway")));
    }

    private static void assertEveryTimeKeepsItsMilliseconds(StoreConfig config) throws Exception {
        try (Store store = Store.open(config, Fixtures.writers())) {
            await(store.recordSession(new SessionStart("dev-1", 7, "127.0.0.1:40000", CONNECTED_AT,
                    DEVICE_CLOCK.toEpochMilli(), 667, List.of(new SensorInfo("air", "°C", "bme280.temperature", false)))));
            await(submit(store, new ReadingBatch("dev-1", 7, RECEIVED_AT, List.of(
                    new Reading(1, "air", SAMPLED_FIRST.toEpochMilli(), 21.5),
                    new Reading(2, "air", SAMPLED_SECOND.toEpochMilli(), 21.6)))));
            await(submit(store, new ReadingBatch("dev-1", 7, RECEIVED_EARLIER, List.of(
                    new Reading(3, "air", SAMPLED_SECOND.plusMillis(500).toEpochMilli(), 21.7)))));
        }
        assertEquals(List.of("2026-03-04 05:06:07.250", "2026-03-04 05:06:07.750", "2026-03-04 05:06:08.250"),
                column(config, "readings", "device_time"), "readings.device_time");
        assertEquals(List.of("2026-03-04 05:06:08.987", "2026-03-04 05:06:08.987", "2026-03-04 05:06:08.986"),
                column(config, "readings", "received_at"), "readings.received_at");
        assertEquals(List.of("2026-03-04 05:06:07.123"), column(config, "connections", "connected_at"),
                "connections.connected_at");
        assertEquals(List.of("2026-03-04 05:06:06.456"), column(config, "connections", "device_clock"),
                "connections.device_clock");
        assertEquals(List.of("2026-03-04 05:06:07.123"), column(config, "devices", "first_seen"), "devices.first_seen");
        assertEquals(List.of("2026-03-04 05:06:08.987"), column(config, "devices", "last_seen"), "devices.last_seen");
        assertEquals(List.of("2026-03-04 05:06:07.123"), column(config, "sensors", "first_announced"),
                "sensors.first_announced");
        assertEquals(List.of("2026-03-04 05:06:07.123"), column(config, "sensors", "last_announced"),
                "sensors.last_announced");
    }

    /** The column's values as the server prints them, in the table's key order. */
    private static List<String> column(StoreConfig config, String table, String column) throws Exception {
        String order = table.equals("readings") ? "seq" : table.equals("connections") ? "id" : "device_id";
        List<String> values = new ArrayList<>();
        // Names come from this class only. Both print a DATETIME(3) as 'yyyy-MM-dd HH:mm:ss.SSS'.
        String text = config.kind() == StoreConfig.Kind.EMBEDDED
                ? "FORMATDATETIME(" + column + ", 'yyyy-MM-dd HH:mm:ss.SSS')" : "CAST(" + column + " AS CHAR)";
        try (Connection c = TestStores.connect(config);
             PreparedStatement s = c.prepareStatement("SELECT " + text + " FROM " + table + " ORDER BY " + order);
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
