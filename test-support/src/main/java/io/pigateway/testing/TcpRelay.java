package io.pigateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay between a test's client and a server (a database, a gateway), which the test
 * can break in the two ways the field does:
 * <ul>
 *   <li>{@link #cut()} closes the listener and every relayed connection, so the server looks gone,
 *       until {@link #restore()} listens again on the same port;</li>
 *   <li>{@link #cutAfterRandomBytes} makes each new connection close after a random number of bytes
 *       (both directions counted together, so frames and their answers are cut at any offset) until
 *       that many cuts are made; later connections pass everything.</li>
 * </ul>
 * A server that refuses the upstream connection closes only that client's connection; the relay
 * keeps accepting. {@link #close()} closes the listener and every relayed socket.
 */
public final class TcpRelay implements AutoCloseable {
    private static final java.time.Duration REBIND_WAIT = java.time.Duration.ofSeconds(5);
    private final InetSocketAddress target;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile ServerSocket listener;
    private int cutsWanted;
    private int maxBytesBeforeCut;
    private Random random;

    public TcpRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        acceptIn(listener);
    }

    /** A relay to {@code targetPort} on loopback. */
    public TcpRelay(int targetPort) throws IOException {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    }

    /** The loopback port clients connect to; the same after {@link #restore()}. */
    public int port() {
        return port;
    }

    /**
     * Cuts each connection accepted from now on after 1 to {@code maxBytesBeforeCut} bytes (from a
     * {@link Random} seeded with {@code seed}), until {@code cutsWanted} cuts have been made in all.
     */
    public synchronized TcpRelay cutAfterRandomBytes(int cutsWanted, int maxBytesBeforeCut, long seed) {
        this.cutsWanted = cutsWanted;
        this.maxBytesBeforeCut = maxBytesBeforeCut;
        this.random = new Random(seed);
        return this;
    }

    /** Connections cut by their byte budget so far. */
    public int cuts() {
        return cuts.get();
    }

    /** Stops listening and closes every relayed connection. */
    public synchronized void cut() throws IOException {
        listener.close();
        closeRelayed();
    }

    /**
     * Listens again on the same port. The connections the cut closed may hold the port for a moment
     * (until their peers have closed too), so binding is retried for up to {@link #REBIND_WAIT}.
     */
    public synchronized void restore() throws IOException {
        long deadline = System.nanoTime() + REBIND_WAIT.toNanos();
        while (true) {
            try {
                listener = listen(port);
                break;
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        acceptIn(listener);
    }

    @Override
    public synchronized void close() throws IOException {
        cut();
    }

    private void closeRelayed() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private synchronized long nextBudget() {
        return random != null && cuts.get() < cutsWanted ? 1 + random.nextInt(maxBytesBeforeCut) : Long.MAX_VALUE;
    }

    private void acceptIn(ServerSocket server) {
        Thread.ofVirtual().name("relay-accept-" + port).start(() -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return; // closed by cut() or close()
                }
                if (!relaying(server, client)) {
                    return;
                }
                Socket upstream;
                try {
                    upstream = new Socket(target.getAddress(), target.getPort());
                } catch (IOException e) {
                    closeQuietly(client); // the server is down: this client sees a close, the next may get through
                    continue;
                }
                if (!relaying(server, upstream)) {
                    return;
                }
                Budget budget = new Budget(nextBudget());
                pump(client, upstream, budget);
                pump(upstream, client, budget);
            }
        });
    }

    /**
     * Adds {@code s} to the relayed sockets, or closes it if {@code server} was closed meanwhile: a
     * connection accepted while {@link #cut()} ran must not outlive it (under load the accepting thread
     * can return from accept() after the cut closed the others).
     */
    private synchronized boolean relaying(ServerSocket server, Socket s) {
        if (server.isClosed()) {
            closeQuietly(s);
            return false;
        }
        sockets.add(s);
        return true;
    }

    /** Bytes both directions of one connection may still carry before its cut. */
    private final class Budget {
        private long left;
        private boolean cut;

        Budget(long left) {
            this.left = left;
        }

        /** How many of {@code n} bytes may pass; 0 after the cut, which is counted once. */
        synchronized int take(int n) {
            if (left >= n) {
                left -= n;
                return n;
            }
            int pass = (int) left;
            left = 0;
            if (!cut) {
                cut = true;
                cuts.incrementAndGet();
            }
            return pass;
        }
    }

    private void pump(Socket from, Socket to, Budget budget) {
        Thread.ofVirtual().name("relay-pump-" + port).start(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    int pass = budget.take(n);
                    out.write(buffer, 0, pass);
                    out.flush();
                    if (pass < n) {
                        break; // the cut: the rest of this chunk never arrives
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
