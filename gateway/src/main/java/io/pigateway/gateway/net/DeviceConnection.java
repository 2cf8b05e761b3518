package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.store.ReadingBatch;
import io.pigateway.gateway.store.SensorLimitException;
import io.pigateway.gateway.store.SessionStart;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
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
import java.net.InetAddress;
import java.net.Socket;
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
 * <p>Every way out ends the same way, in {@link ConnectionEnding}: what was already queued is given a
 * bounded time to be acknowledged, then the reason is sent as a NACK (unless the client simply left),
 * then the socket is closed. Readings acknowledged before are never touched.
 */
final class DeviceConnection implements Runnable, ConnectionEnding.Subject {
    private static final long CLOCK_WARNING_MILLIS = 60_000;
    /** Longest sleep while a frame waits for the rate limit; a PING follows each whole one. */
    private static final Duration RATE_PAUSE_SLICE = Duration.ofSeconds(1);

    /** The TCP socket as accepted; TLS, if configured, is layered on it. */
    private final Socket plain;
    private final String peer;
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
    /** Called once, when the connection has ended (on whichever thread ends it): releases the listener's permits. */
    private final Consumer<DeviceConnection> released;
    /** Drains, refuses and closes, on whichever thread the connection ends. */
    private final ConnectionEnding ending;
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
        InetAddress address = socket.getInetAddress();
        this.guards = context.guards();
        this.limits = guards.limits();
        this.source = limits.handshakeLimits().sourceOf(address);
        this.tls = tls;
        this.store = context.store();
        this.registry = context.registry();
        this.logReadings = context.logReadings();
        this.metrics = context.metrics();
        this.released = released;
        this.ending = new ConnectionEnding(this, socket, peer, address, context);
    }

    @Override
    public String deviceId() {
        return deviceId;
    }

    @Override
    public String claimedId() {
        return claimedId;
    }

    @Override
    public boolean handshaken() {
        return handshaken;
    }

    /** Who this is, for log lines: the device once known, and always the address. */
    @Override
    public String who() {
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
            ending.failed(e);
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
            ending.failed(e);
        } finally {
            finish();
        }
    }

    /** The last step on every path, exactly once. */
    private void finish() {
        try {
            registry.closed(this);
            ending.close();
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
            TlsAcceptor.Secured secured = tls.handshake(plain, peer, ending::closing);
            if (secured == null) {
                return false; // logged and closed
            }
            socket = secured.socket();
            ending.secured(socket);
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
        ending.writesTo(out);
        nonce = HelloProof.nonce();
        out.write(new Message.Challenge(nonce));

        Message first = in.read();
        if (first == null) {
            ending.ended("closed before HELLO"); // by the client, or by end() when its handshake slot went to a newer one
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
                ending.ended("client closed the connection");
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
                        acks.finish(ConnectionEnding.ACK_DRAIN);
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
            if (ending.closing()) {
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
            acks = new AckSender(ending, out, logReadings, "device-" + deviceId + "-ack", metrics);
            ending.drains(acks);
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
            throw new Refusal(noSlot, reason, reason, ConnectionEnding.RETRY_AFTER_MILLIS);
        } else if (noSlot != null) {
            String reason = ending.crowdedOutReason();
            throw new Refusal(noSlot, reason, reason, ConnectionEnding.RETRY_AFTER_MILLIS);
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
        ending.end(reason);
    }

    /** Closes the socket now, without waiting for anything: the last step of a shutdown that ran out of time. */
    void abort() {
        ending.close();
    }
}
