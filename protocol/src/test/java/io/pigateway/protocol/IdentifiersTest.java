package io.pigateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdentifiersTest {
    @Test
    void ordinaryNamesAreAccepted() {
        assertNull(Identifiers.problem("device id", "pi-kitchen_01"));
        assertNull(Identifiers.problem("sensor", "bme280:temperature.c"));
    }

    @Test
    void quotesSqlAndControlCharactersAreRefusedNamingTheCharacter() {
        assertTrue(Identifiers.problem("device id", "x'; DROP TABLE readings; --").contains("U+0027"));
        assertTrue(Identifiers.problem("device id", "a\nb").contains("U+000A at index 1"));
        assertTrue(Identifiers.problem("device id", "").contains("empty"));
        assertTrue(Identifiers.problem("device id", "x".repeat(10_000)).contains("10000 characters"));
    }

    @Test
    void aCharacterOutsideTheBmpIsNamedAsItselfNotAsASurrogate() {
        assertEquals("sensor name contains character U+1F321 at index 2; allowed are A-Z a-z 0-9 . _ - :",
                Identifiers.problem("sensor name", "ab\uD83C\uDF21c"));
        assertEquals("device id contains character U+00E9 at index 3; allowed are A-Z a-z 0-9 . _ - :",
                Identifiers.problem("device id", "caf\u00E9"));
    }
}
