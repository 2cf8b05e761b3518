package io.pigateway.client.link;

import io.pigateway.common.ErrorText;
import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.DeviceSecret;
import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.GatewayLinkConfig;
import io.pigateway.client.config.ReconnectConfig;
import io.pigateway.client.config.SendConfig;
import io.pigateway.client.spool.ReadingSpool;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * Keeps one connection to a gateway at a time and streams the spool over it until every reading is
 * acknowledged. Addresses are tried in turn; after a full round of failures (or a connection that
 * ended) it waits a randomised exponential backoff, reset by each successful handshake.
 *
 * <p>Every problem is one log line naming the gateway, what happened and when the next try is.
 */
public final class GatewayLink implements AutoCloseable {
    /** Clock difference to the gateway worth a warning (a Pi without RTC before NTP sync). */
    private static final long CLOCK_WARNING_MILLIS = 60_000;
    private static final Duration ABORT_JOIN = Duration.ofSeconds(2);
    /**
     * How long a host name lookup may take before the link counts as stuck: the resolver's own
     * retries (glibc defaults: 5 s per try, 2 tries, up to 3 servers) when DNS is unreachable.
     */
    private static final Duration RESOLVE_ALLOWANCE = Duration.ofSeconds(30);

    private final String deviceId;
    private final Announcements announcements;
    private final DeviceSecret secret;
    private final GatewayLinkConfig gateway;
    private final SendConfig send;
    private final ReadingSpool spool;
    private final DeviceClock clock;
    private final ReconnectBackoff backoff;
    private final SplittableRandom jitter = new SplittableRandom();
    private final LinkCounters counters = new LinkCounters();
    private final Wakeup wakeup = new Wakeup();
    private final Drain drain = new Drain();
    private final OutageLog outage = new OutageLog();
    private volatile GatewayConnection current;
    private volatile boolean aborted;
    private Thread thread;

    /**
     * @param secret  proven in every HELLO; {@code null} for a gateway that accepts any device
     * @param sensors announced in every HELLO: each reading name with its unit and kind
     * @param clock converts the times of readings stamped before the clock was set ({@link DeviceClock}) when
     *              they are sent, and learns the gateway's clock at each handshake
     */
    public GatewayLink(String deviceId, DeviceSecret secret, GatewayLinkConfig gateway, ReconnectConfig reconnect,
                       SendConfig send, ReadingSpool spool, List<SensorInfo> sensors, DeviceClock clock) {
        this.clock = clock;
        this.deviceId = deviceId;
        this.secret = secret;
        this.announcements = new Announcements(sensors);
        this.gateway = gateway;
        this.send = send;
        this.spool = spool;
        this.backoff = new ReconnectBackoff(reconnect.backoffMin(), reconnect.backoffMax(), new SplittableRandom());
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = Thread.ofVirtual().name("gateway-link").start(this::run);
    }

    /** Tells the sender that the spool has new readings. Cheap; call after each append. */
    public void readingsAdded() {
        wakeup.signal();
    }

    public LinkStats stats() {
        return counters.snapshot();
    }

    /**
     * For the systemd watchdog: the link's thread has ended although nobody stopped it, or has not
     * gone round its loops for longer than {@code interval} and than one connection attempt may
     * block (name lookup, connect, HELLO). The sending loop comes round at least every 500 ms and a
     * backoff sleep every second, so an unreachable gateway is not stuck; a write that blocks
     * because the gateway stopped reading is, once it has lasted that long.
     */
    public Optional<String> stuck(Duration interval) {
        Duration attempt = gateway.connectTimeout().plus(RESOLVE_ALLOWANCE);
        return stuckAfter(interval.compareTo(attempt) >= 0 ? interval : attempt);
    }

