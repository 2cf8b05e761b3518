package io.pigateway.gateway.ingest.sockets;

import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.config.LineSocketConfig;
import io.pigateway.gateway.ingest.Ingest;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.net.PeerAddress;
import io.pigateway.gateway.net.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.tinylog.Logger;

/**
 * Line protocol over TCP ({@code ingest.line-tcp.*}), as Telegraf's {@code socket_writer} sends it
 * ({@code address = "tcp://gateway:8094"}, {@code data_format = "influx"}): newline-separated lines on
 * a connection that stays open. Nothing is ever sent back, so the sender cannot know what was stored:
 * at most once. What can be done without an answer is done: lines are read only as fast as they are
 * committed (the next read waits for the store, so a slow database slows the sender by TCP
 * back-pressure instead of dropping), and every line is counted and, when not stored, logged.
 *
 * <p>Lines are gathered while more bytes are already waiting (a burst) up to {@link #MAX_BATCH_LINES},
 * then stored with one {@link Ingest#store} call per device. Each connection has a virtual thread;
 * {@code ingest.line-tcp.max-connections} caps them; a connection silent for
 * {@code ingest.line-tcp.idle-timeout} is closed. Sources not in {@code trusted-sources} (when set)
 * are closed unread.
 */
public final class LineTcpInput implements AutoCloseable {
    public static final String INPUT = "line-tcp";
    static final int MAX_BATCH_LINES = 5000;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final LineSocketConfig.Endpoint endpoint;
    private final LineSocketConfig config;
    private final LineProtocolConfig lineProtocol;
    private final LineProtocolParser parser;
    private final LineMapping mapping;
    private final Ingest ingest;
    private final Metrics metrics;
    private final LineLog log = new LineLog(INPUT);
    private final Semaphore slots;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final ServerSocket server;
    private final Thread acceptThread;

    private LineTcpInput(LineSocketConfig config, LineProtocolConfig lineProtocol, Ingest ingest, Metrics metrics)
            throws IOException {
        this.config = config;
        this.endpoint = config.tcp();
        this.lineProtocol = lineProtocol;
        this.parser = new LineProtocolParser(lineProtocol);
        this.mapping = new LineMapping(lineProtocol);
        this.ingest = ingest;
        this.metrics = metrics;
        this.slots = new Semaphore(config.tcpMaxConnections());
        this.server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(endpoint.address(), endpoint.port()), 50);
        } catch (IOException e) {
            server.close();
            throw LineEndpoints.cannotListen(INPUT, "TCP", endpoint, e);
        }
        this.acceptThread = Thread.ofPlatform().name("line-tcp-accept").unstarted(this::acceptLoop);
    }

    public static LineTcpInput start(LineSocketConfig config, LineProtocolConfig lineProtocol, Ingest ingest,
                                     Metrics metrics) throws IOException {
        LineTcpInput input = new LineTcpInput(config, lineProtocol, ingest, metrics);
        input.acceptThread.start();
        LineEndpoints.logListening("TCP", input.address(), input.endpoint);
        return input;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    Logger.error("line-tcp: accept failed on {}: {}", PeerAddress.of(address()), e.toString());
                    Sockets.pauseAfterAcceptFailure();
                }
                continue;
            }
            String peer = PeerAddress.of(s.getRemoteSocketAddress());
            if (!endpoint.trusts(s.getInetAddress())) {
                log.refused(peer, "the connection: the source is not in ingest.line-tcp.trusted-sources (closed unread)");
                Sockets.closeQuietly(s);
                continue;
            }
            if (!slots.tryAcquire()) {
                log.dropped(peer, "the connection: " + config.tcpMaxConnections()
                        + " are open already (ingest.line-tcp.max-connections); closed unread");
                Sockets.closeQuietly(s);
                continue;
            }
            open.add(s);
            try {
                Thread t = Thread.ofVirtual().name("line-tcp-" + peer).unstarted(() -> {
                    try {
                        serve(s, peer);
                    } finally {
                        open.remove(s);
                        Sockets.closeQuietly(s);
                        slots.release();
                        threads.remove(Thread.currentThread());
                    }
                });
                threads.add(t);
                t.start();
            } catch (RuntimeException | Error e) {
                open.remove(s); // the thread never started, so its finally never runs
                Sockets.closeQuietly(s);
                slots.release();
                Logger.error("line-tcp: could not start a thread for {}: {}", peer, e.toString());
            }
        }
    }

    private void serve(Socket s, String peer) {
        LineBatch batch = new LineBatch(INPUT, parser, mapping, endpoint.precision(), ingest, metrics, log);
        LineReader lines = new LineReader(lineProtocol.maxLineBytes());
        byte[] buf = new byte[64 * 1024];
        String end = "closed by the sender";
        try {
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.tcpIdleTimeout().toMillis()));
            InputStream in = s.getInputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    end = "nothing for " + config.tcpIdleTimeout().toMillis() + " ms (ingest.line-tcp.idle-timeout)";
                    break;
                }
                if (n < 0) {
                    lines.finish(peer, batch, false);
                    break;
                }
                lines.feed(buf, 0, n, peer, batch);
                // A burst is stored as one; the sender's next bytes wait in the socket meanwhile.
                if (batch.lines() >= MAX_BATCH_LINES || in.available() == 0) {
                    batch.flush();
                }
            }
            batch.flush();
        } catch (IOException e) {
            end = e.toString();
            flushQuietly(batch);
        } catch (InterruptedException e) {
            batch.drop("the gateway is shutting down");
            Thread.currentThread().interrupt();
            return;
        }
        Logger.debug("line-tcp: {}: {}", peer, end);
    }

    private static void flushQuietly(LineBatch batch) {
        try {
            batch.flush(); // lines read in full before the connection broke are stored
        } catch (InterruptedException e) {
            batch.drop("the gateway is shutting down");
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting, closes every connection (a line already read is still stored: the store closes
     * after the inputs) and waits up to 5 s for their threads; those still storing then are interrupted.
     */
    @Override
    public void close() throws InterruptedException {
        Sockets.closeQuietly(server);
        acceptThread.join(CLOSE_WAIT.toMillis());
        open.forEach(Sockets::closeQuietly);
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        threads.forEach(Thread::interrupt);
    }
}
