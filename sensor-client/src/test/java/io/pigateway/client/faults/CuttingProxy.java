package io.pigateway.client.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that cuts each connection after a random number of bytes (in either
 * direction, so frames are cut at arbitrary offsets, ACKs included), until it has made
 * {@code cutsWanted} cuts; after that it passes bytes through untouched.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final int cutsWanted;
    private final int maxBytesBeforeCut;
    private final Random random;
    private final AtomicInteger cuts = new AtomicInteger();

    CuttingProxy(InetSocketAddress target, int cutsWanted, int maxBytesBeforeCut, long seed) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.cutsWanted = cutsWanted;
        this.maxBytesBeforeCut = maxBytesBeforeCut;
        this.random = new Random(seed);
        Thread.ofVirtual().name("cutting-proxy").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    int cuts() {
        return cuts.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                Budget budget = new Budget(cuts.get() < cutsWanted ? 1 + nextInt(maxBytesBeforeCut) : Long.MAX_VALUE);
                Thread.ofVirtual().start(() -> pump(client, upstream, budget));
                Thread.ofVirtual().start(() -> pump(upstream, client, budget));
            } catch (IOException e) {
                // closed, or the gateway is not listening: the client sees its connection close
            }
        }
    }

    private synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Bytes both directions of one connection may still carry before the cut. */
    private final class Budget {
        private long left;
        private boolean cut;

        Budget(long left) {
            this.left = left;
        }

        /** How many of {@code n} bytes may pass; 0 after the cut. Counts the cut once. */
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

    private static void pump(Socket from, Socket to, Budget budget) {
        byte[] buffer = new byte[4096];
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
            // the other direction closed the sockets
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
