package io.pigateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The benchmark runs end to end on a tiny workload (about half a minute), so bin/benchmark cannot rot
 * unnoticed. Not a timing test: it checks that every figure is printed, that the gateway ran with the
 * launcher's JVM options and the server's default durability, and that every row was verified.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchmarkSmokeIT {

    @Test
    void aTinyRunPrintsEveryFigureAndVerifiesTheRowCount(@TempDir Path dir) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new BenchmarkMain()).execute("--devices", "3", "--readings", "600", "--frame", "100",
                    "--rounds", "1", "--rates", "100,300", "--rate-seconds", "1", "--startups", "1", "--trace",
                    "--status-poll-ms", "100",
                    "--idle", "20", "--idle-seconds", "2", "--gateway-jar", "../gateway/target/pi-gateway.jar",
                    "--launcher", "../deploy/src/bin/launcher", "--packaged-config", "../deploy/gateway.conf",
                    "--client-jar", "../sensor-client/target/pi-sensor-client.jar", "--client-seconds", "3",
                    "--work-dir", dir.toString());
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(0, code, out);
        for (String figure : new String[] {"started by", "-Xmx96m", "innodb_flush_log_at_trx_commit = 1",
                "changes from the packaged configuration: --trace", "start-up to ready", "prepared:1", "prepared:2",
                "rewritten:2", "load-data:1", "load-data:2", "gateway ÷ best plain JDBC", "÷ best LOAD DATA",
                "warm-up round, not counted", "| 100 |", "| 300 |", "p99", "database CPU", "generator lag",
                "stages of", "queue wait", "status page during", "20 idle connections", "per idle connection",
                "young collections", "the sending device meanwhile", "fsyncs for"}) {
            assertTrue(out.contains(figure), "the report shows: " + figure);
        }
        // The database's CPU is attributed to its process, found by its port.
        assertTrue(Pattern.compile("database: .* PID \\d+").matcher(out).find(), out);
        // Every measured frame was found in the gateway's flight recording, both when committed and acknowledged.
        Matcher traced = Pattern.compile("stages of ([\\d,]+) of ([\\d,]+) frames traced").matcher(out);
        assertTrue(traced.find(), out);
        assertEquals(traced.group(2), traced.group(1));
        assertNotEquals("0", traced.group(1));
    }
}
