package io.pigateway.gateway.ingest.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.testing.GatewayProcess;
import io.pigateway.testing.MosquittoBroker;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT input's promise under faults: the gateway (the packaged jar in its own JVM) is killed with
 * SIGKILL and the broker is restarted while a publisher sends QoS 1 messages, and no message the broker
 * acknowledged to the publisher is lost. Half the messages carry a device time (JSON {@code ts}): a
 * redelivery of those must not add a row; the other half (plain numbers) may be stored twice after the
 * kill, and the test counts how often. Prints "MQTT-FAULTS sent=... stored=... lost=... duplicated=...".
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MqttFaultsIT {
    private static final Path JAR = Path.of("target/pi-gateway.jar");
    private static final TestStores DB = TestStores.shared();
    /** Messages per device; the publisher alternates between the timed and the untimed device. */
    private static final int PER_DEVICE = 600;
    private static final long T0_MILLIS = 1_764_691_200_000L;
    /** The publisher's pace, so that both faults fall in the middle of the stream. */
    private static final long MESSAGES_PER_SECOND = 60;

    @TempDir
    Path dir;

    @Test
    void aGatewayKillAndABrokerRestartMidStreamLoseNoAcknowledgedMessage() throws Exception {
        StoreConfig store = DB.freshSchema(dir);
        try (MosquittoBroker broker = MosquittoBroker.start(Files.createDirectories(dir.resolve("broker")))) {
            Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                    "listen.address = 127.0.0.1", "listen.port = 0", "auth.mode = open", "log.stats-interval = 0s",
                    "store.type = mysql", "store.host = " + store.host(), "store.port = " + store.port(),
                    "store.database = " + store.database(), "store.user = " + store.user(),
                    "store.password-file = " + store.passwordFile(),
                    "ingest.mqtt.broker = " + broker.uri(), "ingest.mqtt.client-id = gateway-faults", ""));
            GatewayProcess gateway = GatewayProcess.start(JAR, config, "gateway-1");
            try {
                gateway.await("MQTT: connected to");
                Publisher publisher = new Publisher(broker);
                Thread thread = Thread.ofPlatform().name("publisher").start(publisher);

                publisher.awaitSent(PER_DEVICE * 2 / 5);
                gateway.kill();
                int atKill = publisher.sent.get();
                long storedAtKill = DB.queryLong(store, "SELECT COUNT(*) FROM readings");
                gateway = GatewayProcess.start(JAR, config, "gateway-2");
                gateway.await("MQTT: connected to");

                publisher.awaitSent(PER_DEVICE * 2 * 7 / 10);
                int atRestart = publisher.sent.get();
                broker.restart();
                gateway.await("MQTT: connected to"); // after the restart: the session was resumed

                thread.join(TimeUnit.SECONDS.toMillis(60));
                if (publisher.failure.get() != null) {
                    throw new AssertionError("the publisher failed", publisher.failure.get());
                }
                int sent = publisher.sent.get();
                assertEquals(PER_DEVICE * 2, sent);
                awaitAllStored(store, 60);
                Counts timed = counts(store, "timed");
                Counts untimed = counts(store, "untimed");
                int lost = timed.lost + untimed.lost;
                System.out.println("MQTT-FAULTS sent=" + sent + " stored=" + (timed.distinct + untimed.distinct)
                        + " lost=" + lost + " duplicated=" + (timed.duplicated + untimed.duplicated)
                        + " (timed: duplicated=" + timed.duplicated + "; untimed: duplicated=" + untimed.duplicated
                        + "; gateway killed after " + atKill + " sent and " + storedAtKill + " stored, broker restarted"
                        + " after " + atRestart + " sent; publisher retries " + publisher.retries.get()
                        + (publisher.firstRetry.get() == null ? "" : ", the first after " + publisher.firstRetry.get())
                        + ")");
                assertEquals(0, lost, "messages the broker acknowledged and the store does not have");
                assertEquals(0, timed.duplicated, "timed messages stored twice");
            } finally {
                gateway.close();
            }
        }
    }

    /** Rows per value of one device: how many values are missing and how many rows are extra. */
    private record Counts(int distinct, int lost, int duplicated) {
    }

    private static Counts counts(StoreConfig store, String device) throws Exception {
        Map<Long, Integer> rows = new HashMap<>();
        try (Connection c = TestStores.connect(store);
             PreparedStatement s = c.prepareStatement("SELECT value FROM readings WHERE device_id = ?")) {
            s.setString(1, device);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.merge((long) rs.getDouble(1), 1, Integer::sum);
                }
            }
        }
        int lost = 0;
        for (long i = 1; i <= PER_DEVICE; i++) {
            if (!rows.containsKey(i)) {
                lost++;
            }
        }
        int duplicated = rows.values().stream().mapToInt(n -> n - 1).sum();
        return new Counts(rows.size(), lost, duplicated);
    }

    private static void awaitAllStored(StoreConfig store, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (DB.queryLong(store, "SELECT COUNT(DISTINCT device_id, value) FROM readings") < PER_DEVICE * 2L
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /**
     * Publishes value i (1..PER_DEVICE) for both devices, one QoS 1 message at a time; a message counts as
     * sent once the broker acknowledged it. A failed publish (the broker restarting) is repeated after
     * reconnecting, so the broker may get it twice: that too is a redelivery the gateway must absorb.
     */
    private static final class Publisher implements Runnable {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicReference<String> firstRetry = new AtomicReference<>();
        private final MosquittoBroker broker;

        Publisher(MosquittoBroker broker) {
            this.broker = broker;
        }

        @Override
        public void run() {
            try (MqttClient client = new MqttClient(broker.uri().toString(), "publisher", new MemoryPersistence())) {
                client.setTimeToWait(5_000);
                connect(client);
                long start = System.nanoTime();
                long interval = TimeUnit.SECONDS.toNanos(1) / MESSAGES_PER_SECOND;
                for (int i = 1; i <= PER_DEVICE; i++) {
                    publish(client, "pi/timed/v", "{\"value\": " + i + ", \"ts\": " + (T0_MILLIS + i) + "}");
                    publish(client, "pi/untimed/v", Integer.toString(i));
                    long wait = start + 2L * i * interval - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                client.disconnect();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                synchronized (sent) {
                    sent.notifyAll();
                }
            }
        }

        private void publish(MqttClient client, String topic, String payload) throws InterruptedException {
            while (true) {
                try {
                    client.publish(topic, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
                    synchronized (sent) {
                        sent.incrementAndGet();
                        sent.notifyAll();
                    }
                    return;
                } catch (MqttException e) {
                    retries.incrementAndGet();
                    firstRetry.compareAndSet(null, e.toString());
                    // E.g. "too many publishes in progress" while earlier tries time out: wait, do not spin.
                    Thread.sleep(20);
                    connect(client);
                }
            }
        }

        private static void connect(MqttClient client) throws InterruptedException {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setConnectionTimeout(5);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!client.isConnected()) {
                try {
                    client.connect(o);
                } catch (MqttException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("cannot reconnect to the broker for 30 s", e);
                    }
                    Thread.sleep(50);
                }
            }
        }

        void awaitSent(int n) throws InterruptedException {
            synchronized (sent) {
                while (sent.get() < n && failure.get() == null) {
                    sent.wait(1000);
                }
            }
        }
    }
}
