package io.pigateway.gateway.store;

import io.pigateway.common.ErrorText;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * While the database is down, tries to write to it (rolled back) with a growing pause, and declares
 * the outage over when it takes the write. Writers only retry when they have work, and during an outage connections are
 * refused before they queue any, so without this the store would never notice the database came back.
 *
 * <p>While it is up but quiet (nothing committed for {@link #IDLE_CHECK}), probes it too, and a failed
 * probe starts an outage: otherwise a gateway without traffic would report a stopped database as up
 * (in /health and pigw_database_up) until the next device sent something.
 */
final class Prober implements Runnable {
    /** How often an idle prober looks at the outage flag. */
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    /**
     * A write, rolled back: a database that answers queries but refuses writes (read-only, a full
     * table or disk) stays down instead of flapping up at each probe and down at each commit. Device
     * id '' is one no client can have; the row is never committed (each probe uses up one
     * AUTO_INCREMENT id of a BIGINT), and waits at most for another gateway's probe of the same row.
     */
    private static final String PROBE = "INSERT INTO readings (device_id, stream_id, seq, sensor, value, device_time,"
            + " received_at) VALUES ('', 0, 0, '', 0, ?, ?)";
    /** Up this long without a new failure, the next outage starts probing at the shortest pause again. */
    private static final Duration STABLE = Duration.ofSeconds(60);
    /** How long the database may be quiet before a probe checks it is still there: one cheap connection. */
    static final Duration IDLE_CHECK = Duration.ofSeconds(5);

    private final ConnectionSource source;
    private final Outage outage;
    private final DatabaseBackoff backoff;
    private final CountDownLatch closing;

    Prober(ConnectionSource source, Outage outage, Duration backoffMax, CountDownLatch closing) {
        this.source = source;
        this.outage = outage;
        this.backoff = new DatabaseBackoff(backoffMax);
        this.closing = closing;
    }

    @Override
    public void run() {
        long upSince = System.nanoTime();
        try {
            while (!closing.await(pause().toMillis(), TimeUnit.MILLISECONDS)) {
                if (outage.down()) {
                    probe();
                    upSince = System.nanoTime();
                } else {
                    if (System.nanoTime() - upSince > STABLE.toNanos()) {
                        // Not at once: a failure that recurs right after each recovery must not be probed ever faster.
                        backoff.succeeded();
                    }
                    if (outage.quietNanos() > IDLE_CHECK.toNanos()) {
                        checkIdle();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Duration pause() {
        return outage.down() && backoff.pending() ? backoff.delay() : IDLE_POLL;
    }

    private void probe() {
        try (Connection c = source.open()) {
            write(c);
            outage.reachable();
            // Lengthens the pause before probing a new outage that follows soon (see STABLE), so a
            // failure that returns at every commit cannot flip the store up and down many times a second.
            backoff.failed();
        } catch (SQLException | RuntimeException e) {
            backoff.failed();
            outage.stillFailing(e);
            Logger.debug("{} still unreachable (next probe in {} ms): {}", source.description(),
                    backoff.delay().toMillis(), ErrorText.of(e));
        }
    }

    /** The probe's write, rolled back (the connection does not autocommit). */
    static void write(Connection c) throws SQLException {
        // Text, for the reason in WriteSql.datetime.
        String now = WriteSql.datetime(Instant.now());
        try (PreparedStatement s = c.prepareStatement(PROBE)) {
            s.setString(1, now);
            s.setString(2, now);
            s.executeUpdate();
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        c.rollback();
    }

    /** The database is up as far as anyone knows, but nothing has touched it for a while. */
    private void checkIdle() {
        try (Connection c = source.open()) {
            write(c);
            outage.reachable();
        } catch (SQLException | RuntimeException e) {
            if (outage.quietNanos() > IDLE_CHECK.toNanos()) { // not if a writer committed meanwhile
                outage.failed(e, 0);
                backoff.failed();
            }
        }
    }
}
