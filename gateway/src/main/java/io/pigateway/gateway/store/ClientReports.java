package io.pigateway.gateway.store;

import io.pigateway.gateway.config.StoreConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * What the sensor clients last reported about themselves, read from the {@code latest_readings} view:
 * their spool depth ({@code client.spool-depth}) and readings they had to drop
 * ({@code client.readings-dropped}). Clients send these as readings (docs/SENSORS.md), so the gateway
 * sees them only as rows; the status page asks here every few seconds while someone looks at it, on
 * its own short-lived connection, never on the writers' path.
 */
public final class ClientReports {
    static final String SPOOL_DEPTH = "client.spool-depth";
    static final String DROPPED = "client.readings-dropped";
    private static final String QUERY = "SELECT device_id, sensor, value FROM latest_readings WHERE sensor IN (?, ?)";
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    /** One device's last report; a field is {@code null} if the device never reported it. */
    public record Report(Long spoolDepth, Long dropped) {
    }

    private final ConnectionSource source;

    private ClientReports(ConnectionSource source) {
        this.source = source;
    }

    /** Reads the store's credentials now (a password file that cannot be read fails here). */
    public static ClientReports of(StoreConfig config) throws StoreException {
        return new ClientReports(ConnectionSource.of(config));
    }

    /** Each reporting device's last report, by device id. One connection, one query, then closed. */
    public Map<String, Report> latest() throws SQLException {
        Map<String, Report> out = new HashMap<>();
        Connection c = source.open();
        try (PreparedStatement s = c.prepareStatement(QUERY)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, SPOOL_DEPTH);
            s.setString(2, DROPPED);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String device = r.getString(1);
                    long value = Math.round(r.getDouble(3));
                    Report was = out.getOrDefault(device, new Report(null, null));
                    out.put(device, SPOOL_DEPTH.equals(r.getString(2)) ? new Report(value, was.dropped())
                            : new Report(was.spoolDepth(), value));
                }
            }
            c.rollback();
        } finally {
            ConnectionSource.closeQuietly(c);
        }
        return out;
    }
}
