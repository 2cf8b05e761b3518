package io.pigateway.gateway.store;

import io.pigateway.gateway.config.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;

/**
 * What the sync after each group commit costs the embedded store (docs/PERFORMANCE.md): a writer's
 * own work (insert a group, touch the device, commit) on one connection, with and without
 * {@link ConnectionSource#sync}, for several group sizes; p50/p99 per transaction and readings/s.
 * A tool, not a test: {@code java -cp <gateway test classpath> io.pigateway.gateway.store.EmbeddedSyncCost [dir]}.
 */
public final class EmbeddedSyncCost {
    private EmbeddedSyncCost() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("sync-cost");
        StoreConfig config = StoreConfig.embedded(dir.resolve("cost"));
        try (Store store = Store.open(config, Fixtures.writers())) {
            // creates the schema
        }
        ConnectionSource source = ConnectionSource.of(config);
        long stream = 1;
        try (Connection c = source.open()) {
            for (int group : new int[] {1, 10, 100, 1000}) {
                for (boolean sync : new boolean[] {false, true, false, true}) {
                    int transactions = Math.max(50, Math.min(2000, 20_000 / group));
                    long[] nanos = new long[transactions];
                    long seq = 1;
                    stream++;
                    long began = System.nanoTime();
                    for (int t = 0; t < transactions; t++) {
                        long start = System.nanoTime();
                        List<ReadingBatch> batches = List.of(Fixtures.batch("cost-dev", stream, seq, group));
                        WriteSql.insertReadings(c, batches);
                        WriteSql.touchDevices(c, new LastSeen().due(batches));
                        c.commit();
                        if (sync) {
                            source.sync(c);
                        }
                        nanos[t] = System.nanoTime() - start;
                        seq += group;
                    }
                    double seconds = (System.nanoTime() - began) / 1e9;
                    Arrays.sort(nanos);
                    System.out.printf("group %4d readings, sync %-5s: %5d transactions, p50 %6.2f ms, p99 %6.2f ms,"
                                    + " %8.0f readings/s%n", group, sync, transactions, nanos[transactions / 2] / 1e6,
                            nanos[transactions * 99 / 100] / 1e6, transactions * (double) group / seconds);
                }
            }
        }
    }
}
