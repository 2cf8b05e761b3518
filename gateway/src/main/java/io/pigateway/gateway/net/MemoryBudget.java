package io.pigateway.gateway.net;

import io.pigateway.common.logging.LogLimiter;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The heap all connections together may hold, so that what clients send can never exhaust it: each
 * open connection is charged {@link #CONNECTION_BYTES} (what an idle one holds, measured), and every
 * frame reader charges its payload buffer while a frame arrives (through its {@link Account}).
 *
 * <p>New connections are admitted only while the charge stays under {@link #admitBytes()}, seven
 * eighths of the budget, and frames of clients not yet authenticated grow only up to that mark too;
 * the last eighth is left to frames of authenticated devices, so a flood of connections or of
 * half-sent HELLOs cannot starve the devices already connected. A frame that would grow past the
 * whole budget ends its connection with OVERLOADED. Both refusals are retryable.
 */
final class MemoryBudget {
    /**
     * Heap held by one open, idle connection, measured (docs/PERFORMANCE.md, "Memory and start-up"):
     * 5.2-5.3 KB after its handshake, 2.7 KB of it the stack of its parked virtual thread; once it has
     * answered a PING, about 1.3 KB more (the JVM then keeps its stack in two chunks). 6 KiB lets
     * 10,000 idle devices in within the default budget of the packaged heap (-Xmx96m: 10,394
     * connections admitted).
     */
    static final int CONNECTION_BYTES = 6 * 1024;
    static final int RETRY_AFTER_MILLIS = 5000;

    private final long budgetBytes;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong frameBytes = new AtomicLong();
    private final LogLimiter lines;

    MemoryBudget(long budgetBytes) {
        this(budgetBytes, System::nanoTime);
    }

    MemoryBudget(long budgetBytes, LongSupplier nanoClock) {
        if (budgetBytes < 8L * CONNECTION_BYTES) {
            throw new IllegalArgumentException("a memory budget of " + budgetBytes + " bytes holds no connection");
        }
        this.budgetBytes = budgetBytes;
        this.lines = new LogLimiter(1, Duration.ofSeconds(10), nanoClock);
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** New connections, and frames before the handshake, stop at this charge. */
    long admitBytes() {
        return budgetBytes / 8 * 7;
    }

    /** What connections hold now: the charge for each plus their partly received frames. */
    long heldBytes() {
        return (long) connections.get() * CONNECTION_BYTES + frameBytes.get();
    }

    int connections() {
        return connections.get();
    }

    /**
     * Charges a new connection; {@code null} if it fits, otherwise why not (for the NACK). Logs the
     * refusal with the numbers, at most one line per 10 s. A connection admitted must be {@link #closed()}.
     */
    String open() {
        int n = connections.incrementAndGet();
        long frames = frameBytes.get();
        long held = (long) n * CONNECTION_BYTES + frames;
        if (held <= admitBytes()) {
            return null;
        }
        connections.decrementAndGet();
        String reason = "the gateway is at its memory budget for connections: " + (n - 1) + " connections and "
                + kib(frames) + " KiB of partly received frames hold " + kib(held - CONNECTION_BYTES)
                + " KiB; new connections are admitted up to " + kib(admitBytes()) + " KiB of the " + kib(budgetBytes)
                + " KiB budget (limits.connection-memory-percent of the " + mib(Runtime.getRuntime().maxMemory())
                + " MiB heap)";
        String note = lines.admit();
        if (note != null) {
            Logger.warn("refusing new connections with NACK {}: {}{}", NackCode.OVERLOADED, reason, note);
        }
        return reason;
    }

    void closed() {
        connections.decrementAndGet();
    }

    /** The account of one connection's frame reader: until {@link Account#authenticated()}, it stops at the admission mark. */
    Account account() {
        return new Account();
    }

    final class Account implements FrameReader.Budget {
        private volatile boolean authenticated;

        /** From now on the frames of this connection may use the whole budget. */
        void authenticated() {
            authenticated = true;
        }

        @Override
        public void take(int bytes) throws ProtocolException {
            long frames = frameBytes.addAndGet(bytes);
            long held = frames + (long) connections.get() * CONNECTION_BYTES;
            long limit = authenticated ? budgetBytes : admitBytes();
            if (held > limit) {
                frameBytes.addAndGet(-bytes);
                throw new ProtocolException(NackCode.OVERLOADED, "the gateway is at its memory budget for connections: "
                        + connections.get() + " connections and their partly received frames hold " + kib(held - bytes)
                        + " KiB, and this frame needs " + bytes + " bytes more than the " + kib(limit) + " KiB "
                        + (authenticated ? "budget" : "allowed before the handshake"), RETRY_AFTER_MILLIS);
            }
        }

        @Override
        public void give(int bytes) {
            frameBytes.addAndGet(-bytes);
        }
    }
    private static long kib(long bytes) {
        return bytes / 1024;
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
