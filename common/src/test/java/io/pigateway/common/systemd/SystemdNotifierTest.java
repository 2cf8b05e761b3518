package io.pigateway.common.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SystemdNotifierTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void sendsTheExactDatagramsToASocketAtAPath(@TempDir Path dir) throws Exception {
        try (NotifySocket socket = NotifySocket.atPath(dir)) {
            SystemdNotifier n = SystemdNotifier.of(socket.address());
            assertTrue(n.enabled());
            assertTrue(n.ready("listening on 127.0.0.1:4711"));
            assertTrue(n.status("store down\nsince 12:00"));
            assertTrue(n.watchdog());
            assertTrue(n.stopping());
            assertEquals("READY=1\nSTATUS=listening on 127.0.0.1:4711", socket.next(WAIT).text());
            assertEquals("STATUS=store down since 12:00", socket.next(WAIT).text(), "a status stays one assignment");
            assertEquals("WATCHDOG=1", socket.next(WAIT).text());
            assertEquals("STOPPING=1", socket.next(WAIT).text());
        }
    }

    @Test
    void sendsTheExactDatagramsToAnAbstractSocket() throws Exception {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            assertTrue(socket.address().startsWith("@"));
            SystemdNotifier n = SystemdNotifier.of(socket.address());
            assertTrue(n.ready("up"));
            assertTrue(n.hung("store-writer-1 stuck"));
            assertEquals("READY=1\nSTATUS=up", socket.next(WAIT).text());
            assertEquals("STATUS=hung: store-writer-1 stuck\nWATCHDOG=trigger", socket.next(WAIT).text());
        }
    }

    @Test
    void withoutNotifySocketEveryCallDoesNothing() {
        SystemdNotifier n = SystemdNotifier.of(null);
        assertSame(SystemdNotifier.DISABLED, n);
        assertSame(SystemdNotifier.DISABLED, SystemdNotifier.of(""));
        assertFalse(n.enabled());
        assertFalse(n.ready("x"));
        assertFalse(n.status("x"));
        assertFalse(n.watchdog());
        assertFalse(n.stopping());
    }

    @Test
    void anUnsupportedAddressDisablesTheNotifier() {
        assertSame(SystemdNotifier.DISABLED, SystemdNotifier.of("vsock:2:1234"));
    }

    @Test
    void aSocketNobodyListensOnFailsQuietlyWithoutThrowing(@TempDir Path dir) throws Exception {
        SystemdNotifier n = SystemdNotifier.of(dir.resolve("nobody.sock").toString());
        assertTrue(n.enabled());
        assertFalse(n.ready("x"), "ENOENT is reported as not sent");
        assertFalse(n.watchdog(), "and again, logged at DEBUG this time");
        try (NotifySocket socket = NotifySocket.atPath(dir)) {
            SystemdNotifier working = SystemdNotifier.of(socket.address());
            assertTrue(working.watchdog());
            assertEquals("WATCHDOG=1", socket.next(WAIT).text());
            assertNull(socket.next(Duration.ofMillis(200)), "nothing else arrived");
        }
    }
}
