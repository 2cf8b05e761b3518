package io.pigateway.gateway.ingest.mqtt;

import io.pigateway.common.ErrorText;
import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.config.MqttConfig;
import io.pigateway.gateway.ingest.Ingest;
import io.pigateway.gateway.ingest.IngestRefusal;
import io.pigateway.gateway.ingest.Sample;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.common.logging.LogLimiter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.tinylog.Logger;

/**
 * The MQTT subscriber (docs/INGEST.md (MQTT)). It keeps one connection to the broker with a persistent
 * session (clean session off, a fixed client id) and subscribes with QoS 1, so the broker keeps every
 * message it has not had a PUBACK for, across gateway and broker restarts, and sends it again on the
 * next connection. The gateway sends the PUBACK only after {@link Ingest#store} returned, i.e. after
 * the commit:
 * <ul>
 *   <li>stored: PUBACK;</li>
 *   <li>refused for good (a payload that is not a reading, an unknown device, a conflicting value):
 *       PUBACK too, since the broker would otherwise send it again for ever; counted as refused in
 *       {@code pigw_ingest_readings_total{input="mqtt"}} and logged (rate-limited) with device and cause;</li>
 *   <li>refused for now (the store is down, the device is over its rate): no PUBACK; the message is
 *       tried again after the refusal's retry-after until it is stored or the connection ends, and then
 *       the broker sends it again;</li>
 *   <li>a retained value the broker replays because the gateway subscribed: PUBACK, not stored.</li>
 * </ul>
 * Threads: Paho's receiver hands each message to a bounded queue ({@code ingest.mqtt.max-pending});
 * one store thread takes them in order, so a device's readings are committed in the order published.
 * A full queue blocks Paho's receiver, which stops reading from the broker: back-pressure.
 * A PUBACK is sent only on the connection the message came on: message ids belong to a connection's
 * window, and after a reconnect the broker sends the message again under its id anyway.
 */
public final class MqttInput implements AutoCloseable {
    public static final String INPUT = "mqtt";
    /** Recorded as the kind of sensors first seen through MQTT ({@code sensors.kind}). */
    static final String KIND = "mqtt";
    private static final Duration FIRST_RECONNECT_PAUSE = Duration.ofSeconds(1);

    private final MqttConfig config;
    private final Ingest ingest;
    private final MqttPayload payloads;
    private final MqttClient client;
    private final BlockingQueue<Delivery> pending;
    /** Which connection the current one is; a delivery from an older one is never acknowledged. */
    private final AtomicLong connection = new AtomicLong();
    private final Object connectionLost = new Object();
    private final LogLimiter refusalLog = new LogLimiter(10, Duration.ofMinutes(1), System::nanoTime);
    private final Thread connector;
    private final Thread storer;
    private volatile boolean closed;

    /** One message as received, with the connection it came on. */
    record Delivery(long connection, String topic, int messageId, int qos, byte[] payload, boolean retained) {
    }

    private MqttInput(MqttConfig config, LineProtocolConfig lineProtocol, Ingest ingest) throws MqttException {
        this.config = config;
        this.ingest = ingest;
        this.payloads = new MqttPayload(new LineProtocolParser(lineProtocol), new LineMapping(lineProtocol),
                config.precision());
        // In-memory: the client only keeps QoS 2 state there, and the gateway subscribes with QoS 1. The
        // broker, not the gateway, keeps what is not yet acknowledged.
        this.client = new MqttClient(config.broker().toString(), config.clientId(), new MemoryPersistence());
        this.pending = new ArrayBlockingQueue<>(config.maxPending());
        this.connector = Thread.ofPlatform().name("mqtt-connect").daemon().unstarted(this::connectLoop);
        this.storer = Thread.ofPlatform().name("mqtt-store").daemon().unstarted(this::storeLoop);
    }

    /**
     * Starts connecting in the background and returns: a broker that is down at start-up (or restarts
     * later) is tried again with a growing pause, and the gateway serves its other inputs meanwhile.
     */
    public static MqttInput start(MqttConfig config, LineProtocolConfig lineProtocol, Ingest ingest)
            throws MqttException {
        MqttInput input = new MqttInput(config, lineProtocol, ingest);
        input.client.setManualAcks(true);
        input.client.setCallback(input.new Callback());
        input.storer.start();
        input.connector.start();
        return input;
    }

