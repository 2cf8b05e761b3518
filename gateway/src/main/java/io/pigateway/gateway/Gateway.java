package io.pigateway.gateway;

import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.config.IngestHttpConfig;
import io.pigateway.gateway.config.LineSocketConfig;
import io.pigateway.gateway.ingest.Ingest;
import io.pigateway.gateway.ingest.http.IngestHttpServer;
import io.pigateway.gateway.ingest.mqtt.MqttInput;
import io.pigateway.gateway.ingest.sockets.LineTcpInput;
import io.pigateway.gateway.ingest.sockets.LineUdpInput;
import io.pigateway.gateway.metrics.GatewayMetrics;
import io.pigateway.gateway.metrics.HealthCheck;
import io.pigateway.gateway.metrics.HttpEndpoint;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.net.Listener;
import io.pigateway.gateway.net.ListenerContext;
import io.pigateway.gateway.status.GatewayInfo;
import io.pigateway.gateway.status.StatusPage;
import io.pigateway.gateway.store.ClientReports;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import io.pigateway.gateway.store.StoreStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.tinylog.Logger;

/**
 * A running gateway: the store with its writers, and the listener with its connections. Start-up
 * fails as a whole (store unreachable, schema wrong, port taken) rather than running half-way.
 */
public final class Gateway implements AutoCloseable {
    private final GatewayConfig config;
    private final Store store;
    private final Listener listener;
    private final ScheduledExecutorService statsTimer;
    /** {@code null} unless http.enabled. */
    private final HttpEndpoint http;
    /** The inputs other than the binary protocol that are enabled (docs/INGEST.md), closed before the store. */
    private final List<AutoCloseable> inputs;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    private Gateway(GatewayConfig config, Store store, Listener listener, ScheduledExecutorService statsTimer,
                    HttpEndpoint http, List<AutoCloseable> inputs) {
        this.config = config;
        this.inputs = inputs;
        this.store = store;
        this.listener = listener;
        this.statsTimer = statsTimer;
        this.http = http;
    }

