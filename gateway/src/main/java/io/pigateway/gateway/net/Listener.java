package io.pigateway.gateway.net;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The accept loop: each accepted socket gets a handshake slot ({@link ConnectionSlots}) and a
 * virtual thread of its own. The slot, and the share of its source ({@link AddressLimits}), are
 * released in {@code finally} on every path, so a crashing connection can never leak capacity. A
 * source over its share or its rate of new connections is told so and closed at once.
 *
 * <p>With TLS the accept loop still accepts plain TCP sockets: the TLS handshake is the first thing
 * each connection's own thread does, so a slow or hostile client never holds up the accept loop.
 */
public final class Listener implements AutoCloseable {
    private static final long WAITING = Long.MIN_VALUE;
    /** How often ended refusal-log windows are reported: their counts come at most this late. */
    private static final Duration REFUSAL_SWEEP = Duration.ofSeconds(5);

    private final ListenConfig listen;
    private final LimitsConfig limits;
    private final TlsConfig tlsConfig;
    private final Store store;
    private final boolean logReadings;
    private final Metrics metrics;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final AddressLimits addressLimits;
    private final ConnectionRates connectionRates;
    private final Guards guards;
    private ServerSocket server;
    private volatile Thread acceptThread;
    /** System.nanoTime() when accept() last returned, or {@link #WAITING} while blocked in it: read by the watchdog. */
    private volatile long handlingSince = WAITING;
    /** Ends TLS handshakes that take longer than the handshake timeout; {@code null} without TLS. */
    private ScheduledExecutorService handshakeTimer;
    /** Logs the counts of refusals left out of the log once their minute is over. */
    private ScheduledExecutorService refusalTimer;
    private TlsAcceptor tls;

    public Listener(ListenConfig listen, LimitsConfig limits, AuthConfig auth, TlsConfig tls, Store store,
                    boolean logReadings, Metrics metrics) {
        this.listen = listen;
        this.limits = limits;
        this.tlsConfig = tls;
        this.store = store;
        this.logReadings = logReadings;
        this.metrics = metrics;
        this.addressLimits = new AddressLimits(limits.maxConnectionsPerAddress());
        this.connectionRates = new ConnectionRates(limits.handshakeLimits());
        this.guards = new Guards(limits, new Authenticator(auth), new FailurePenalty(), new DeviceRates(limits),
                new RefusalLog(), new ConnectionSlots<>(limits.maxConnections(), limits.handshakeLimits().maxUnauthenticated()),
                new MemoryBudget(limits.connectionMemoryBytes(Runtime.getRuntime().maxMemory())));
    }

