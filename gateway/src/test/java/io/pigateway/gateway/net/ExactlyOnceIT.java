package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Readings travel from real sockets into MariaDB exactly once, acknowledged only once committed. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExactlyOnceIT {
    static final Duration ACK_WAIT = Duration.ofSeconds(60);

    @Test
    void twentyClientsOfFiveThousandReadingsGiveExactly100000RowsAllAcknowledged(@TempDir Path dir) throws Exception {
        int clients = 20;
        int perClient = 5000;
        try (RunningGateway g = RunningGateway.start(dir);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long started = System.nanoTime();
            List<Future<Long>> acks = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String device = "load-" + c;
                acks.add(pool.submit(() -> {
                    try (TestDevice d = TestDevice.connect(g.address(), device, 42)) {
                        d.sendRange(1, perClient, 100);
                        return d.awaitAck(perClient, ACK_WAIT);
                    }
                }));
            }
            for (Future<Long> a : acks) {
                assertEquals(perClient, a.get());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("%d clients x %d readings: all acknowledged in %.2f s = %.0f rows/s%n",
                    clients, perClient, seconds, clients * perClient / seconds);
            assertEquals(100_000, g.rows());
            assertEquals(100_000, g.distinctKeys());
            for (int c = 0; c < clients; c++) {
                assertEquals(perClient, g.rows("load-" + c));
            }
        }
    }

    @Test
    void aClientThatDisconnectsMidFrameAndResendsEverythingIsStoredOnce(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir)) {
            try (TestDevice d = TestDevice.connect(g.address(), "flaky", 7)) {
                d.sendRange(1, 1000, 100);
                byte[] next = FrameWriter.encode(TestDevice.readings(1001, 100, "temperature"));
                d.sendRaw(java.util.Arrays.copyOf(next, next.length / 2)); // cut mid-frame
            }
            // Reconnect on the same stream and resend everything from seq 1: the client never saw an ACK.
            try (TestDevice d = TestDevice.connect(g.address(), "flaky", 7)) {
                d.sendRange(1, 1500, 100);
                assertEquals(1500, d.awaitAck(1500, ACK_WAIT));
            }
            assertEquals(1500, g.rows("flaky"));
            assertEquals(1500, g.distinctKeys());
        }
    }

    @Test
    void aRetransmittedFrameIsAcknowledgedAndNotStoredTwice(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir)) {
            sendAll(g, "twice", 9, 10, 10);
            assertEquals(10, sendAll(g, "twice", 9, 10, 10));
            assertEquals(10, g.rows("twice"));
        }
    }

    @Test
    void aNewStreamStartingAgainAtSeqOneIsNewDataNotDuplicates(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir)) {
            sendAll(g, "wiped", 1111, 50, 25);
            sendAll(g, "wiped", 2222, 50, 25); // spool wiped: new stream
            assertEquals(100, g.rows("wiped"));
        }
    }

    @Test
    void anAckArrivesOnlyAfterTheReadingsAreInTheDatabase(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir);
             TestDevice d = TestDevice.connect(g.address(), "strict", 5)) {
            for (int i = 0; i < 20; i++) {
                long from = i * 10L + 1;
                d.send(TestDevice.readings(from, 10, "t"));
                d.awaitAck(from + 9, ACK_WAIT);
                assertEquals(from + 9, g.rows("strict"), "rows visible when ACK " + (from + 9) + " arrived");
            }
        }
    }

    @Test
    void pingIsAnsweredWithTheSameNonce(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir);
             TestDevice d = TestDevice.connect(g.address(), "pinger", 5)) {
            d.send(new Message.Ping(123456789L));
            assertEquals(new Message.Pong(123456789L), d.next());
        }
    }

    /** Seq 1..{@code last} of a new connection, {@code perFrame} to a frame; the highest seq acknowledged. */
    private static long sendAll(RunningGateway g, String device, long stream, long last, int perFrame)
            throws Exception {
        try (TestDevice d = TestDevice.connect(g.address(), device, stream)) {
            d.sendRange(1, last, perFrame);
            return d.awaitAck(last, ACK_WAIT);
        }
    }
}
