package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.store.DuplicateMismatchException;
import io.pigateway.gateway.store.ReadingBatch;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreRefusedException;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import io.pigateway.protocol.Reading;
import io.pigateway.testing.CapturedLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ending of a connection, without a network: the socket is {@link MemorySocket}, which keeps
 * what the gateway sends and the steps taken on it (half-close, close) in order, and the ACKs come
 * from a real {@link AckSender} over futures the test completes. What the client gets is read back
 * with {@link FrameReader}. The store is an embedded one, for its health only.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionEndingTest {
    static final LimitsConfig LIMITS = LimitsConfig.defaults();
    static final String PEER = "127.0.0.1:40000";

    @TempDir
    static Path dir;
    static Store store;

    @RegisterExtension
    final CapturedLog log = CapturedLog.eachTest();

    /** The connection as the ending sees it. */
    record Device(String deviceId, String claimedId, boolean handshaken) implements ConnectionEnding.Subject {
        static final Device CONNECTED = new Device("pi-1", "pi-1", true);

        @Override
        public String who() {
            return deviceId == null ? "peer " + PEER : "device " + deviceId + " (" + PEER + ")";
        }
    }

    @BeforeAll
    static void openStore() throws Exception {
        store = Store.open(StoreConfig.embedded(dir.resolve("store")),
                new WriterConfig(1, 1000, Duration.ZERO, 10_000, Duration.ofMillis(200)));
    }

    @AfterAll
    static void closeStore() {
        if (store != null) {
            store.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aFrameCommittedWhileTheConnectionIsRefusedIsAcknowledgedBeforeTheNack() throws Exception {
        MemorySocket socket = new MemorySocket(new byte[100]); // the client still sends after the refusal
        ConnectionEnding ending = ending(Device.CONNECTED, socket);
        AckSender acks = acks(ending, socket);
        CompletableFuture<Void> committed = new CompletableFuture<>();
        acks.enqueue(committed, batch(1, 3), System.nanoTime());
        // Commits after the refusal began: a NACK sent without waiting for the ACK would come first.
        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> committed.complete(null));

        ending.failed(new ProtocolException(NackCode.SEQUENCE_ERROR, "seq 2 after seq 3"));

        assertEquals(List.of(new Message.Ack(3), new Message.Nack(NackCode.SEQUENCE_ERROR, 0, "seq 2 after seq 3")),
                socket.sentFrames());
        assertEquals(List.of("shutdownOutput", "close"), socket.steps, "half-closed after the NACK, then closed");
        assertEquals(0, socket.clientBytes.available(), "what the client still sent was read, not left to reset the NACK");
        assertEquals(1, log.await(Duration.ofSeconds(5), "device pi-1 (" + PEER + "): seq 2 after seq 3; sent NACK "
                + NackCode.SEQUENCE_ERROR + " and closed").size());
    }

    @Test
    void aClientThatLeftGetsTheAcksOfWhatWasCommittedAndNoNack() throws Exception {
        MemorySocket socket = new MemorySocket(new byte[0]);
        ConnectionEnding ending = ending(Device.CONNECTED, socket);
        AckSender acks = acks(ending, socket);
        CompletableFuture<Void> committed = new CompletableFuture<>();
        acks.enqueue(committed, batch(1, 5), System.nanoTime());
        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> committed.complete(null));

        ending.ended("client closed the connection");

        assertEquals(List.of(new Message.Ack(5)), socket.sentFrames());
        assertEquals(List.of(), socket.steps, "the connection's last step closes the socket, not the ending");
    }

    @Test
    void aConnectionAskedToEndStopsReadingThenTellsTheClientWhyAfterItsAcks() throws Exception {
        MemorySocket socket = new MemorySocket(new byte[0]);
        ConnectionEnding ending = ending(Device.CONNECTED, socket);
        AckSender acks = acks(ending, socket);
        acks.enqueue(CompletableFuture.completedFuture(null), batch(1, 2), System.nanoTime());

        ending.end(NackCode.SHUTTING_DOWN); // from the shutdown's thread
        assertTrue(ending.closing());
        assertEquals(List.of("shutdownInput"), socket.steps, "only asks: the reading thread sees the end of its stream");
        ending.ended("end of stream"); // the reading thread

        assertEquals(List.of(new Message.Ack(2), new Message.Nack(NackCode.SHUTTING_DOWN,
                ConnectionEnding.RETRY_AFTER_MILLIS, "the gateway is shutting down")), socket.sentFrames());
        assertEquals(List.of("shutdownInput", "shutdownOutput", "close"), socket.steps);
    }

    @Test
    void aDuplicateMismatchIsSentByTheReadingThreadAfterTheAckOfTheFramesBeforeIt() throws Exception {
        MemorySocket socket = new MemorySocket(new byte[0]);
        ConnectionEnding ending = ending(Device.CONNECTED, socket);
        AckSender acks = acks(ending, socket);
        acks.enqueue(CompletableFuture.completedFuture(null), batch(1, 3), System.nanoTime());
        String mismatch = "seq 4 is stored as t=21.5, not t=19.0";
        acks.enqueue(CompletableFuture.failedFuture(new DuplicateMismatchException(mismatch, 1)), batch(4, 6),
                System.nanoTime());

        assertEquals("shutdownInput", socket.awaitStep(), "the ACK thread stops the reading thread");
        assertEquals(List.of(new Message.Ack(3)), socket.sentFrames(), "the NACK is not the ACK thread's to send");
        ending.ended("end of stream"); // the reading thread

        assertEquals(List.of(new Message.Ack(3), new Message.Nack(NackCode.DUPLICATE_MISMATCH, 0, mismatch)),
                socket.sentFrames());
        assertEquals(List.of("shutdownInput", "shutdownOutput", "close"), socket.steps);
        log.await(Duration.ofSeconds(5), "device pi-1", "refused a frame: " + mismatch, "restored or cloned client",
                "sent NACK " + NackCode.DUPLICATE_MISMATCH);
    }

    @Test
    void aFrameTheDatabaseRefusesAfterTheAckOfTheFramesBeforeItGetsStoreRefusedAndTheConnectionCloses()
            throws Exception {
        MemorySocket socket = new MemorySocket(new byte[0]);
        ConnectionEnding ending = ending(Device.CONNECTED, socket);
        AckSender acks = acks(ending, socket);
        acks.enqueue(CompletableFuture.completedFuture(null), batch(1, 3), System.nanoTime());
        acks.enqueue(CompletableFuture.failedFuture(new StoreRefusedException("value out of range", null)),
                batch(4, 6), System.nanoTime());

        assertEquals("close", socket.awaitStep(), "closed by the ACK thread");
        assertEquals(List.of(new Message.Ack(3), new Message.Nack(NackCode.STORE_REFUSED,
                "could not commit seq 4..6: value out of range")), socket.sentFrames());
    }

    @Test
    void aTimeoutIsTheHandshakeTimeoutBeforeTheDeviceIsProvenAndTheIdleTimeoutAfter() throws Exception {
        MemorySocket handshaking = new MemorySocket(new byte[0]);
        ending(new Device(null, "pi-1", false), handshaking).failed(new SocketTimeoutException("Read timed out"));
        MemorySocket idle = new MemorySocket(new byte[0]);
        ending(Device.CONNECTED, idle).failed(new SocketTimeoutException("Read timed out"));

        assertEquals(List.of(new Message.Nack(NackCode.TIMEOUT, 0, "no complete frame within the handshake timeout of "
                + LIMITS.handshakeTimeout().toMillis() + " ms")), handshaking.sentFrames());
        assertEquals(List.of(new Message.Nack(NackCode.IDLE_TIMEOUT, 0, "no complete frame within the idle timeout of "
                + LIMITS.idleTimeout().toMillis() + " ms")), idle.sentFrames());
    }

    private static ConnectionEnding ending(ConnectionEnding.Subject device, MemorySocket socket) {
        Guards guards = new Guards(LIMITS, new Authenticator(AuthConfig.open()), new FailurePenalty(),
                new DeviceRates(LIMITS), new RefusalLog(), new ConnectionSlots<>(LIMITS.maxConnections(),
                LIMITS.handshakeLimits().maxUnauthenticated()), new MemoryBudget(1 << 24));
        ConnectionContext context = new ConnectionContext(guards, store, new ConnectionRegistry(), false, Metrics.NONE);
        ConnectionEnding ending = new ConnectionEnding(device, socket, PEER, InetAddress.getLoopbackAddress(), context);
        ending.writesTo(socket.out);
        return ending;
    }

    /** The ACK sender of the connection's first READINGS frame, writing where the ending writes. */
    private static AckSender acks(ConnectionEnding ending, MemorySocket socket) {
        AckSender acks = new AckSender(ending, socket.out, false, "test-ack", Metrics.NONE);
        ending.drains(acks);
        return acks;
    }

    private static ReadingBatch batch(long firstSeq, long lastSeq) {
        List<Reading> readings = LongStream.rangeClosed(firstSeq, lastSeq)
                .mapToObj(seq -> new Reading(seq, "t", 1_700_000_000_000L + seq, 20.0)).toList();
        return new ReadingBatch("pi-1", 1, Instant.now(), readings);
    }

    /**
     * A connected socket in memory: what the gateway writes is kept, what the client still sends is
     * {@code clientBytes}, and each half-close or close is recorded as a step. {@link #out} is the one
     * frame writer the connection's threads share.
     */
    static final class MemorySocket extends Socket {
        final ByteArrayInputStream clientBytes;
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final FrameWriter out = new FrameWriter(getOutputStream());
        final List<String> steps = new CopyOnWriteArrayList<>();
        private final BlockingQueue<String> newSteps = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        MemorySocket(byte[] clientBytes) {
            this.clientBytes = new ByteArrayInputStream(clientBytes);
        }

        /** The frames the client received, in order. */
        List<Message> sentFrames() throws IOException {
            byte[] bytes;
            synchronized (sent) {
                bytes = sent.toByteArray();
            }
            FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes), 65_536);
            List<Message> frames = new ArrayList<>();
            for (Message m = reader.read(); m != null; m = reader.read()) {
                frames.add(m);
            }
            return frames;
        }

        /** Waits for the next step taken on this socket. */
        String awaitStep() throws InterruptedException {
            return newSteps.take(); // bounded by the class's @Timeout
        }

        private void step(String name) {
            steps.add(name);
            newSteps.add(name);
        }

        @Override
        public InputStream getInputStream() {
            return clientBytes;
        }

        @Override
        public OutputStream getOutputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (sent) {
                        sent.write(b, off, len);
                    }
                }
            };
        }

        @Override
        public void setSoTimeout(int timeout) {
            // the linger's reads end at the end of clientBytes
        }

        @Override
        public void shutdownInput() {
            step("shutdownInput");
        }

        @Override
        public void shutdownOutput() {
            step("shutdownOutput");
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
            step("close");
        }
    }
}
