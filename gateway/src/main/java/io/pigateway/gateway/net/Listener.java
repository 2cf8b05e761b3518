package io.pigateway.gateway.net;

import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import org.tinylog.Logger;

/**
 * The accept loop: each accepted socket gets a permit and a virtual thread of its own. The permit is
 * released in {@code finally} on every path, so a crashing connection can never leak capacity. A
 * socket that finds no permit is told TOO_MANY_CONNECTIONS and closed at once.
 *
 * <p>With TLS the accept loop still accepts plain TCP sockets: the TLS handshake is the first thing
 * each connection's own thread does, so a slow or hostile client never holds up the accept loop.
 */
public final class Listener implements AutoCloseable {
    private final ListenConfig listen;
    private final LimitsConfig limits;
    private final TlsConfig tlsConfig;
    private final Store store;
    private final boolean logReadings;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Semaphore permits;
    private ServerSocket server;
    private Thread acceptThread;
    /** Ends TLS handshakes that take longer than the handshake timeout; {@code null} without TLS. */
    private ScheduledExecutorService handshakeTimer;
    private TlsAcceptor tls;

    public Listener(ListenConfig listen, LimitsConfig limits, Store store, boolean logReadings) {
        this(listen, limits, TlsConfig.DISABLED, store, logReadings);
    }

    public Listener(ListenConfig listen, LimitsConfig limits, TlsConfig tls, Store store, boolean logReadings) {
        this.listen = listen;
        this.limits = limits;
        this.tlsConfig = tls;
        this.store = store;
        this.logReadings = logReadings;
        this.permits = new Semaphore(limits.maxConnections());
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
        acceptThread = Thread.ofPlatform().name("gateway-accept").start(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public int connections() {
        return registry.size();
    }

    public int devices() {
        return registry.devices();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    Logger.error("accept failed on {}: {}", address(), e.toString());
                    pause();
                }
                continue;
            }
            if (!permits.tryAcquire()) {
                refuseFull(socket);
                continue;
            }
            try {
                Connection c = new Connection(socket, limits, tls, store, registry, logReadings);
                Thread.ofVirtual().name("conn-" + socket.getRemoteSocketAddress()).start(() -> {
                    try {
                        c.run();
                    } finally {
                        permits.release();
                    }
                });
            } catch (RuntimeException | Error e) {
                permits.release(); // the thread never started, so its finally never runs
                closeQuietly(socket);
                Logger.error("could not start a connection thread for {}: {}", socket.getRemoteSocketAddress(), e.toString());
            }
        }
    }

    private void refuseFull(Socket socket) {
        String reason = "the gateway holds its maximum of " + limits.maxConnections() + " connections";
        if (tls != null) {
            // A NACK would have to wait for a TLS handshake, which the accept loop must never run.
            Logger.warn("peer {}: {}; closed (no NACK before TLS)", socket.getRemoteSocketAddress(), reason);
            closeQuietly(socket);
            return;
        }
        Logger.warn("peer {}: {}; sent NACK {} and closed", socket.getRemoteSocketAddress(), reason,
                NackCode.TOO_MANY_CONNECTIONS);
        try {
            // A fresh socket's send buffer takes this small frame without blocking the accept loop.
            new FrameWriter(socket.getOutputStream()).write(new Message.Nack(NackCode.TOO_MANY_CONNECTIONS, 1000, reason));
        } catch (IOException e) {
            Logger.debug("peer {}: could not send NACK: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            closeQuietly(socket);
        }
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
