package io.pigateway.gateway.ingest.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TopicPatternTest {
    @Test
    void theDefaultPatternSubscribesToTwoWildcardsAndNamesDeviceAndSensor() {
        TopicPattern p = TopicPattern.parse("pi/{device}/{sensor}");
        assertEquals("pi/+/+", p.filter());
        assertEquals(new TopicPattern.Names("attic", "air.temp"), p.match("pi/attic/air.temp"));
        assertNull(p.match("pi/attic"));
        assertNull(p.match("pi/attic/air/temp"));
        assertNull(p.match("xx/attic/air.temp"));
    }

    @Test
    void esphomeStateTopicsMapWithLiteralLevelsAndAPlus() {
        TopicPattern p = TopicPattern.parse("{device}/+/{sensor}/state");
        assertEquals("+/+/+/state", p.filter());
        assertEquals(new TopicPattern.Names("attic-node", "temperature"),
                p.match("attic-node/sensor/temperature/state"));
        assertNull(p.match("attic-node/sensor/temperature/command"));
    }

    @Test
    void brokenPatternsAreRefusedWithTheRule() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse("pi/{sensor}"))
                .getMessage().contains("{device} is missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse("pi/{device}/#"))
                .getMessage().contains("'#'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse("pi/{device}/x+"))
                .getMessage().contains("whole level"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse("pi/{device}/{sensor}x"))
                .getMessage().contains("brace"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse("{device}/{device}"))
                .getMessage().contains("twice"));
    }
}
