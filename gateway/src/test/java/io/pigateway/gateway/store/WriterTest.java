package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pigateway.gateway.config.WriterConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The writer loop against a mocked JDBC connection: grouping, and what a failed commit does. */
class WriterTest {
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Admission admission = new Admission(1000);
    private final List<Integer> insertedRowsPerStatement = new CopyOnWriteArrayList<>();

    private Connection connection() throws SQLException {
        Connection c = mock(Connection.class);
        when(c.prepareStatement(anyString())).thenAnswer(inv -> {
            String sql = inv.getArgument(0);
            PreparedStatement s = mock(PreparedStatement.class);
            if (sql.startsWith("INSERT INTO readings")) {
                int rows = sql.split("\\(\\?, \\?").length - 1;
                insertedRowsPerStatement.add(rows);
                when(s.executeUpdate()).thenReturn(rows); // every row new: no duplicate to compare
            }
            when(s.executeBatch()).thenReturn(new int[0]);
            return s;
        });
        return c;
    }

    private Job.Readings queue(ReadingBatch b) throws InterruptedException {
        if (!admission.tryAcquire(b, Duration.ZERO)) {
            throw new IllegalStateException("no room in the test's queue for " + b.size() + " readings");
        }
        Job.Readings job = new Job.Readings(b, admission.permitsFor(b), new CompletableFuture<>());
        queue.add(job);
        return job;
    }

    private Thread start(WriterConfig config, ConnectionSource source, Connection first) {
        Writer w = new Writer(new WriterContext(queue, config, source, admission, new Outage("mock", Duration.ofMillis(100)),
                new Counters(), io.pigateway.gateway.metrics.Metrics.NONE, new CountDownLatch(1), new LastSeen()), first);
        return Thread.ofPlatform().name("test-writer").start(w);
    }

    @Test
    void groupsBatchesUpToBatchMaxReadingsWithoutSplittingAFrame() throws Exception {
        for (int size : new int[] {4, 4, 4, 12, 3}) {
            queue(batch("dev", 1, 1, size));
        }
        queue.add(Job.STOP);
        Thread writer = start(Fixtures.writers(1, 10, Duration.ofMillis(100), 1000), mock(ConnectionSource.class),
                connection());
        writer.join(5000);

        // 4+4 fills to 8 (another 4 would exceed 10); the 12-reading frame goes alone, whole: groups of
        // 8, 4, 12 and 3 readings. Within a group, INSERTs come in power-of-two sizes (WriteSql.chunkSize).
        assertEquals(List.of(8, 4, 8, 4, 2, 1), insertedRowsPerStatement);
        assertEquals(0, admission.depth());
    }

    @Test
    void withoutBatchWaitEverythingAlreadyQueuedStillFormsOneGroup() throws Exception {
        for (int first = 1; first <= 40; first += 10) {
            queue(batch("dev", 1, first, 10));
        }
        queue.add(Job.STOP);
        Thread writer = start(Fixtures.writers(1, 1000, Duration.ZERO, 1000), mock(ConnectionSource.class), connection());
        writer.join(5000);

        // Four frames were waiting when the writer started: one transaction, one INSERT of 32 and one of 8.
        assertEquals(List.of(32, 8), insertedRowsPerStatement);
    }

    @Test
    void failedCommitFailsEveryFutureOfTheGroupThenReconnectsForTheNextOne() throws Exception {
        Connection broken = connection();
        doThrow(new SQLException("disk full")).when(broken).commit();
        Connection fresh = connection();
        ConnectionSource source = mock(ConnectionSource.class);
        when(source.open()).thenReturn(fresh);
        when(source.description()).thenReturn("mock store");

        Job.Readings a = queue(batch("dev", 1, 1, 5));
        Job.Readings b = queue(batch("dev", 1, 6, 5));
        Thread writer = start(Fixtures.writers(1, 100, Duration.ofMillis(50), 1000), source, broken);

        for (Job.Readings job : List.of(a, b)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> job.done().get(5, TimeUnit.SECONDS));
            StoreException se = assertInstanceOf(StoreException.class, e.getCause());
            assertTrue(se.getMessage().contains("disk full"), se.getMessage());
            assertTrue(se.getMessage().contains("mock store"), se.getMessage());
        }
        verify(broken).rollback();
        verify(broken, atLeastOnce()).close();
        verify(source, never()).open(); // "disk full" is not a lost connection: no retry of the group
        assertEquals(0, admission.depth());