    public static Gateway start(GatewayConfig config) throws StoreException, IOException {
        long started = System.nanoTime();
        GatewayMetrics metrics = config.http().enabled() ? new GatewayMetrics() : null;
        Metrics events = metrics != null ? metrics : Metrics.NONE;
        Store store = Store.open(config.store(), config.writer(), events);
        for (String warning : config.tls().warnings()) {
            Logger.warn("{}", warning);
        }
        Listener listener = new Listener(new ListenerContext(config.listen(), config.limits(), config.auth(),
                config.tls(), store, config.logReadings(), events));
        try {
            listener.start();
        } catch (IOException e) {
            store.close(config.shutdownTimeout());
            throw new IOException("cannot listen on " + e.getMessage(), e); // the message names the address
        }
        Ingest ingest = new Ingest(store, listener.authenticator(), listener.failurePenalty(), listener.deviceRates(), config.limits(), events,
                config.ingest().commitTimeout(), Clock.systemUTC());
        List<AutoCloseable> inputs = new ArrayList<>();
        try {
            startInputs(config, ingest, inputs);
        } catch (IOException e) {
            closeInputs(inputs);
            stopAfterFailedStart(config, listener, store);
            throw e;
        }
        HttpEndpoint http = null;
        if (metrics != null) {
            http = serveHttp(config, metrics, listener, store);
        }
        ScheduledExecutorService timer = null;
        if (!config.statsInterval().isZero()) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("gateway-stats").daemon().unstarted(r));
            StatsLine stats = new StatsLine(store, listener, config.writer().queueCapacity());
            long ms = config.statsInterval().toMillis();
            timer.scheduleAtFixedRate(stats::log, ms, ms, TimeUnit.MILLISECONDS);
        }
        if (config.auth().mode() == AuthConfig.Mode.OPEN) {
            Logger.warn("auth.mode = open: ANY device that reaches {} is accepted without a secret; list devices in a"
                    + " devices file and remove auth.mode to require secrets (docs/SECURITY.md)", listener.address());
        } else {
            Logger.info("{}", config.auth());
        }
        Gateway gateway = new Gateway(config, store, listener, timer, http, inputs);
        Logger.info("ready in {} ms: listening on {}, {}; {}", (System.nanoTime() - started) / 1_000_000,
                listener.address(), config.store().describe(), config.tls().describe());
        return gateway;
    }

    /**
     * Starts the enabled inputs other than the binary protocol, adding each to {@code inputs} as it
     * starts, so that a failure leaves the caller a list of what to close.
     */
    private static void startInputs(GatewayConfig config, Ingest ingest, List<AutoCloseable> inputs) throws IOException {
        if (config.ingest().http().enabled()) {
            IngestHttpConfig c = config.ingest().http();
            try {
                inputs.add(IngestHttpServer.start(c, config.tls().context(), config.ingest().lineProtocol(), ingest));
            } catch (IOException e) {
                throw new IOException("cannot serve ingest HTTP on " + hostPort(new InetSocketAddress(c.address(),
                        c.port())) + " (ingest.http.address, ingest.http.port): " + e.getMessage(), e);
            }
        }
        if (config.ingest().mqtt().enabled()) {
            try {
                inputs.add(MqttInput.start(config.ingest().mqtt(), config.ingest().lineProtocol(), ingest));
            } catch (MqttException e) {
                throw new IOException("cannot start the MQTT input for " + config.ingest().mqtt().brokerAddress() + ": "
                        + e.getMessage(), e);
            }
        }
        LineSocketConfig lineSockets = config.ingest().lineSockets();
        if (lineSockets.tcp().enabled()) {
            inputs.add(LineTcpInput.start(lineSockets, config.ingest().lineProtocol(), ingest, ingest.metrics()));
        }
        if (lineSockets.udp().enabled()) {
            inputs.add(LineUdpInput.start(lineSockets, config.ingest().lineProtocol(), ingest, ingest.metrics()));
        }
    }

    /** The running input of {@code type} (e.g. {@code LineTcpInput.class}), or {@code null} if it is not enabled. */
    public <T extends AutoCloseable> T input(Class<T> type) {
        return inputs.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
    }

    private static void closeInputs(List<AutoCloseable> inputs) {
        for (AutoCloseable input : inputs.reversed()) {
            try {
                input.close();
            } catch (Exception e) {
                Logger.warn("closing input {}: {}", input, e.toString());
            }
        }
    }

    /** Binds the HTTP endpoint; if it cannot, stops what already runs and fails start-up naming the address. */
    private static HttpEndpoint serveHttp(GatewayConfig config, GatewayMetrics metrics, Listener listener, Store store)
            throws IOException {
        HttpConfig c = config.http();
        LiveState state = new LiveState(listener, store);
        metrics.watch(state);
        StatusPage status = null;
        try {
            // ClientReports reads the password file that Store.open read a moment ago.
            status = StatusPage.start(info(config, listener), metrics, state, c, ClientReports.of(config.store()));
            HttpEndpoint http = HttpEndpoint.start(new InetSocketAddress(c.address(), c.port()), metrics,
                    new HealthCheck(state), status, c.token());
            Logger.info("serving the status page, /metrics and /health on http://{}/{}", hostPort(http.address()),
                    c.token() == null ? "" : " (access token required: http.token-file)");
            return http;
        } catch (IOException | StoreException e) {
            if (status != null) {
                status.close();
            }
            stopAfterFailedStart(config, listener, store);
            throw new IOException("cannot serve metrics on " + hostPort(new InetSocketAddress(c.address(), c.port()))
                    + " (http.address, http.port): " + e.getMessage(), e);
        }
    }

    /** Closes the device listener, then the store, when start-up fails after both were opened. */
    private static void stopAfterFailedStart(GatewayConfig config, Listener listener, Store store) {
        try {
            listener.close(config.shutdownTimeout());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } finally {
            store.close(config.shutdownTimeout());
        }
    }

    private static GatewayInfo info(GatewayConfig config, Listener listener) {
        String version = Gateway.class.getPackage().getImplementationVersion();
        // Uptime counts from the JVM's start, as process_start_time_seconds in /metrics does.
        return new GatewayInfo(version == null ? "dev" : version,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime(), hostPort(listener.address()),
                config.tls().enabled(), config.auth().mode().name().toLowerCase(java.util.Locale.ROOT),
                config.store().describe());
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Reads the devices file and the TLS key and certificates again: see {@link Listener#reloadDevices()}
     * and {@link Listener#reloadTls()}. Each keeps its old set if its new one does not load.
     */
    public void reload() {
        listener.reloadDevices();
        listener.reloadTls();
    }

    public InetSocketAddress address() {
        return listener.address();
    }

    /** Where the ingest HTTP server listens, or {@code null} if it is off. */
    public InetSocketAddress ingestHttpAddress() {
        for (AutoCloseable input : inputs) {
            if (input instanceof IngestHttpServer http) {
                return http.address();
            }
        }
        return null;
    }

    /** Where /metrics and /health are served; empty unless http.enabled. */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(HttpEndpoint::address);
    }

    public Store store() {
        return store;
    }

    /** One line for systemd's STATUS: where it listens and where readings go. */
    public String status() {
        InetSocketAddress a = listener.address();
        return "listening on " + a.getAddress().getHostAddress() + ":" + a.getPort() + ", storing in "
                + config.store().describe();
    }

    /**
     * For the systemd watchdog: what has stopped making progress, if anything: the accept loop, a
     * store writer (see {@link Store#stuck}). A database outage is not stuck: the gateway refuses
     * readings with STORE_UNAVAILABLE and keeps probing until it is back.
     */
    public Optional<String> stuck(Duration interval) {
        return listener.stuck(interval).or(() -> store.stuck(interval));
    }

    /**
     * The SIGTERM path: stop accepting, let every connection get what it sent acknowledged, commit
     * whatever is still queued, close the database. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Logger.info("stopping: {} connections open", listener.connections());
        try {
            listener.close(config.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeInputs(inputs);
        if (statsTimer != null) {
            statsTimer.shutdownNow();
        }
        try {
            store.close(config.shutdownTimeout());
        } finally {
            // Last, so /health answers 503 while the gateway drains instead of refusing connections.
            if (http != null) {
                http.close();
            }
        }
        StoreStats s = store.stats();
        Logger.info("stopped: {} readings committed in {} transactions, {} duplicates ignored, {} failed batches",
                s.committedReadings() - s.duplicateReadings(), s.commits(), s.duplicateReadings(), s.failedBatches());
        stopped.countDown();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }
}
