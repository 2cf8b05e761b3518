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

/** The benchmark runs end to end on a tiny workload, so bin/benchmark cannot rot unnoticed. Not a timing test. */
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
                    "--rounds", "1", "--latency-warmup-seconds", "1", "--latency-seconds", "1", "--trace",
                    "--idle", "20", "--gateway-jar", "../gateway/target/pi-gateway.jar",
                    "--client-jar", "../sensor-client/target/pi-sensor-client.jar", "--client-seconds", "3",
                    "--work-dir", dir.toString());
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(0, code, out);
        for (String figure : new String[] {"start-up to ready", "raw JDBC ceiling", "gateway end to end",
                "1,800 rows verified in the table", "commits per 1,000 readings", "gateway / ceiling", "warm-up", "p99",
                "other processes", "stages of", "queue wait", "ACK wake-up", "20 idle device connections held",
                "fsyncs for"}) {
            assertTrue(out.contains(figure), "the report shows: " + figure);
        }
        // Every measured frame was found in the gateway's flight recording, both when committed and acknowledged.
        Matcher traced = Pattern.compile("stages of ([\\d,]+) of ([\\d,]+) frames traced").matcher(out);
        assertTrue(traced.find(), out);
        assertEquals(traced.group(2), traced.group(1));
        assertNotEquals("0", traced.group(1));
    }
}
