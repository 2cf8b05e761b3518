package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.store.DuplicateMismatchException;
import io.pigateway.gateway.store.ReadingBatch;
import io.pigateway.gateway.store.SensorLimitException;
import io.pigateway.gateway.store.SessionStart;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import io.pigateway.gateway.store.StoreRefusedException;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import io.pigateway.protocol.UnknownFrameTypeException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * One client connection on its own virtual thread: the handshake, then READINGS frames validated and
 * queued for the writers, while an {@link AckSender} acknowledges them once committed.
 *
 * <p>Memory: thousands of devices may be connected and silent, so what an idle connection holds is
 * kept small (docs/PERFORMANCE.md, "Memory and start-up"). The frames after the handshake are read
 * on a second virtual thread, started by the first when the handshake succeeds: a parked virtual
 * thread keeps its stack on the heap, in chunks sized by the deepest point it ever parked at and
 * never shrunk, and the handshake parks deep (the store, the log, the failure penalty's sleep). A
 * fresh thread waiting in the frame loop held 2.7 KB of stack instead of 5.4 KB (10,000 idle
 * devices). The ACK machinery, the rate bucket and the ACK thread come with the first READINGS frame.
 *
 * <p>Every way out ends the same way: what was already queued is given a bounded time to be
 * acknowledged, then the reason is sent as a NACK (unless the client simply left), then the socket
 * is closed. Readings acknowledged before are never touched.
 */
final class DeviceConnection implements Runnable, AckSender.Events {
    /** Time to let queued frames be acknowledged before a connection is closed. */
    private static final Duration ACK_DRAIN = Duration.ofSeconds(5);
    private static final int RETRY_AFTER_MILLIS = 1000;
    /** Advice to clients while the database is down: enough to keep reconnects from becoming a storm. */
    private static final int OUTAGE_RETRY_AFTER_MILLIS = 5000;
    private static final long CLOCK_WARNING_MILLIS = 60_000;
    /** Longest sleep while a frame waits for the rate limit; a PING follows each whole one. */
    private static final Duration RATE_PAUSE_SLICE = Duration.ofSeconds(1);
    /** How long a refused connection is read (and ignored) after its NACK, so the client can read the NACK. */
    private static final Duration LINGER = Duration.ofSeconds(1);

    /** The TCP socket: closed, and its input shut down, directly, since TLS cannot do either from another thread. */
    private final Socket plain;
    private final String peer;
    private final InetAddress address;
    /** The address as per-source limits and penalties see it. */
    private final SourcePrefix source;
    /** System.nanoTime() at accept, where {@code limits.handshake-timeout} starts. */
    private final long acceptedNanos = System.nanoTime();
    private final Guards guards;
    private final LimitsConfig limits;
    private final TlsAcceptor tls;
    private final Store store;
    private final ConnectionRegistry registry;
    private final boolean logReadings;
    private final Metrics metrics;

    /** What frames travel over: {@link #plain}, or TLS layered on it. */
    private Socket socket;
    private PeerIdentity identity = PeerIdentity.NONE;
    private String transport = "plaintext";

    private volatile String deviceId;
    /** Set once HELLO_OK is sent: a NACK before that is a refused handshake. */
    private volatile boolean handshaken;
    /** The device id of a well-formed HELLO, before it is proven: the status page lists refused devices. */
    private volatile String claimedId;
    private volatile NackCode endedBy;
    /** Set by the {@link AckSender} when a frame is refused after its transaction; the reading thread sends it. */
    private volatile Refusal refusedFrame;
    private volatile boolean closing;
    /** Called once, when the connection has ended (on whichever thread ends it): releases the listener's permits. */
    private final Consumer<DeviceConnection> released;
    private FrameWriter out;
    /** Created with the first READINGS frame: an idle device needs no ACK machinery. */
    private AckSender acks;
    private DeadlineInputStream input;
    private FrameReader in;
    private byte[] nonce;
    /** Set by the handshake, for the frame loop. */
    private long streamId;
    private ReadingValidator validator;
    /** The device's rate bucket, looked up with the first READINGS frame; {@code null} before, or without a limit. */
    private ReadingRate rate;
    private boolean rateLimitLogged;

    /**
     * @param tls      {@code null} for plaintext
     * @param released called once when the connection has ended, whether or not its threads ever ran
     *                 past the handshake
     */
    DeviceConnection(Socket socket, ConnectionContext context, TlsAcceptor tls, Consumer<DeviceConnection> released) {
        this.plain = socket;
        this.socket = socket;
        this.peer = PeerAddress.of(socket.getRemoteSocketAddress());
        this.address = socket.getInetAddress();
        this.guards = context.guards();
        this.limits = guards.limits();
        this.source = limits.handshakeLimits().sourceOf(address);
        this.tls = tls;
        this.store = context.store();
        this.registry = context.registry();
        this.logReadings = context.logReadings();
        this.metrics = context.metrics();
        this.released = released;
    }

    String deviceId() {
        return deviceId;
    }

    /** Who this is, for log lines: the device once known, and always the address. */
    String who() {
        return deviceId == null ? "peer " + peer : "device " + deviceId + " (" + peer + ")";
    }

    /** The handshake, on the thread the listener started; the frames follow on a thread of their own. */
    @Override
    public void run() {
        registry.opened(this);
        boolean goesOn = false;
        try {
            goesOn = open();
        } catch (IOException | StoreException | InterruptedException | Refusal e) {
            failed(e);
        } finally {
            if (!goesOn) {
                finish();
            }
        }
    }

    /**
     * The frame loop, on the thread {@link #open()} started. No more frames than needed below the
     * read an idle device waits in: each costs heap for every idle connection.
     */
    private void frames() {
        try {
            serveFrames();
        } catch (IOException | StoreException | InterruptedException e) {
            failed(e);
        } finally {
            finish();
        }
    }

    /** Turns each way a connection fails into a NACK, or a quiet end when the client left. */
    private void failed(Exception failure) {
        switch (failure) {
            case Refusal r -> refuse(r.code(), r.reason(), r.getMessage(), r.retryAfterMillis());
            case ProtocolException e -> refuse(e.nackCode(), e.getMessage(), e.retryAfterMillis());
            case StoreException e -> refuse(NackCode.STORE_UNAVAILABLE, e.getMessage(), storeRetryAfter());
            case SocketTimeoutException e -> {
                if (deviceId == null) {
                    refuse(NackCode.TIMEOUT, "no complete frame within the handshake timeout of "
                            + limits.handshakeTimeout().toMillis() + " ms", 0);
                } else {
                    refuse(NackCode.IDLE_TIMEOUT, "no complete frame within the idle timeout of "
                            + limits.idleTimeout().toMillis() + " ms", 0);
                }
            }
            case EOFException e -> ended(e.getMessage());
            case IOException e when closing -> Logger.debug("{}: closed ({})", who(), e.getMessage());
            case IOException e -> ended(e.toString());
            case InterruptedException e -> Thread.currentThread().interrupt();
            default -> throw new IllegalStateException("unexpected " + failure, failure);
        }
    }

    /** The last step on every path, exactly once. */
    private void finish() {
        try {
            registry.closed(this);
            closeSocket();
            if (handshaken) {
                metrics.deviceDisconnected(deviceId);
            }
        } finally {
            released.accept(this);
        }
    }

    /** TLS if configured, then the handshake; on success starts the frame loop's thread and returns {@code true}. */
    private boolean open() throws IOException, StoreException, InterruptedException, Refusal {
        plain.setTcpNoDelay(true);
        if (tls != null) {
            TlsAcceptor.Secured secured = tls.handshake(plain, peer, () -> closing);
            if (secured == null) {
                return false; // logged and closed
            }
            socket = secured.socket();
            identity = secured.identity();
            transport = secured.protocol() + (identity.certified() ? " as " + identity.describe() : "");
        }
        if (!greet()) {
            return false;
        }
        // A fresh thread for the long wait between frames: this one's stack has grown at every point it
        // parked, and a virtual thread's stack stays on the heap at its largest (class comment).
        Thread.ofVirtual().name("device-" + deviceId).start(this::frames);
        return true;
    }

    /** CHALLENGE, HELLO, HELLO_OK; {@code false} if the client closed before its HELLO. */
    private boolean greet() throws IOException, StoreException, InterruptedException, Refusal {
        // Every read goes through the deadline stream, which sets the socket's timeout before each. The
        // handshake timeout counts from accept, so a TLS handshake spends from it too.
        input = new DeadlineInputStream(socket, socket.getInputStream());
        input.expireIn(limits.handshakeTimeout().minusNanos(System.nanoTime() - acceptedNanos));
        // Until HELLO_OK only a HELLO-sized frame: a client not yet authenticated gets little of the heap.
        MemoryBudget.Account memory = guards.memory().account();
        in = new FrameReader(input, limits.maxHelloBytes(), limits.maxSensors(), memory);
        // FrameWriter writes each frame as one array and flushes: a buffer would only cost memory.
        out = new FrameWriter(socket.getOutputStream());
        nonce = HelloProof.nonce();
        out.write(new Message.Challenge(nonce));

        Message first = in.read();
        if (first == null) {
            ended("closed before HELLO"); // by the client, or by end() when its handshake slot went to a newer one
            return false;
        }
        if (!(first instanceof Message.Hello hello)) {
            throw new ProtocolException(NackCode.HANDSHAKE_REQUIRED,
                    "expected HELLO as the first frame, got " + first.type());
        }
        streamId = handshake(hello);
        input.expireIn(limits.idleTimeout());
        in.maxPayloadBytes(limits.maxPayloadBytes());
        memory.authenticated();
        validator = new ReadingValidator(limits.maxReadingsPerFrame(), hello.sensors());
        return true;
    }

    /** READINGS, PING, BYE until the client leaves or is refused. */
    private void serveFrames() throws IOException, StoreException, InterruptedException {
        while (true) {
            Message m;
            try {
                m = in.read();
            } catch (UnknownFrameTypeException e) {
                // The CRC matched, so the stream is still at a frame boundary: refuse this frame only.
                input.expireIn(limits.idleTimeout());
                Logger.warn("{}: {}; sent NACK {} and went on", who(), e.getMessage(), e.nackCode());
                metrics.nackSent(e.nackCode(), false);
                out.write(new Message.Nack(e.nackCode(), e.getMessage()));
                continue;
            }
            input.expireIn(limits.idleTimeout()); // a whole frame arrived: the idle clock starts again
            if (m == null) {
                ended("client closed the connection");
                return;
            }
            switch (m) {
                case Message.Readings r -> accept(r);
                case Message.Ping p -> {
                    metrics.deviceSeen(deviceId);
                    out.write(new Message.Pong(p.nonce()));
                }
                case Message.Pong p -> {
                    // an answer to nothing we sent; harmless
                }
                case Message.Bye b -> {
                    if (acks != null) {
                        acks.finish(ACK_DRAIN);
                    }
                    out.write(new Message.Bye());
                    Logger.debug("{}: said BYE after seq {}", who(), acks == null ? 0 : acks.acknowledged());
                    return;
                }
                default -> throw new ProtocolException(NackCode.UNEXPECTED_FRAME,
                        m.type() + " is not expected from a client after the handshake");
            }
        }
    }

    /**
     * How far the client's clock is behind the gateway's, in ms; a client clock so far off that the
     * difference does not fit a long (the fuzzer sent one) is recorded as ±{@link Long#MAX_VALUE}.
     */
    static long clockOffset(long gatewayMillis, long clientMillis) {
        try {
            return Math.subtractExact(gatewayMillis, clientMillis);
        } catch (ArithmeticException e) {
            return clientMillis < gatewayMillis ? Long.MAX_VALUE : -Long.MAX_VALUE;
        }
    }

    /**
     * Holds a frame until the device's bucket has room for it, without reading the socket meanwhile:
     * a device catching up a backlog faster than {@code limits.max-readings-per-second} is slowed by
     * TCP back-pressure instead of being disconnected. The wait is taken in slices of at most
     * {@link #RATE_PAUSE_SLICE}; after each whole slice the gateway sends a PING, so that a client
     * waiting for an ACK hears from the gateway well within its silence limit (twice its ping
     * interval, at least 2 s). A connection asked to end stops waiting; the held frame was not
     * queued, so it is not acknowledged and the client resends it.
     */
    private void awaitRate(int readings) throws IOException, InterruptedException {
        if (rate == null) {
            return;
        }
        long waitMillis = rate.take(readings);
        if (waitMillis == 0) {
            return;
        }
        if (!rateLimitLogged) {
            rateLimitLogged = true;
            Logger.info("{}: sends more than {} readings per second (limits.max-readings-per-second, bursts up to {});"
                    + " its frames are read more slowly from now on", who(), rate.perSecond(), rate.burst());
        }
        do {
            if (closing) {
                throw new EOFException("ended while waiting for the rate limit");
            }
            long slice = Math.min(waitMillis, RATE_PAUSE_SLICE.toMillis());
            Thread.sleep(slice);
            if (slice == RATE_PAUSE_SLICE.toMillis()) {
                out.write(new Message.Ping(System.nanoTime()));
            }
            waitMillis = rate.take(readings);
        } while (waitMillis > 0);
        input.expireIn(limits.idleTimeout()); // the pause was the gateway's, not the client's idleness
    }

    /** Checks a READINGS frame and queues it for the writers; its ACK follows once it is committed. */
    private void accept(Message.Readings r) throws IOException, StoreException, InterruptedException {
        long receivedAt = System.nanoTime();
        int count = r.readings().size();
        metrics.readingsReceived(deviceId, count);
        try {
            validator.check(r);
        } catch (ProtocolException e) {
            metrics.readingsRejected(e.nackCode(), count);
            throw e;
        }
        if (acks == null) { // the first READINGS frame of this connection
            acks = new AckSender(this, out, logReadings, "device-" + deviceId + "-ack", metrics);
            rate = guards.rates().of(deviceId);
        }
        awaitRate(count);
        ReadingBatch batch = new ReadingBatch(deviceId, streamId, Instant.now(), r.readings());
        CompletableFuture<Void> committed;
        try {
            committed = store.submit(batch, limits.queueWait());
        } catch (StoreException e) {
            metrics.readingsRejected(NackCode.STORE_UNAVAILABLE, count);
            throw e;
        }
        acks.enqueue(committed, batch, receivedAt);
    }

    private long handshake(Message.Hello hello) throws IOException, StoreException, InterruptedException, Refusal {
        try {
            Handshake.checkHello(hello);
        } finally {
            if (Identifiers.problem("device id", hello.deviceId()) == null) {
                claimedId = hello.deviceId(); // well-formed, not yet proven: the status page lists refused devices
            }
        }
        guards.handshake().authenticate(hello, nonce, source);
        NackCode noSlot = guards.slots().authenticated(this);
        if (noSlot == NackCode.TOO_MANY_CONNECTIONS) {
            String reason = "the gateway holds its maximum of " + limits.maxConnections()
                    + " connections (limits.max-connections)";
            throw new Refusal(noSlot, reason, reason, RETRY_AFTER_MILLIS);
        } else if (noSlot != null) {
            String reason = crowdedOutReason();
            throw new Refusal(noSlot, reason, reason, RETRY_AFTER_MILLIS);
        }
        Handshake.checkCertificate(hello, identity);
        deviceId = hello.deviceId();
        Thread.currentThread().setName("device-" + deviceId);
        long now = System.currentTimeMillis();
        long offset = clockOffset(now, hello.clientClockMillis());

        DeviceConnection replaced = registry.claim(deviceId, this);
        if (replaced != null && replaced != this) {
            Logger.info("{}: replaces the device's connection from {}", who(), replaced.peer);
            replaced.end(NackCode.REPLACED);
            if (registry.replacedRepeatedly(deviceId, System.nanoTime())) {
                Logger.warn("{}: probably a clone: connections of this device id from {} and {} keep replacing each"
                                + " other ({} replacements within {} s); two clients share one device id (a cloned SD card?)",
                        who(), replaced.peer, peer, ConnectionRegistry.CLONE_REPLACEMENTS,
                        TimeUnit.NANOSECONDS.toSeconds(ConnectionRegistry.CLONE_WINDOW_NANOS));
                metrics.probableClone(deviceId);
            }
        }
        try {
            store.recordSession(new SessionStart(deviceId, hello.streamId(), peer, Instant.ofEpochMilli(now),
                    hello.clientClockMillis(), offset, hello.sensors()), limits.maxSensorsPerDevice())
                    .get(limits.queueWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SensorLimitException tooMany) {
                // Not retryable: the client would announce the same sensors again.
                throw new Refusal(NackCode.TOO_MANY_SENSORS, tooMany.getMessage(), tooMany.getMessage(), 0);
            }
            if (e.getCause() instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("could not record the session: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreException("could not record the session within " + limits.queueWait().toMillis()
                    + " ms; " + store.queueDepth() + " readings are waiting for the database");
        }
        out.write(new Message.HelloOk(now, limits.maxPayloadBytes(), limits.maxReadingsPerFrame()));
        handshaken = true;
        metrics.deviceSeen(deviceId);
        metrics.deviceConnected(deviceId, peer, hello.streamId());
        if (Math.abs(offset) > CLOCK_WARNING_MILLIS) {
            Logger.warn("{}: connected ({}), stream {}; its clock is {} s {} the gateway's (readings keep both times)",
                    who(), transport, hello.streamId(), Math.abs(offset) / 1000,
                    offset > 0 ? "behind" : "ahead of");
        } else {
            Logger.info("{}: connected ({}), stream {}, clock offset {} ms", who(), transport,
                    hello.streamId(), offset);
        }
        return hello.streamId();
    }

    /**
     * Asks this connection to stop reading and close once what it already received is acknowledged,
     * telling the client {@code reason}. Safe from any thread.
     */
    void end(NackCode reason) {
        endedBy = reason;
        closing = true;
        try {
            // On the TCP socket even under TLS: the reading thread sees the end of the stream, and with
            // TLS 1.3 can still send its NACK (TLS 1.2 closes both directions; the client then just resends).
            plain.shutdownInput();
        } catch (IOException e) {
            closeSocket();
        }
    }

    /** Closes the socket now, without waiting for anything: the last step of a shutdown that ran out of time. */
    void abort() {
        closeSocket();
    }

    /** The client left, or the gateway asked this connection to end. */
    private void ended(String how) {
        Refusal refused = refusedFrame;
        if (refused != null) {
            refuse(refused.code(), refused.reason(), refused.getMessage(), refused.retryAfterMillis());
            return;
        }
        NackCode reason = endedBy;
        if (reason != null) {
            String text = switch (reason) {
                case REPLACED -> "a newer connection for this device took over";
                case TOO_MANY_HANDSHAKES -> crowdedOutReason();
                case AUTHENTICATION_FAILED -> "the device's secret was removed or changed in the devices file (reload)";
                default -> "the gateway is shutting down";
            };
            refuse(reason, text, RETRY_AFTER_MILLIS);
        } else {
            drainAcks();
            Logger.debug("{}: disconnected: {}", who(), how);
        }
    }

    private String crowdedOutReason() {
        return "the gateway holds its maximum of " + guards.slots().maxHandshakes() + " connections in their handshake"
                + " (limits.max-unauthenticated-connections); this one, the oldest of the source holding the most,"
                + " made room for a newer one";
    }

    private void refuse(NackCode code, String reason, int retryAfterMillis) {
        refuse(code, reason, reason, retryAfterMillis);
    }

    /**
     * Lets queued frames be acknowledged, sends a NACK with {@code reason}, closes. One log line with
     * {@code detail} (repeats from one address within a minute are counted, see {@link RefusalLog}).
     */
    private void refuse(NackCode code, String reason, String detail, int retryAfterMillis) {
        drainAcks();
        String line = who() + ": " + detail + "; sent NACK " + code + " and closed";
        if (code == NackCode.STORE_UNAVAILABLE && !store.healthy()) {
            Logger.debug(line); // the outage was logged once
        } else {
            guards.refusals().log(address, code, !code.retryable(), line);
        }
        metrics.nackSent(code, !handshaken);
        metrics.deviceRefused(deviceId != null ? deviceId : claimedId, peer, code);
        sendQuietly(new Message.Nack(code, retryAfterMillis, reason));
        closeAfterNack();
    }

    /**
     * Closes so that the client gets to read the NACK: closing a socket with unread input makes the
     * kernel answer with a TCP reset, which can destroy the NACK in the client's receive buffer before
     * the client reads it (a client still sending frames is the usual case). So: half-close, discard
     * what still arrives for at most {@link #LINGER}, then close.
     */
    private void closeAfterNack() {
        try {
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            byte[] discard = new byte[8192];
            long deadline = System.nanoTime() + LINGER.toNanos();
            for (long left = LINGER.toMillis(); left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                socket.setSoTimeout((int) left);
                if (in.read(discard) < 0) {
                    break;
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // timed out, reset, or a TLS socket (no half-close): close now
        } finally {
            closeSocket();
        }
    }

    /** Called by the {@link AckSender} when a batch of this connection could not be committed. */
    @Override
    public void storeFailed(ReadingBatch batch, Throwable cause) {
        if (cause instanceof DuplicateMismatchException e) {
            // Loud: a client reusing seqs for other readings would lose them silently if this were ACKed.
            // The reading thread sends the NACK and closes as every refusal does, so that the client gets
            // to read it (closeAfterNack) and drops the frame instead of resending it for ever.
            refusedFrame = new Refusal(NackCode.DUPLICATE_MISMATCH, e.getMessage(), "refused a frame: " + e.getMessage()
                    + "; is this a restored or cloned client?", 0);
            try {
                plain.shutdownInput();
            } catch (IOException io) {
                closeSocket();
            }
            return;
        }
        String reason = "could not commit seq " + batch.readings().getFirst().seq() + ".." + batch.readings().getLast().seq()
                + ": " + cause.getMessage();
        if (cause instanceof StoreRefusedException) {
            // The frames before it were acknowledged; the client drops this one (counted as lost).
            Logger.warn("{}: {}; sent NACK {} and closed", who(), reason, NackCode.STORE_REFUSED);
            metrics.nackSent(NackCode.STORE_REFUSED, false);
            sendQuietly(new Message.Nack(NackCode.STORE_REFUSED, reason));
            closeSocket();
            return;
        }
        if (store.healthy()) {
            Logger.info("{}: {}; sent NACK {} and closed", who(), reason, NackCode.STORE_UNAVAILABLE);
        } else {
            Logger.debug("{}: {}; sent NACK {} and closed", who(), reason, NackCode.STORE_UNAVAILABLE);
        }
        metrics.nackSent(NackCode.STORE_UNAVAILABLE, false);
        sendQuietly(new Message.Nack(NackCode.STORE_UNAVAILABLE, storeRetryAfter(), reason));
        closeSocket();
    }

    /** Called by the {@link AckSender} when the socket broke under it. */
    @Override
    public void lost(String what, IOException e) {
        if (!closing) {
            Logger.debug("{}: {}: {}", who(), what, e.toString());
        }
        closeSocket();
    }

    private int storeRetryAfter() {
        return store.healthy() ? RETRY_AFTER_MILLIS : OUTAGE_RETRY_AFTER_MILLIS;
    }

    private void drainAcks() {
        if (acks == null) {
            return;
        }
        try {
            if (!acks.finish(ACK_DRAIN)) {
                Logger.info("{}: queued readings not committed within {} ms; the client will resend them",
                        who(), ACK_DRAIN.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendQuietly(Message m) {
        if (out == null || plain.isClosed()) {
            return;
        }
        try {
            out.write(m);
        } catch (IOException e) {
            Logger.debug("{}: could not send {}: {}", who(), m.type(), e.toString());
        }
    }

    /**
     * Closes the TCP socket. Under TLS no close_notify is sent: sending it could block behind a writer
     * stuck on a client that stopped reading, and our frames carry their own ends and checksums.
     */
    private void closeSocket() {
        closing = true;
        try {
            plain.close();
        } catch (IOException e) {
            Logger.debug("{}: close failed: {}", who(), e.toString());
        }
    }
}