    private MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        o.setAutomaticReconnect(false); // connectLoop reconnects, so that it knows which connection is current
        o.setKeepAliveInterval((int) config.keepAlive().toSeconds());
        o.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
        if (config.user() != null) {
            o.setUserName(config.user());
        }
        if (config.password() != null) {
            o.setPassword(config.password().toCharArray());
        }
        if (config.tls() != null) {
            o.setSocketFactory(config.tls().clientSocketFactory());
            o.setHttpsHostnameVerificationEnabled(true);
        }
        return o;
    }

    /** Connects, subscribes, waits for the connection to end, and again, until closed. */
    private void connectLoop() {
        Duration pause = FIRST_RECONNECT_PAUSE;
        int failures = 0;
        while (!closed) {
            long id = connection.incrementAndGet();
            try {
                IMqttToken token = client.connectWithResult(options());
                String[] filters = config.topics().stream().map(TopicPattern::filter).toArray(String[]::new);
                int[] qos = new int[filters.length];
                java.util.Arrays.fill(qos, 1);
                int[] granted = client.subscribeWithResponse(filters, qos).getGrantedQos();
                for (int i = 0; i < granted.length; i++) {
                    if (granted[i] != 1) {
                        Logger.warn("MQTT broker {} granted QoS {} for {} (asked for 1): {}", config.brokerAddress(),
                                granted[i], filters[i], granted[i] == 128
                                        ? "the subscription was refused; check the broker's ACL for user " + config.user()
                                        : "messages may be lost");
                    }
                }
                Logger.info("MQTT: connected to {} as client id {} ({}), subscribed to {}", config.brokerAddress(),
                        config.clientId(), token.getSessionPresent() ? "session resumed: the broker sends what it kept"
                                : "new session", String.join(", ", filters));
                failures = 0;
                pause = FIRST_RECONNECT_PAUSE;
                awaitConnectionLost(id);
            } catch (MqttException e) {
                if (closed) {
                    break;
                }
                failures++;
                String why = "MQTT: cannot connect to {} (attempt {}): {}; trying again in {} ms";
                if (failures == 1) {
                    Logger.warn(why, config.brokerAddress(), failures, ErrorText.of(e), pause.toMillis());
                } else {
                    Logger.debug(why, config.brokerAddress(), failures, ErrorText.of(e), pause.toMillis());
                }
                try {
                    client.disconnectForcibly(0, 0, false);
                } catch (MqttException ignored) {
                    // not connected: nothing to close
                }
                if (!sleep(pause)) {
                    break;
                }
                pause = pause.multipliedBy(2).compareTo(config.reconnectMax()) > 0 ? config.reconnectMax() : pause.multipliedBy(2);
            }
        }
    }

    private void awaitConnectionLost(long id) {
        synchronized (connectionLost) {
            while (!closed && connection.get() == id) {
                try {
                    connectionLost.wait();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Sleeps unless closed; {@code false} if closed meanwhile. */
    private boolean sleep(Duration d) {
        synchronized (connectionLost) {
            long deadline = System.nanoTime() + d.toNanos();
            for (long left = d.toNanos(); !closed && left > 0; left = deadline - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(connectionLost, left);
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return !closed;
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            synchronized (connectionLost) {
                connection.incrementAndGet();
                // Whatever was received on it and not acknowledged, the broker sends again on the next one.
                pending.clear();
                connectionLost.notifyAll();
            }
            if (!closed) {
                Logger.warn("MQTT: lost the connection to {}: {}; reconnecting", config.brokerAddress(),
                        cause == null ? "closed" : ErrorText.of(cause));
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
            Delivery d = new Delivery(connection.get(), topic, message.getId(), message.getQos(), message.getPayload(),
                    message.isRetained());
            // Full only if the broker lets more messages be in flight than max-pending (Mosquitto's
            // max_inflight_messages is 20): Paho then stops reading until the store thread catches up.
            while (!closed && !pending.offer(d, 1, TimeUnit.SECONDS)) {
                Logger.debug("MQTT: {} messages wait for the store; not reading from the broker", pending.size());
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // The gateway publishes nothing.
        }
    }

    private void storeLoop() {
        while (!closed) {
            Delivery d;
            try {
                d = pending.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (d == null) {
                continue;
            }
            try {
                if (handle(d)) {
                    acknowledge(d);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Not acknowledged: the broker sends it again after the next reconnect.
                Logger.error(e, "MQTT: handling a message on {} failed", d.topic());
            }
        }
    }

    /**
     * Stores one message's readings, trying again while the refusal is temporary.
     *
     * @return whether to acknowledge it: stored, or refused for good
     */
    private boolean handle(Delivery d) throws InterruptedException {
        if (d.retained()) {
            // MQTT 3.1.1 sets the retain flag only on the value a broker replays because the gateway
            // subscribed (again): a value of unknown age that was either stored when it was published or
            // sent before the gateway's session existed. Messages queued for the session come without it.
            Logger.debug("MQTT: acknowledged the retained value on {} without storing it", d.topic());
            return true;
        }
        TopicPattern.Names names = null;
        for (TopicPattern p : config.topics()) {
            names = p.match(d.topic());
            if (names != null) {
                break;
            }
        }
        if (names == null) {
            // Only possible with overlapping subscriptions of another client id; nothing to store.
            return refused(d, "?", 1, new IngestRefusal(IngestRefusal.Reason.INVALID, "topic " + d.topic()
                    + " matches no pattern of ingest.mqtt.topics"));
        }
        List<Sample> samples;
        try {
            ingest.requireKnownDevice(names.device());
            if (d.payload().length > config.maxPayload()) {
                throw new IngestRefusal(IngestRefusal.Reason.TOO_LARGE, "payload of " + d.payload().length
                        + " bytes; at most " + config.maxPayload() + " (ingest.mqtt.max-payload)");
            }
            samples = payloads.readings(d.payload(), names.device(), names.sensor());
        } catch (IngestRefusal r) {
            return refused(d, names.device(), 1, r);
        }
        boolean waited = false;
        while (true) {
            try {
                ingest.store(INPUT, names.device(), "mqtt:" + config.brokerAddress(), KIND, samples);
                if (waited) {
                    Logger.info("MQTT: stored the held message of device {} from {}", names.device(), d.topic());
                }
                return true;
            } catch (IngestRefusal r) {
                if (r.reason() != IngestRefusal.Reason.UNAVAILABLE && r.reason() != IngestRefusal.Reason.RATE_LIMITED) {
                    return refused(d, names.device(), 0, r); // store() counted them
                }
                if (!waited) {
                    Logger.warn("MQTT: not acknowledging a message of device {} ({}): {}; trying again every {} s"
                            + " while connected, after that the broker sends it again", names.device(),
                            r.reason(), r.getMessage(), Math.max(1, r.retryAfterSeconds()));
                    waited = true;
                }
                if (!sleep(Duration.ofSeconds(Math.max(1, r.retryAfterSeconds()))) || d.connection() != connection.get()) {
                    return false;
                }
            }
        }
    }

    /** Logs (rate-limited) and counts a refusal for good; the message is acknowledged. */
    private boolean refused(Delivery d, String device, int uncounted, IngestRefusal r) {
        if (uncounted > 0) {
            ingest.countRefused(INPUT, r, uncounted);
        }
        String note = refusalLog.admit();
        if (note != null) {
            Logger.warn("MQTT: refused a message of device {} on {} ({}), acknowledged so the broker drops it: {}{}",
                    device, d.topic(), r.reason(), r.getMessage(), note);
        }
        return true;
    }

    private void acknowledge(Delivery d) {
        if (d.qos() == 0) {
            return;
        }
        synchronized (connectionLost) {
            if (d.connection() != connection.get() || !client.isConnected()) {
                return; // the broker sends it again on the next connection
            }
            try {
                client.messageArrivedComplete(d.messageId(), d.qos());
            } catch (MqttException e) {
                Logger.debug("MQTT: PUBACK for message {} not sent: {}", d.messageId(), ErrorText.of(e));
            }
        }
    }

    /** Disconnects without acknowledging what is not stored: the broker keeps it for the next run. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        synchronized (connectionLost) {
            connectionLost.notifyAll();
        }
        // The message being stored gets its commit and PUBACK, so that a clean restart repeats nothing;
        // the ones waiting behind it stay with the broker.
        storer.join(TimeUnit.SECONDS.toMillis(5));
        storer.interrupt();
        storer.join(TimeUnit.SECONDS.toMillis(5));
        connector.join(TimeUnit.SECONDS.toMillis(10));
        try {
            if (client.isConnected()) {
                client.disconnect(TimeUnit.SECONDS.toMillis(2));
            }
        } catch (MqttException e) {
            Logger.debug("MQTT: disconnect: {}", ErrorText.of(e));
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            Logger.debug("MQTT: close: {}", ErrorText.of(e));
        }
    }

    @Override
    public String toString() {
        return "MQTT input from " + config.brokerAddress();
    }
}
