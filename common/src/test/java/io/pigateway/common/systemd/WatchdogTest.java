package io.pigateway.common.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WatchdogTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void pingsEveryHalfIntervalWhileNothingIsStuck() throws Exception {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            SystemdNotifier n = SystemdNotifier.of(socket.address());
            AtomicReference<Duration> asked = new AtomicReference<>();
            try (Watchdog w = Watchdog.start(n, interval -> {
                asked.set(interval);
                return Optional.empty();
            }, Map.of("WATCHDOG_USEC", "200000"), PID)) {
                assertTrue(w.active());
                assertEquals(Optional.of(Duration.ofMillis(200)), w.interval());
                NotifySocket.Received first = socket.await("WATCHDOG=1", Duration.ofSeconds(5));
                List<NotifySocket.Received> more = socket.drain(Duration.ofMillis(1000));
                long span = more.getLast().nanos() - first.nanos();
                double perSecond = more.size() / (span / 1e9);
                System.out.printf("watchdog pings: %d in %d ms after the first (%.1f/s, expected 10/s)%n", more.size(),
                        span / 1_000_000, perSecond);
                assertTrue(more.stream().allMatch(r -> r.text().equals("WATCHDOG=1")), more.toString());
                assertTrue(perSecond > 7 && perSecond < 13, "about one ping per 100 ms: " + perSecond + "/s");
                assertEquals(Duration.ofMillis(200), asked.get(), "the check is told the interval");
            }
        }
    }

    @Test
    void stopsPingingAndTriggersOnceTheCheckNamesSomethingStuck() throws Exception {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            SystemdNotifier n = SystemdNotifier.of(socket.address());
            AtomicReference<String> stuck = new AtomicReference<>();
            try (Watchdog w = Watchdog.start(n, interval -> Optional.ofNullable(stuck.get()),
                    Map.of("WATCHDOG_USEC", "100000"), PID)) {
                socket.await("WATCHDOG=1", Duration.ofSeconds(5));
                socket.await("WATCHDOG=1", Duration.ofSeconds(5));
                stuck.set("store-writer-1 has been in one transaction for 99 s");
                NotifySocket.Received hung = socket.await("WATCHDOG=trigger", Duration.ofSeconds(5));
                assertEquals("STATUS=hung: store-writer-1 has been in one transaction for 99 s\nWATCHDOG=trigger", hung.text());
                assertEquals(Optional.of("store-writer-1 has been in one transaction for 99 s"), w.hung());
                stuck.set(null); // recovering afterwards does not resume the pings
                assertEquals(List.of(), socket.drain(Duration.ofMillis(400)), "no ping after the check failed");
            }
        }
    }

    @Test
    void aCheckThatThrowsCountsAsHung() throws Exception {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            SystemdNotifier n = SystemdNotifier.of(socket.address());
            try (Watchdog w = Watchdog.start(n, interval -> {
                throw new IllegalStateException("boom");
            }, Map.of("WATCHDOG_USEC", "100000"), PID)) {
                NotifySocket.Received hung = socket.await("WATCHDOG=trigger", Duration.ofSeconds(5));
                assertTrue(hung.text().contains("the liveness check itself failed: java.lang.IllegalStateException: boom"),
                        hung.text());
            }
        }
    }

    @Test
    void pingsOnlyWhenSystemdAskedThisProcess() {
        assertNull(Watchdog.interval(Map.of(), PID), "no WATCHDOG_USEC");
        assertEquals(Duration.ofSeconds(30), Watchdog.interval(Map.of("WATCHDOG_USEC", "30000000"), PID));
        assertEquals(Duration.ofSeconds(30), Watchdog.interval(Map.of("WATCHDOG_USEC", "30000000",
                "WATCHDOG_PID", Long.toString(PID)), PID));
        assertNull(Watchdog.interval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "1"), PID), "another pid");
        assertNull(Watchdog.interval(Map.of("WATCHDOG_USEC", "thirty"), PID));
        assertNull(Watchdog.interval(Map.of("WATCHDOG_USEC", "0"), PID));
    }

    @Test
    void withoutNotifySocketNoThreadRuns() {
        try (Watchdog w = Watchdog.start(SystemdNotifier.DISABLED, interval -> Optional.empty(),
                Map.of("WATCHDOG_USEC", "100000"), PID)) {
            assertFalse(w.active());
            assertEquals(Optional.empty(), w.interval());
        }
    }
}
