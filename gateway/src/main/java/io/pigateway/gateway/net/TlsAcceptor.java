package io.pigateway.gateway.net;

import io.pigateway.common.logging.LogLimiter;
import io.pigateway.common.tls.TlsContext;
import io.pigateway.common.tls.TlsFailures;
import java.io.IOException;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.tinylog.Logger;

/**
 * The gateway's side of the TLS handshake, run on the connection's own virtual thread. The whole
 * handshake must finish within the handshake timeout (a timer closes the socket otherwise, so a
 * client trickling bytes cannot hold a connection slot). A failure is one log line, rate-limited,
 * naming the peer and the cause. The key and certificates can be replaced while the gateway runs
 * ({@link #replace}): later handshakes use the new ones, established connections keep theirs.
 */
final class TlsAcceptor {
    /** Handshake failures logged per minute at most: enough to diagnose, too few to flood the journal. */
    private static final int FAILURES_LOGGED_PER_MINUTE = 10;

    /** Read once per handshake, so each handshake uses one set whatever a reload does meanwhile. */
    private volatile TlsContext context;
    private final Duration timeout;
    private final ScheduledExecutorService timer;
    private final LogLimiter failures = new LogLimiter(FAILURES_LOGGED_PER_MINUTE, Duration.ofMinutes(1), System::nanoTime);

    TlsAcceptor(TlsContext context, Duration timeout, ScheduledExecutorService timer) {
        this.context = context;
        this.timeout = timeout;
        this.timer = timer;
    }

    /** From now on new handshakes use {@code fresh}; handshakes under way and connections already secured are left alone. */
    void replace(TlsContext fresh) {
        context = fresh;
    }

    /** A socket with TLS established and who the peer is. */
    record Secured(SSLSocket socket, PeerIdentity identity, String protocol) {
    }

    /**
     * Runs the handshake over {@code plain}. On failure the failure is logged (unless {@code closing}
     * says the gateway itself cut the connection), {@code plain} is closed and {@code null} returned.
     */
    Secured handshake(Socket plain, String peer, BooleanSupplier closing) {
        // Whoever sets it first wins: the timer (and closes the socket) or the finished handshake.
        AtomicBoolean settled = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                timedOut.set(true);
                closeQuietly(plain);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        TlsContext context = this.context;
        try {
            SSLSocket tls = context.overAccepted(plain);
            tls.startHandshake();
            if (!settled.compareAndSet(false, true)) {
                throw new IOException("handshake finished as the timer closed the socket");
            }
            SSLSession session = tls.getSession();
            PeerIdentity identity = context.requiresClientCertificates() ? identity(session) : PeerIdentity.NONE;
            return new Secured(tls, identity, session.getProtocol());
        } catch (IOException | RuntimeException e) {
            closeQuietly(plain);
            if (closing.getAsBoolean()) {
                Logger.debug("peer {}: closed during the TLS handshake", peer);
                return null;
            }
            String cause = timedOut.get() ? "not completed within the handshake timeout of " + timeout.toMillis() + " ms"
                    : TlsFailures.describe(e);
            String note = failures.admit();
            if (note != null) {
                Logger.warn("peer {}: TLS handshake failed: {}; closed{}", peer, cause, note);
            }
            return null;
        } finally {
            deadline.cancel(false);
        }
    }

    private static PeerIdentity identity(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain = session.getPeerCertificates(); // verified by the handshake against tls.client-ca-file
        return PeerIdentity.of((X509Certificate) chain[0]);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do for a socket we are dropping
        }
    }
}