    /** As {@link #stuck}, with the limit given as is (tests). */
    Optional<String> stuckAfter(Duration limit) {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null || aborted || drain.requested()) {
            return Optional.empty();
        }
        if (!t.isAlive()) {
            return Optional.of("the gateway link (" + t.getName() + ") has ended; no reading is sent any more");
        }
        long quiet = System.nanoTime() - counters.progressNanos;
        if (quiet > limit.toNanos()) {
            LinkStats s = counters.snapshot();
            return Optional.of("the gateway link (" + t.getName() + ") has made no progress for "
                    + TimeUnit.NANOSECONDS.toSeconds(quiet) + " s" + (s.connected() ? " while connected to gateway "
                    + s.gateway() : "") + "; " + spool.size() + " readings unacknowledged");
        }
        return Optional.empty();
    }

    /**
     * Orderly stop: sends what is still unsent, waits up to {@code ackWait} for ACKs (reconnecting if
     * need be), sends BYE if connected, closes. Returns when the link thread has ended; bounded by
     * {@code ackWait} plus a few seconds for a BYE answer and a stuck connect.
     */
    public LinkStats shutdown(Duration ackWait) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        drain.request(System.nanoTime() + ackWait.toNanos());
        wakeup.signal();
        if (t != null && !t.join(ackWait.plus(Session.BYE_REPLY_WAIT).plusSeconds(2))) {
            Logger.warn("gateway link did not stop within shutdown.ack-wait; closing the connection");
            abort(t);
        }
        return stats();
    }

    /** Stops at once: no waiting for ACKs, no BYE. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            abort(t);
        }
    }

    private void abort(Thread t) {
        aborted = true;
        GatewayConnection c = current;
        if (c != null) {
            c.close();
        }
        t.interrupt();
        try {
            t.join(ABORT_JOIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean finished() {
        return aborted || (drain.requested() && (spool.size() == 0 || drain.expired(System.nanoTime())));
    }

    private void run() {
        List<GatewayAddress> addresses = gateway.addresses();
        int index = 0;
        int failuresInRound = 0;
        int failuresInRow = 0;      // attempts since the last successful handshake, for "attempt N"
        boolean refusedInRound = false;
        try {
            while (!finished()) {
                counters.progressed();
                try {
                    GatewayAddress address = addresses.get(index);
                    counters.gateway = address.toString();
                    Attempt result = attempt(address);
                    if (result.session != null) {
                        failuresInRound = 0;
                        failuresInRow = 0;
                        refusedInRound = false;
                        SessionEnd end = result.session;
                        if (end.drained() || finished()) {
                            break;
                        }
                        if (end.nacked() && addresses.size() > 1) {
                            index = (index + 1) % addresses.size(); // "retry later, perhaps at another gateway"
                        }
                        Duration delay = delay(end.refused(), end.retryAfterMillis());
                        String line = (end.nacked() ? "gateway " + address + " " : "connection to gateway " + address + " lost: ")
                                + end.reason() + "; " + spool.size() + " readings unacknowledged, "
                                + nextTry(delay, end.refused());
                        problem(end.refused(), line);
                        sleep(delay);
                        continue;
                    }
                    counters.failedAttempts.incrementAndGet();
                    failuresInRound++;
                    failuresInRow++;
                    refusedInRound |= result.refused;
                    index = (index + 1) % addresses.size();
                    String prefix = "gateway " + address + " " + result.problem + " (attempt " + failuresInRow + ", ";
                    if (failuresInRound < addresses.size()) {
                        failed(result.refused, result.everyTime, prefix + "trying " + addresses.get(index) + " next)");
                        continue;
                    }
                    failuresInRound = 0;
                    Duration delay = delay(refusedInRound, result.retryAfterMillis);
                    failed(refusedInRound, result.everyTime, prefix + nextTry(delay, refusedInRound) + ")");
                    refusedInRound = false;
                    sleep(delay);
                } catch (RuntimeException e) {
                    // A bug here must not end sending for good on an unattended Pi: say so loudly, carry on slowly.
                    counters.lastProblem = "gateway link failed: " + e + "; next try in " + Texts.seconds(backoff.max());
                    Logger.error(e, "gateway link failed; next try in {}", Texts.seconds(backoff.max()));
                    sleep(backoff.max());
                }
            }
        } catch (InterruptedException e) {
            // shutdown or abort; fall through
        } finally {
            counters.connected = false;
        }
    }

    /**
     * What one connection attempt came to: a session that ran (and ended), or a failure before it.
     * {@code everyTime}: a failure that is logged at every attempt rather than summarised as an outage
     * (a TLS handshake the gateway and this device disagree on is a configuration error, not a gateway down).
     */
    private record Attempt(SessionEnd session, String problem, boolean refused, long retryAfterMillis, boolean everyTime) {
        static Attempt failed(String problem) {
            return new Attempt(null, problem, false, 0, false);
        }
    }

    private Attempt attempt(GatewayAddress address) throws InterruptedException {
        GatewayConnection c;
        try {
            c = GatewayConnection.open(address, gateway.connectTimeout(), gateway.tls());
        } catch (IOException e) {
            return Attempt.failed("unreachable: " + ErrorText.of(e));
        }
        current = c;
        counters.progressed(); // the name lookup and connect are over; the HELLO gets its own allowance
        try {
            if (aborted) {
                return Attempt.failed("not tried: stopping");
            }
            c.startTls(gateway.connectTimeout());
            long now = System.currentTimeMillis();
            long stream = spool.streamId();
            List<SensorInfo> sensors = announcements.forHello();
            long helloNanos = System.nanoTime();
            Message.HelloOk ok = c.handshake(nonce -> new Message.Hello(Frames.VERSION, deviceId, now, stream,
                    secret == null ? new byte[0] : secret.proof(nonce, deviceId, stream), sensors),
                    gateway.connectTimeout());
            clock.gatewayClock(ok.gatewayClockMillis(), helloNanos, System.nanoTime());
            backoff.reset();
            counters.handshakes.incrementAndGet();
            counters.connected = true;
            outage.connected(address);
            logConnected(address, ok, now);
            try {
                return new Attempt(new Session(c, ok, send.frameMaxReadings(), send.frameMaxWait(), gateway.pingInterval(),
                        spool, counters, wakeup, drain, sensors, announcements, clock).run(), null, false, 0, false);
            } finally {
                counters.connected = false;
            }
        } catch (GatewayRefusedException e) {
            counters.refusals.incrementAndGet();
            boolean refused = !e.retryable();
            return new Attempt(null, "refused device " + deviceId + ": " + e.getMessage()
                    + (refused ? "; not retryable" : ""), refused, e.nack().retryAfterMillis(), false);
        } catch (TlsHandshakeException e) {
            return new Attempt(null, "TLS handshake failed: " + e.getMessage(), false, 0, true);
        } catch (IOException e) {
            return Attempt.failed("did not complete the handshake: " + ErrorText.of(e));
        } finally {
            c.close();
            current = null;
        }
    }

    private void logConnected(GatewayAddress address, Message.HelloOk ok, long sentClock) {
        Logger.info("connected to gateway {} as device {}, stream {}; it takes up to {} readings and {} bytes per frame;"
                        + " {} unacknowledged readings to send", address, deviceId, spool.streamId(),
                ok.maxReadingsPerFrame(), ok.maxPayloadBytes(), spool.size());
        long offset = sentClock - ok.gatewayClockMillis();
        if (Math.abs(offset) > CLOCK_WARNING_MILLIS) {
            Logger.warn("this device's clock is {} s {} gateway {}'s; readings carry the device's time (converted from the gateway's while the device's is before 2025)",
                    Math.abs(offset) / 1000, offset > 0 ? "ahead of" : "behind", address);
        }
    }

    /** The backoff, stretched to the maximum for a refusal and to the gateway's retry advice if it gave one. */
    private Duration delay(boolean refused, long retryAfterMillis) {
        Duration d = refused ? backoff.max() : backoff.next();
        long advisedMillis = Math.min(retryAfterMillis, backoff.max().toMillis());
        // Up to half again on top of the advice, so clients told the same thing at the same moment
        // (a database outage) do not all come back in the same instant.
        Duration advised = Duration.ofMillis(advisedMillis + jitter.nextLong(advisedMillis / 2 + 1));
        return advised.compareTo(d) > 0 ? advised : d;
    }

    private static String nextTry(Duration delay, boolean refused) {
        return "next try in " + Texts.seconds(delay) + (refused ? ", the maximum backoff" : "");
    }

    /**
     * A failed attempt: a refusal the device cannot retry is an error each time, a TLS failure a warning
     * each time; the rest (unreachable, no answer, retryable refusals) go to the outage log.
     */
    private void failed(boolean refused, boolean everyTime, String line) {
        if (refused || everyTime) {
            problem(refused, line);
        } else {
            counters.lastProblem = line;
            outage.failed(gateway.addresses().stream().map(String::valueOf).collect(Collectors.joining(", ")), line);
        }
    }

    private void problem(boolean refused, String line) {
        counters.lastProblem = line;
        if (refused) {
            Logger.error(line);
        } else {
            Logger.warn(line);
        }
    }

    /** Waits out a backoff; a shutdown cuts it short at the drain deadline or as soon as nothing is left. */
    private void sleep(Duration delay) throws InterruptedException {
        long nanos = delay.toNanos();
        if (drain.requested()) {
            nanos = Math.min(nanos, Math.max(0, drain.deadlineNanos() - System.nanoTime()));
        }
        wakeup.sleep(Math.max(nanos, TimeUnit.MILLISECONDS.toNanos(1)), () -> {
            counters.progressed(); // asked at least every second while sleeping
            return finished();
        });
    }
}
