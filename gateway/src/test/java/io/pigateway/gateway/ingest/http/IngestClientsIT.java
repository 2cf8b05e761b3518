package io.pigateway.gateway.ingest.http;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.BadRequestException;
import com.influxdb.exceptions.UnauthorizedException;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.IngestConfig;
import io.pigateway.gateway.config.IngestHttpConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBException;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official InfluxDB Java clients, unchanged, write batches of 5,000 lines to the gateway: v2
 * (com.influxdb:influxdb-client-java) to {@code /api/v2/write}, v1 (org.influxdb:influxdb-java) to
 * {@code /write}. When a blocking write returns, the rows are already in the store; a repeated batch
 * adds none; a refused batch reaches the client as an error carrying the gateway's reason.
 */
@Timeout(180)
class IngestClientsIT {
    static final int BATCH = 5_000;
    static final long T0 = 1_700_000_000L;

    @TempDir
    static Path dir;
    static Gateway gateway;
    static StoreConfig store;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        GatewayConfig config = TestGatewayConfig.forTests(dir).withAuth(IngestHttpIT.deviceSecrets(dir))
                .withIngest(IngestConfig.defaults().withHttp(IngestHttpConfig.loopbackAnyPort()));
        store = config.store();
        gateway = Gateway.start(config);
        InetSocketAddress a = gateway.ingestHttpAddress();
        url = "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static long rows(String device, String sensorPrefix) throws Exception {
        return TestStores.shared().queryLong(store,
                "SELECT COUNT(*) FROM readings WHERE device_id = ? AND sensor LIKE ?", device, sensorPrefix + "%");
    }

    @Test
    void theV2ClientsBlockingWritesReturnWithTheRowsStored() throws Exception {
        String token = "pi-attic:" + IngestHttpIT.ATTIC_SECRET;
        try (InfluxDBClient client = InfluxDBClientFactory.create(url, token.toCharArray(), "home", "pi")) {
            WriteApiBlocking write = client.getWriteApiBlocking();
            for (int batch = 0; batch < 3; batch++) {
                List<String> lines = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    long t = T0 + (long) batch * BATCH + i;
                    lines.add("clientv2,device=pi-attic,room=attic temp=" + (20 + i % 10) + ".5 " + t);
                }
                write.writeRecords(WritePrecision.S, lines);
                assertEquals((long) (batch + 1) * BATCH, rows("pi-attic", "clientv2."),
                        "every row of batch " + batch + " is stored when the write returns");
            }
            write.writeRecord(WritePrecision.S, "clientv2,device=pi-attic,room=attic temp=20.5 " + T0);
            assertEquals(3L * BATCH, rows("pi-attic", "clientv2."), "a repeated line with a time adds no row");

            BadRequestException bad = assertThrows(BadRequestException.class,
                    () -> write.writeRecords(WritePrecision.S, List.of("clientv2 temp=1 " + T0, "clientv2 temp=x")));
            assertTrue(bad.getMessage().contains("line 2: field 'temp' has value 'x'"), bad.getMessage());
        }
        try (InfluxDBClient wrong = InfluxDBClientFactory.create(url, "pi-attic:nope".toCharArray(), "home", "pi")) {
            assertThrows(UnauthorizedException.class,
                    () -> wrong.getWriteApiBlocking().writeRecord(WritePrecision.S, "clientv2 temp=1 " + T0));
        }
    }

    @Test
    void theV1ClientsWritesReturnWithTheRowsStored() throws Exception {
        try (InfluxDB client = InfluxDBFactory.connect(url, "pi-cellar", IngestHttpIT.CELLAR_SECRET)) {
            for (int batch = 0; batch < 3; batch++) {
                BatchPoints.Builder points = BatchPoints.database("pi").precision(TimeUnit.MILLISECONDS);
                for (int i = 0; i < BATCH; i++) {
                    long t = (T0 + (long) batch * BATCH + i) * 1000;
                    points.point(Point.measurement("clientv1").tag("host", "pi-cellar").time(t, TimeUnit.MILLISECONDS)
                            .addField("temp", 10.0 + i % 7).addField("on", i % 2 == 0).build());
                }
                client.write(points.build());
                assertEquals((long) (batch + 1) * BATCH * 2, rows("pi-cellar", "clientv1."),
                        "both fields of every line of batch " + batch + " are stored when the write returns");
            }
            InfluxDBException bad = assertThrows(InfluxDBException.class,
                    () -> client.write("pi", "autogen", InfluxDB.ConsistencyLevel.ONE, "clientv1,host=pi-attic temp=1"));
            assertTrue(bad.getMessage().contains("the credentials are those of device pi-cellar"), bad.getMessage());
        }
    }
}