    /** Binds the port (failing here if it is taken) and starts accepting. */
    public void start() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(listen.address(), listen.port()), listen.backlog());
        if (tlsConfig.enabled()) {
            handshakeTimer = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().name("tls-handshake-timer").daemon().unstarted(r));
            tls = new TlsAcceptor(tlsConfig.context(), limits.handshakeTimeout(), handshakeTimer);
        }
        refusalTimer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("refusal-log").daemon().unstarted(r));
        refusalTimer.scheduleWithFixedDelay(guards.refusals()::closeExpired, REFUSAL_SWEEP.toMillis(),
                REFUSAL_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        acceptThread = Thread.ofPlatform().name("gateway-accept").start(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Whether the port is bound and the accept loop runs: false before start, after stopAccepting, or if the loop died. */
    public boolean accepting() {
        ServerSocket s = server;
        Thread t = acceptThread;
        return s != null && s.isBound() && !s.isClosed() && t != null && t.isAlive();
    }

    public int connections() {
        return registry.size();
    }

    public int devices() {
        return registry.devices();
    }

    /**
     * For the systemd watchdog: the accept loop has ended although the listener is open, or has spent
     * longer than {@code limit} between two accepts (handing a socket to its thread takes
     * microseconds). Waiting in accept() for the next client is not stuck. Empty before start and
     * once closing.
     */
    public Optional<String> stuck(Duration limit) {
        Thread t = acceptThread;
        if (t == null || server.isClosed()) {
            return Optional.empty();
        }
        if (!t.isAlive()) {
            return Optional.of("the accept loop (" + t.getName() + ") has ended; no new connection is accepted on "
                    + address());
        }
        long since = handlingSince;
        long busy = since == WAITING ? -1 : System.nanoTime() - since;
        if (busy > limit.toNanos()) {
            return Optional.of("the accept loop (" + t.getName() + ") has been handling one new connection for "
                    + busy / 1_000_000_000 + " s");
        }
        return Optional.empty();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            handlingSince = WAITING;
            try {
                socket = server.accept();
            } catch (IOException e) {
                handlingSince = System.nanoTime();
                if (!server.isClosed()) {
                    Logger.error("accept failed on {}: {}", address(), e.toString());
                    pause();
                }
                continue;
            }
            InetAddress from = socket.getInetAddress();
            metrics.connectionAccepted();
            handlingSince = System.nanoTime();
            SourcePrefix source = limits.handshakeLimits().sourceOf(from);
            if (!addressLimits.tryAcquire(source)) {
                refuse(socket, NackCode.TOO_MANY_CONNECTIONS_FROM_ADDRESS, "the gateway holds its maximum of "
                        + addressLimits.maxPerAddress() + " connections from " + source
                        + " (limits.max-connections-per-address)", 1000);
                continue;
            }
            long waitMillis = connectionRates.take(source); // after the share: a source at its share spends no tokens
            if (waitMillis > 0) {
                addressLimits.release(source);
                refuse(socket, NackCode.CONNECTING_TOO_FAST, "more than " + connectionRates.perSecond()
                        + " new connections per second from " + source + " (limits.new-connections-per-second, bursts up to "
                        + connectionRates.burst() + "); the next fits in " + waitMillis + " ms",
                        (int) Math.min(Integer.MAX_VALUE, waitMillis));
                continue;
            }
            String overloaded = guards.memory().open();
            if (overloaded != null) {
                addressLimits.release(source);
                refuseOverloaded(socket, overloaded);
                continue;
            }
            Connection c = null;
            try {
                c = new Connection(socket, guards, tls, store, registry, logReadings, metrics);
                Connection crowdedOut = guards.slots().admit(c, source);
                if (crowdedOut != null) {
                    crowdedOut.end(NackCode.TOO_MANY_HANDSHAKES); // only asks; its own thread closes it
                }
                Connection started = c;
                Thread.ofVirtual().name("conn-" + PeerAddress.of(socket.getRemoteSocketAddress())).start(() -> {
                    try {
                        started.run();
                    } finally {
                        guards.slots().release(started);
                        guards.memory().closed();
                        addressLimits.release(source);
                    }
                });
            } catch (RuntimeException | Error e) {
                if (c != null) {
                    guards.slots().release(c); // the thread never started, so its finally never runs
                }
                guards.memory().closed();
                addressLimits.release(source);
                closeQuietly(socket);
                Logger.error("could not start a connection thread for {}: {}", socket.getRemoteSocketAddress(), e.toString());
            }
        }
    }

    /** Refuses a connection before it gets a thread: one NACK, closed, and a line unless it is a repeat. */
    private void refuse(Socket socket, NackCode code, String reason, int retryAfterMillis) {
        guards.refusals().log(socket.getInetAddress(), code, true, "peer " + PeerAddress.of(socket.getRemoteSocketAddress())
                + ": " + reason + (tls != null ? "; closed (no NACK before TLS)" : "; sent NACK " + code + " and closed"));
        nackAndClose(socket, code, reason, retryAfterMillis);
    }

    /** Counts the NACK, sends it (not before TLS: that would need a handshake, which the accept loop must never run) and closes. */
    private void nackAndClose(Socket socket, NackCode code, String reason, int retryAfterMillis) {
        metrics.nackSent(code, true);
        try {
            if (tls == null) {
                // A fresh socket's send buffer takes this small frame without blocking the accept loop.
                new FrameWriter(socket.getOutputStream()).write(new Message.Nack(code, retryAfterMillis, reason));
            }
        } catch (IOException e) {
            Logger.debug("peer {}: could not send NACK: {}", PeerAddress.of(socket.getRemoteSocketAddress()), e.toString());
        } finally {
            closeQuietly(socket);
        }
    }

    /**
     * Refuses a connection for the memory budget: NACK OVERLOADED (no NACK before TLS), closed. The
     * budget logs the refusals itself, one line with its numbers every 10 s, whatever the addresses.
     */
    private void refuseOverloaded(Socket socket, String reason) {
        nackAndClose(socket, NackCode.OVERLOADED, reason, MemoryBudget.RETRY_AFTER_MILLIS);
    }

    /**
     * Reads the devices file again (SIGHUP, {@code systemctl reload}). A file that does not load (the
     * same checks as at start-up) changes nothing: one ERROR line, the devices loaded before stay.
     * Otherwise later handshakes are checked against the new file, and each connected device that is
     * no longer listed or whose secret changed is ended with AUTHENTICATION_FAILED (what it sent is
     * acknowledged first), so it must prove the new secret to come back.
     */
    /** The secret check this listener uses, reloaded with the devices file: other inputs share it. */
    public Authenticator authenticator() {
        return guards.authenticator();
    }

    /** The per-device reading rates: other inputs take from the same buckets as the binary protocol. */
    public DeviceRates deviceRates() {
        return guards.rates();
    }

    public void reloadDevices() {
        AuthConfig old = guards.authenticator().config();
        if (old.mode() == AuthConfig.Mode.OPEN) {
            Logger.info("reload: auth.mode = open, there is no devices file to read again");
            return;
        }
        DeviceSecrets fresh;
        try {
            fresh = DeviceSecrets.load(SecretFile.at(old.devicesFile()));
        } catch (ConfigException e) {
            Logger.error("reload: {}; keeping the {} loaded before", e.getMessage(), old.devices());
            return;
        }
        guards.authenticator().replace(AuthConfig.secrets(old.devicesFile(), fresh));
        int ended = 0;
        for (Connection c : registry.snapshot()) {
            String device = c.deviceId();
            if (device != null && !fresh.sameSecret(old.devices(), device)) {
                Logger.warn("{}: no longer in {} or its secret changed: disconnecting it", c.who(), old.devicesFile());
                c.end(NackCode.AUTHENTICATION_FAILED);
                ended++;
            }
        }
        Logger.info("reloaded {}: {} (before: {}); {} connected device(s) disconnected", old.devicesFile(), fresh,
                old.devices(), ended);
    }

    /** Stops accepting new connections; open ones go on. */
    public void stopAccepting() {
        closeQuietly(server);
    }

    /**
     * Stops accepting, asks every connection to finish (acknowledge what it received, tell the client
     * SHUTTING_DOWN, close) and waits up to {@code timeout} for them.
     */
    public void close(Duration timeout) throws InterruptedException {
        stopAccepting();
        if (acceptThread != null) {
            acceptThread.join(timeout.toMillis());
        }
        for (Connection c : registry.snapshot()) {
            c.end(NackCode.SHUTTING_DOWN);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (registry.size() > 0) {
            Logger.warn("{} connections still open {} ms after shutdown began; closing them", registry.size(),
                    timeout.toMillis());
            registry.snapshot().forEach(Connection::abort);
        }
        if (handshakeTimer != null) {
            handshakeTimer.shutdownNow();
        }
        if (refusalTimer != null) {
            refusalTimer.shutdownNow();
        }
        guards.refusals().closeAll();
    }

    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(10));
    }

    private static void pause() {
        try {
            Thread.sleep(100); // e.g. out of file descriptors: do not spin
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing more to do for a socket we are dropping
        }
    }
}
