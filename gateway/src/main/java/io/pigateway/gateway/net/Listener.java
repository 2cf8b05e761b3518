package io.pigateway.gateway.net;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.net.UnixSocket;
import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.gateway.config.UnixSocketConfig;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
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
    /** Replaced by {@link #reloadTls()} (on the signal thread) once the new set has loaded. */
    private volatile TlsConfig tlsConfig;
    private final Metrics metrics;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final AddressLimits addressLimits;
    private final ConnectionRates connectionRates;
    private final Guards guards;
    /** What every connection of this listener shares. */
    private final ConnectionContext connectionContext;
    private ServerSocket server;
    /** The servers on the other addresses of {@code listen.address}, each with its own accept loop. */
    private final List<ServerSocket> moreServers = new ArrayList<>();
    /** {@code listen.unix-socket}, or {@code null}. */
    private UnixSocketServer unixServer;
    private volatile Thread acceptThread;
    /** System.nanoTime() when accept() last returned, or {@link #WAITING} while blocked in it: read by the watchdog. */
    private volatile long handlingSince = WAITING;
    /** Ends TLS handshakes that take longer than the handshake timeout; {@code null} without TLS. */
    private ScheduledExecutorService handshakeTimer;
    /** Logs the counts of refusals left out of the log once their minute is over. */
    private ScheduledExecutorService refusalTimer;
    private TlsAcceptor tls;

    public Listener(ListenerContext context) {
        this.listen = context.listen();
        this.limits = context.limits();
        this.tlsConfig = context.tls();
        this.metrics = context.metrics();
        this.addressLimits = new AddressLimits(limits.maxConnectionsPerAddress());
        this.connectionRates = new ConnectionRates(limits.handshakeLimits());
        this.guards = new Guards(limits, new Authenticator(context.auth()), new FailurePenalty(), new DeviceRates(limits),
                new RefusalLog(), new ConnectionSlots<>(limits.maxConnections(), limits.handshakeLimits().maxUnauthenticated()),
                new MemoryBudget(limits.connectionMemoryBytes(Runtime.getRuntime().maxMemory())));
        this.connectionContext = new ConnectionContext(guards, context.store(), registry, context.logReadings(), metrics);
    }

    /** Binds the port (failing here if it is taken) and starts accepting. */
    public void start() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        bind(server, listen.address(), listen.port());
        if (tlsConfig.enabled()) {
            handshakeTimer = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().name("tls-handshake-timer").daemon().unstarted(r));
            tls = new TlsAcceptor(tlsConfig.context(), limits.handshakeTimeout(), handshakeTimer);
        }
        refusalTimer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("refusal-log").daemon().unstarted(r));
        refusalTimer.scheduleWithFixedDelay(guards.refusals()::closeExpired, REFUSAL_SWEEP.toMillis(),
                REFUSAL_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        acceptThread = Thread.ofPlatform().name("gateway-accept").start(() -> acceptLoop(tcp(server), true));
        try {
            startMore();
        } catch (IOException | RuntimeException e) {
            stopAccepting(); // nobody has connected yet: the other loops end with their servers
            refusalTimer.shutdownNow();
            if (handshakeTimer != null) {
                handshakeTimer.shutdownNow();
            }
            throw e;
        }
    }

    /**
     * The other addresses of {@code listen.address} (on the port the first one got, which matters with
     * port 0) and the Unix socket: each an accept loop of its own feeding the same connection handling.
     * The systemd watchdog watches the first address's loop.
     */
    private void startMore() throws IOException {
        int port = server.getLocalPort();
        for (InetAddress more : listen.moreAddresses()) {
            ServerSocket s = new ServerSocket();
            moreServers.add(s);
            s.setReuseAddress(true);
            bind(s, more, port);
            Logger.info("also listening on {}", PeerAddress.of(s.getLocalSocketAddress()));
            Thread.ofPlatform().name("gateway-accept-" + PeerAddress.host(more)).start(() -> acceptLoop(tcp(s), false));
        }
        if (listen.unixSocket().enabled()) {
            UnixSocketServer unix = UnixSocketServer.bind(listen.unixSocket(), listen.backlog());
            unixServer = unix;
            Logger.info("listening on unix:{} (mode {})", unix.path(), UnixSocketConfig.octal(listen.unixSocket().mode()));
            Acceptor acceptor = new Acceptor(unix::accept, unix::isClosed, unix::toString);
            Thread.ofPlatform().name("gateway-accept-unix").start(() -> acceptLoop(acceptor, false));
        }
    }

    /** Binds {@code s}; a failure names the address (Gateway says "cannot listen on " and this message). */
    private void bind(ServerSocket s, InetAddress address, int port) throws IOException {
        try {
            s.bind(new InetSocketAddress(address, port), listen.backlog());
        } catch (IOException e) {
            Sockets.closeQuietly(s);
            throw new IOException(PeerAddress.of(new InetSocketAddress(address, port)) + ": " + e.getMessage(), e);
        }
    }

    /** Where an accept loop gets its sockets from: a TCP server socket, or the Unix socket; {@code name} for the log. */
    private record Acceptor(SocketSource source, BooleanSupplier closed, Supplier<String> name) {
        Socket accept() throws IOException {
            return source.accept();
        }

        boolean isClosed() {
            return closed.getAsBoolean();
        }

        @Override
        public String toString() {
            return name.get();
        }
    }

    private interface SocketSource {
        Socket accept() throws IOException;
    }

    private static Acceptor tcp(ServerSocket s) {
        return new Acceptor(s::accept, s::isClosed, () -> PeerAddress.of(s.getLocalSocketAddress()));
    }

    /** Every TCP address the gateway listens on, the first one first. */
    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> all = new ArrayList<>();
        all.add(address());
        moreServers.forEach(s -> all.add((InetSocketAddress) s.getLocalSocketAddress()));
        return all;
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

    /** @param watched whether this loop reports to {@link #stuck} (the first address's loop) */
    private void acceptLoop(Acceptor server, boolean watched) {
        while (!server.isClosed()) {
            Socket socket;
            if (watched) {
                handlingSince = WAITING;
            }
            try {
                socket = server.accept();
            } catch (IOException e) {
                handlingSince = watched ? System.nanoTime() : handlingSince;
                if (!server.isClosed()) {
                    Logger.error("accept failed on {}: {}", server, e.toString());
                    Sockets.pauseAfterAcceptFailure();
                }
                continue;
            }
            InetAddress from = socket.getInetAddress();
            metrics.connectionAccepted();
            handlingSince = watched ? System.nanoTime() : handlingSince;
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
            DeviceConnection c = null;
            try {
                // The Unix socket never speaks TLS: its file mode decides who may connect (listen.unix-socket-mode).
                // Released by the connection's last thread when it ends (the handshake's, or the frame loop's).
                c = new DeviceConnection(socket, connectionContext, socket instanceof UnixSocket ? null : tls, ended -> {
                            guards.slots().release(ended);
                            guards.memory().closed();
                            addressLimits.release(source);
                        });
                DeviceConnection crowdedOut = guards.slots().admit(c, source);
                if (crowdedOut != null) {
                    crowdedOut.end(NackCode.TOO_MANY_HANDSHAKES); // only asks; its own thread closes it
                }
                Thread.ofVirtual().name("conn-" + PeerAddress.of(socket.getRemoteSocketAddress())).start(c);
            } catch (RuntimeException | Error e) {
                if (c != null) {
                    guards.slots().release(c); // the thread never started, so its finally never runs
                }
                guards.memory().closed();
                addressLimits.release(source);
                Sockets.closeQuietly(socket);
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
            Sockets.closeQuietly(socket);
        }
    }

    /**
     * Refuses a connection for the memory budget: NACK OVERLOADED (no NACK before TLS), closed. The
     * budget logs the refusals itself, one line with its numbers every 10 s, whatever the addresses.
     */
    private void refuseOverloaded(Socket socket, String reason) {
        nackAndClose(socket, NackCode.OVERLOADED, reason, MemoryBudget.RETRY_AFTER_MILLIS);
    }

    /** The secret check this listener uses, reloaded with the devices file: other inputs share it. */
    public Authenticator authenticator() {
        return guards.authenticator();
    }

    /**
     * The delays after failed secrets, per source and device id: a wrong password over another input
     * slows that device's next attempt there and here alike.
     */
    public FailurePenalty failurePenalty() {
        return guards.penalty();
    }

    /** The per-device reading rates: other inputs take from the same buckets as the binary protocol. */
    public DeviceRates deviceRates() {
        return guards.rates();
    }

    /**
     * Reads the devices file again (SIGHUP, {@code systemctl reload}). A file that does not load (the
     * same checks as at start-up) changes nothing: one ERROR line, the devices loaded before stay.
     * Otherwise later handshakes are checked against the new file, and each connected device that is
     * no longer listed or whose secret changed is ended with AUTHENTICATION_FAILED (what it sent is
     * acknowledged first), so it must prove the new secret to come back.
     */
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
        for (DeviceConnection c : registry.snapshot()) {
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

    /** {@code TlsConfig.describe()} of the set in use: the one loaded at start-up or by the last reload. */
    public String tlsSummary() {
        return tlsConfig.describe();
    }

    /**
     * Reads the TLS key, certificate chain and client CAs again (SIGHUP, {@code systemctl reload}), from
     * the files the configuration names, with the checks of start-up. Any of them failing changes
     * nothing: one ERROR line naming the file and the cause, and new handshakes go on with the set
     * loaded before. Otherwise new handshakes use the new set; connections already established keep
     * the session they have. Without TLS there is nothing to do.
     */
    public void reloadTls() {
        TlsAcceptor acceptor = tls;
        TlsConfig old = tlsConfig;
        if (acceptor == null || !old.enabled()) {
            return;
        }
        TlsConfig fresh;
        try {
            fresh = old.reread();
        } catch (ConfigException e) {
            Logger.error("reload: {}; keeping the TLS key and certificates loaded before ({})", e.getMessage(),
                    old.describe());
            return;
        }
        for (String warning : fresh.warnings()) {
            Logger.warn("reload: {}", warning);
        }
        acceptor.replace(fresh.context());
        tlsConfig = fresh;
        Logger.info("reloaded the TLS key and certificates: {}", fresh.describe());
    }

    /** Stops accepting new connections; open ones go on. */
    public void stopAccepting() {
        Sockets.closeQuietly(server);
        moreServers.forEach(Sockets::closeQuietly);
        if (unixServer != null) {
            unixServer.close();
        }
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
        for (DeviceConnection c : registry.snapshot()) {
            c.end(NackCode.SHUTTING_DOWN);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (registry.size() > 0) {
            Logger.warn("{} connections still open {} ms after shutdown began; closing them", registry.size(),
                    timeout.toMillis());
            registry.snapshot().forEach(DeviceConnection::abort);
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
}