        Job.Readings c = queue(batch("dev", 1, 11, 5));
        c.done().get(5, TimeUnit.SECONDS);
        verify(fresh).commit();
        queue.add(Job.STOP);
        writer.join(5000);
    }

    @Test
    void aReusedConnectionThatDiedWhileIdleIsReplacedAndTheGroupStillCommits() throws Exception {
        Connection stale = connection();
        doThrow(new SQLException("Communications link failure", "08S01")).when(stale).commit();
        Connection fresh = connection();
        ConnectionSource source = mock(ConnectionSource.class);
        when(source.open()).thenReturn(fresh);
        when(source.description()).thenReturn("mock store");

        Job.Readings a = queue(batch("dev", 1, 1, 5));
        Thread writer = start(Fixtures.writers(1, 100, Duration.ofMillis(50), 1000), source, stale);
        a.done().get(5, TimeUnit.SECONDS);
        verify(stale).rollback();
        verify(fresh).commit();
        assertEquals(0, admission.depth());
        queue.add(Job.STOP);
        writer.join(5000);
    }

    @Test
    void aClusterNodeThatDropsAFreshConnectionMidTransactionIsLeftAndTheGroupCommitsOnTheNextNode() throws Exception {
        Connection stopping = droppedAtCommit();
        Connection next = connection();
        ConnectionSource source = cluster(3, stopping, next);

        Job.Readings a = queue(batch("dev", 1, 1, 5));
        Thread writer = start(ONE_WRITER, source, null);
        a.done().get(5, TimeUnit.SECONDS);
        verify(source).nodeUnavailable(eq(stopping), any());
        verify(next).commit();
        queue.add(Job.STOP);
        writer.join(5000);
    }

    @Test
    void aGroupMovesToEachOtherNodeOnceAndThenFails() throws Exception {
        // the first node, then the other one: no third attempt
        assertGroupFailsAfterLogins(2, cluster(2, droppedAtCommit(), droppedAtCommit()));
    }

    @Test
    void aSingleServerThatDropsAFreshConnectionFailsTheGroup() throws Exception {
        assertGroupFailsAfterLogins(1, cluster(1, droppedAtCommit(), connection()));
    }

    /** One group through one writer over {@code source}: it fails with a StoreException after {@code logins} logins. */
    private void assertGroupFailsAfterLogins(int logins, ConnectionSource source) throws Exception {
        Job.Readings a = queue(batch("dev", 1, 1, 5));
        Thread writer = start(ONE_WRITER, source, null);
        assertInstanceOf(StoreException.class,
                assertThrows(ExecutionException.class, () -> a.done().get(5, TimeUnit.SECONDS)).getCause());
        verify(source, times(logins)).open();
        queue.add(Job.STOP);
        writer.join(5000);
    }

    private static final WriterConfig ONE_WRITER = Fixtures.writers(1, 100, Duration.ofMillis(50), 1000);

    /** A connection whose COMMIT finds it dropped by the server. */
    private Connection droppedAtCommit() throws SQLException {
        Connection c = connection();
        doThrow(new SQLException("Communications link failure", "08S01")).when(c).commit();
        return c;
    }

    /** A source of {@code nodes} nodes whose logins return {@code first}, then {@code then}; every failed node counts as left. */
    private static ConnectionSource cluster(int nodes, Connection first, Connection then) throws SQLException {
        ConnectionSource source = mock(ConnectionSource.class);
        when(source.nodes()).thenReturn(nodes);
        when(source.open()).thenReturn(first, then);
        when(source.nodeUnavailable(any(), any())).thenReturn(true);
        when(source.description()).thenReturn("mock cluster");
        return source;
    }
}
