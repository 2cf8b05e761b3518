package io.pigateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
    /** A gateway whose listener and store are as the test says. */
    record State(boolean accepting, StoreHealth store) implements GatewayState {
        @Override
        public int connectionsOpen() {
            return 0;
        }

        @Override
        public int devicesConnected() {
            return 0;
        }

        @Override
        public int queueDepth() {
            return 0;
        }

        @Override
        public int queueCapacity() {
            return 1;
        }

        @Override
        public String tlsSummary() {
            return "TLS off";
        }
    }

    static final StoreHealth UP = new StoreHealth(true, null, null, 0);

    @Test
    void okWhenTheListenerAcceptsAndTheStoreIsUp() {
        HealthCheck.Result r = new HealthCheck(new State(true, UP)).check();
        assertEquals(200, r.status());
        assertEquals("{\"status\":\"ok\",\"listener\":\"up\",\"store\":\"up\"}\n", r.json());
    }

    @Test
    void unavailableWithTheOutageStartAndTheDatabaseErrorEscapedForJson() {
        StoreHealth down = new StoreHealth(false, Instant.parse("2026-05-01T12:03:04.567Z"),
                "Communications link failure \"db\"\\x\n\u0001", 1);
        HealthCheck.Result r = new HealthCheck(new State(true, down)).check();
        assertEquals(503, r.status());
        assertEquals("{\"status\":\"unavailable\",\"listener\":\"up\",\"store\":\"down\",\"reason\":\"database"
                + " unreachable since 2026-05-01T12:03:04Z: Communications link failure \\\"db\\\"\\\\x\\n\\u0001\"}\n",
                r.json());
    }

    @Test
    void unavailableNamingEveryPartThatIsDown() {
        HealthCheck.Result r = new HealthCheck(new State(false, new StoreHealth(false, null, "the store is closed", 0)))
                .check();
        assertEquals(503, r.status());
        assertEquals("{\"status\":\"unavailable\",\"listener\":\"down\",\"store\":\"down\",\"reason\":\"the listener"
                + " is not accepting connections; the store is closed\"}\n", r.json());
    }

    @Test
    void aReadOnlyOrFullDatabaseIsNamedSoInTheReasonAndTheStateGauge() {
        for (StoreHealth.State state : new StoreHealth.State[] {StoreHealth.State.READ_ONLY, StoreHealth.State.FULL}) {
            StoreHealth down = new StoreHealth(false, Instant.parse("2026-05-01T12:03:04Z"), "the error", 1, state);
            State gateway = new State(true, down);
            HealthCheck.Result r = new HealthCheck(gateway).check();
            assertEquals(503, r.status());
            assertTrue(r.json().contains("\"reason\":\"database " + state.label() + " since 2026-05-01T12:03:04Z: the error\""),
                    r.json());

            GatewayMetrics metrics = new GatewayMetrics();
            metrics.watch(gateway);
            String scraped = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertTrue(scraped.contains("pigw_database_state{state=\"" + state.label() + "\"} 1"), scraped);
            assertTrue(scraped.contains("pigw_database_state{state=\"up\"} 0"), scraped);
            assertTrue(scraped.contains("pigw_database_up 0"), scraped);
        }
    }
}
