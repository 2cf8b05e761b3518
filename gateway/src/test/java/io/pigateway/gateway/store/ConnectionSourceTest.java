package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSourceTest {
    @TempDir
    Path dir;

    private StoreConfig mysql(Path passwordFile, String options) {
        return new StoreConfig(StoreConfig.Kind.MYSQL, null, "db.example", 3307, "pi", "gw", passwordFile, options,
                StoreConfig.MigrationMode.APPLY, Duration.ofMillis(1500));
    }

    @Test
    void mysqlUrlBatchesRewritesTimesOutAndAppendsConfiguredOptionsLast() {
        String url = ConnectionSource.mysqlUrl(mysql(null, "?sslMode=REQUIRED&socketTimeout=5000"));
        assertEquals("jdbc:mysql://db.example:3307/pi?rewriteBatchedStatements=true&useAffectedRows=true"
                + "&useServerPrepStmts=true&cachePrepStmts=true&prepStmtCacheSize=64&prepStmtCacheSqlLimit=262144"
                + "&connectTimeout=1500&socketTimeout=1500&sslMode=REQUIRED&socketTimeout=5000", url);
        assertFalse(ConnectionSource.mysqlUrl(mysql(null, "")).endsWith("&"));
    }

    @Test
    void insertsComeInAFewFixedSizesSoPreparedStatementsCanBeCached() {
        assertEquals(1000, WriteSql.chunkSize(4500));
        assertEquals(512, WriteSql.chunkSize(999));
        assertEquals(1, WriteSql.chunkSize(1));
        java.util.Set<Integer> shapes = new java.util.HashSet<>();
        for (int total = 1; total <= 3000; total++) {
            int steps = 0;
            for (int left = total; left > 0; steps++) {
                int n = WriteSql.chunkSize(left);
                shapes.add(n);
                left -= n;
            }
            assertTrue(steps <= total / 1000 + 10, total + " rows took " + steps + " statements");
        }
        assertEquals(11, shapes.size(), "1000 and the powers of two up to 512");
    }

    private Path privateFile(String content) throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void thePasswordIsTheFirstLineOfItsFile() throws Exception {
        assertEquals("s3cret", ConnectionSource.readPassword(mysql(privateFile("s3cret\n"), "")));
        assertEquals("s3cret", ConnectionSource.readPassword(mysql(privateFile("s3cret\r\n"), "")));
        assertEquals(" two words ", ConnectionSource.readPassword(mysql(privateFile(" two words \n\n"), "")));
    }

    @Test
    void aPasswordFileOthersCanReadIsRefusedNamingTheStore() throws Exception {
        Path file = privateFile("s3cret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        StoreException e = assertThrows(StoreException.class, () -> ConnectionSource.of(mysql(file, "")));
        assertEquals("cannot read the password for MySQL gw@db.example:3307/pi: " + file.toAbsolutePath()
                + " has mode 0644 (rw-r--r--); must not be accessible by group or others: chmod 600 "
                + file.toAbsolutePath(), e.getMessage());
    }

    @Test
    void missingPasswordFileIsAnErrorNamingThePathAndTheStore() {
        Path missing = dir.resolve("nope");
        StoreException e = assertThrows(StoreException.class, () -> ConnectionSource.of(mysql(missing, "")));
        assertEquals("cannot read the password for MySQL gw@db.example:3307/pi: cannot read " + missing.toAbsolutePath()
                + ": no such file", e.getMessage());
    }

    @Test
    void noStoreConfigurationCanCarryUrlParametersOfItsOwn() {
        IllegalArgumentException h2 = assertThrows(IllegalArgumentException.class,
                () -> StoreConfig.embedded(dir.resolve("x;INIT=RUNSCRIPT FROM 'evil'")));
        assertTrue(h2.getMessage().contains("contains ';'"), h2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mysql(null, "autoDeserialize=true"));
        assertThrows(IllegalArgumentException.class, () -> new StoreConfig(StoreConfig.Kind.MYSQL, null,
                "db.example:3306/pi?allowLoadLocalInfile=true&x=", 3306, "pi", "gw", null, "",
                StoreConfig.MigrationMode.APPLY, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new StoreConfig(StoreConfig.Kind.MYSQL, null,
                "db.example", 3306, "pi?queryInterceptors=Evil", "gw", null, "",
                StoreConfig.MigrationMode.APPLY, Duration.ofSeconds(1)));
    }

    @Test
    void testHarnessOpensH2WithTheStoresUrl() {
        Path file = dir.resolve("store");
        assertEquals(ConnectionSource.h2Url(file), TestStores.h2Url(file));
    }

    @Test
    void theWatchdogAllowsTheSocketTimeoutTheJdbcOptionsSetOrTheDefault() {
        assertEquals(Duration.ofSeconds(60), ConnectionSource.socketTimeout(""));
        assertEquals(Duration.ofSeconds(5), ConnectionSource.socketTimeout("socketTimeout=5000"));
        assertEquals(Duration.ofSeconds(120), ConnectionSource.socketTimeout("?useSSL=false&socketTimeout=120000&x=1"));
        assertEquals(Duration.ofSeconds(60), ConnectionSource.socketTimeout("socketTimeout=0"), "0 means none: assume the default");
        assertEquals(Duration.ofSeconds(60), ConnectionSource.socketTimeout("mySocketTimeout=5"));
    }

    @Test
    void aClusterNodeThatFailsACommitWithError1180IsLeftEvenWhileItStillSaysItIsReady() throws Exception {
        ConnectionSource source = ConnectionSource.of(new StoreConfig(StoreConfig.Kind.MYSQL, null, "n1,n2,n3", 3306, "pi", "gw",
                null, "", StoreConfig.MigrationMode.APPLY, Duration.ofMillis(1500)));
        Connection onFirst = mock(Connection.class, RETURNS_DEEP_STUBS);
        when(onFirst.getMetaData().getURL()).thenReturn(source.url());
        SQLException lostPrimary = new SQLException("Error while appending streaming replication fragment(provider status:"
                + " Not connected to Primary Component)", "HY000", 1180);

        assertTrue(source.nodeUnavailable(onFirst, lostPrimary));
        assertTrue(source.url().startsWith("jdbc:mysql://n2:3306/"), source.url());
        verify(onFirst, never()).createStatement(); // no readiness check that could still pass
    }

    @Test
    void aSingleServerIsNeverLeftWhateverTheError() throws Exception {
        ConnectionSource source = ConnectionSource.of(mysql(null, ""));
        assertFalse(source.nodeUnavailable(mock(Connection.class), new SQLException("during COMMIT", "HY000", 1180)));
    }
}
