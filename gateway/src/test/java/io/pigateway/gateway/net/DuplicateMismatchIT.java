package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.CapturedLog;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.Reading;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that reuses a (stream, seq) for another reading (a restored or cloned SD card) is refused
 * loudly instead of being acknowledged and silently discarded; identical resends stay exactly-once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DuplicateMismatchIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void aFrameReusingStoredSeqsForOtherReadingsIsRefusedWholeAndLoggedNotAcknowledged(@TempDir Path dir)
            throws Exception {
        try (CapturedLog log = CapturedLog.start(); RunningGateway g = RunningGateway.start(dir)) {
            try (TestDevice d = TestDevice.connect(g.address(), "restored", 77)) {
                d.sendRange(1, 20, 10);
                assertEquals(20, d.awaitAck(20, WAIT));
            }
            try (TestDevice d = TestDevice.connect(g.address(), "restored", 77)) {
                d.sendRange(1, 20, 10); // an identical resend: acknowledged, stored once
                assertEquals(20, d.awaitAck(20, WAIT));
            }
            try (TestDevice d = TestDevice.connect(g.address(), "restored", 77)) { // a restored copy of the client
                List<Reading> other = new ArrayList<>();
                for (long seq = 15; seq <= 30; seq++) { // 15..20 are new readings under old seqs
                    other.add(new Reading(seq, "temperature", 1_800_000_000_000L + seq, -seq));
                }
                d.send(new Message.Readings(other));
                Message.Nack n = d.awaitNack(WAIT);
                assertEquals(NackCode.DUPLICATE_MISMATCH, n.nackCode());
                assertTrue(n.reason().contains("6 of the 16 readings of seq 15..30"), n.reason());
                assertTrue(d.closedByGateway(WAIT));
            }
            assertEquals(20, g.rows("restored"), "nothing of the refused frame is stored, not even seq 21..30");
            assertEquals(1, TestStores.shared().queryLong(g.store,
                    "SELECT COUNT(*) FROM readings WHERE device_id = 'restored' AND seq = 15 AND value = 1.5"),
                    "the stored reading is untouched");
            List<String> lines = log.await(WAIT, "device restored", "DUPLICATE_MISMATCH", "stream 77",
                    "seq 15 is stored as temperature = 1.5");
            assertEquals(1, lines.size(), lines.toString());
            g.assertGoodDeviceServed(null, null);
        }
    }

    @Test
    void twoClientsWithOneDeviceIdThatKeepReplacingEachOtherAreLoggedAsAProbableClone(@TempDir Path dir)
            throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        try (CapturedLog log = CapturedLog.start(); RunningGateway g = RunningGateway.start(dir)) {
            List<TestDevice> open = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    open.add(TestDevice.connectFrom(i % 2 == 0 ? a : b, g.address(), "twin", 5, null));
                }
                List<String> lines = log.await(WAIT, "device twin", "probably a clone", "from 127.0.0.", "127.0.0.1:", "127.0.0.2:");
                assertEquals(1, lines.size(), "one line for three replacements: " + lines);
            } finally {
                for (TestDevice d : open) {
                    d.close();
                }
            }
        }
    }
}
