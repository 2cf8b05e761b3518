package io.pigateway.client.spool;

import static io.pigateway.client.spool.SpoolTesting.DEVICE;
import static io.pigateway.client.spool.SpoolTesting.T0;
import static io.pigateway.client.spool.SpoolTesting.all;
import static io.pigateway.client.spool.SpoolTesting.config;
import static io.pigateway.client.spool.SpoolTesting.copy;
import static io.pigateway.client.spool.SpoolTesting.dir;
import static io.pigateway.client.spool.SpoolTesting.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool written by format version 1 (meta file and segment headers version 1) is checked in under
 * {@code src/test/resources/spool-format-1/pi-test/}: {@value #WRITTEN} readings of {@link #reading}
 * in two 4 KiB segments, the first {@value #ACKED} acknowledged. A later version must still read
 * it: a format change that cannot is caught here, not on a Pi after an upgrade.
 *
 * <p>The files were made by {@link #writeTheFixture}; run it only to add a fixture for a new format
 * version (never to replace this one):
 * {@code mvn -pl sensor-client -am -Dtest=SpoolFormatV1Test -Dspool.fixture.dir=/tmp/fixture verify}.
 */
class SpoolFormatV1Test {
    static final int WRITTEN = 150;
    static final int ACKED = 10;
    /** The stream id the fixture's spool drew when it was written. */
    static final long STREAM = 0x249abaaf81323638L;

    @TempDir
    Path base;

    /** The {@code i}-th reading written (from 0): two sensors in turn, values with a fraction. */
    static Reading reading(int i) {
        return new Reading(i + 1, i % 2 == 0 ? "temperature" : "door", T0 + 1000L * i, i % 2 == 0 ? 20 + i / 8.0 : i % 4);
    }

    static SpoolConfig fixtureConfig(Path base) {
        return config(base, 2);
    }

    @Test
    void aSpoolWrittenByFormatVersion1IsReadBackAsWritten() throws Exception {
        Path fixture = Path.of(SpoolFormatV1Test.class.getResource("/spool-format-1/" + DEVICE).toURI());
        SpoolConfig config = fixtureConfig(base);
        copy(fixture, dir(config));
        List<Reading> expected = new ArrayList<>();
        for (int i = ACKED; i < WRITTEN; i++) {
            expected.add(reading(i));
        }
        try (Spool spool = open(config)) {
            assertFalse(spool.recovery().newStream());
            assertEquals(Long.toHexString(STREAM), Long.toHexString(spool.streamId()));
            assertNull(spool.recovery().damage(), "nothing cut");
            assertEquals(WRITTEN - ACKED, spool.counts().recovered());
            assertEquals(expected, all(spool));
            assertEquals(WRITTEN + 1, spool.append("temperature", T0, 1.0).seq(), "the stream goes on after the last seq");
        }
    }

    /** Writes the fixture into {@code -Dspool.fixture.dir}; see the class comment. */
    @Test
    @EnabledIfSystemProperty(named = "spool.fixture.dir", matches = ".+")
    void writeTheFixture() throws Exception {
        Path out = Path.of(System.getProperty("spool.fixture.dir"));
        SpoolConfig config = fixtureConfig(out);
        long stream;
        try (Spool spool = open(config)) {
            stream = spool.streamId();
            for (int i = 0; i < WRITTEN; i++) {
                Reading r = reading(i);
                spool.append(r.sensor(), r.timestampMillis(), r.value());
            }
            spool.sync();
            spool.ack(ACKED);
        }
        System.out.println("stream " + Long.toHexString(stream) + " written to " + dir(config) + ": "
                + Files.list(dir(config)).toList());
    }
}
