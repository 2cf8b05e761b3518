package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The DATETIME(3) text every time is sent as (see WriteSql.datetime for why text). */
class WriteSqlTest {
    @Test
    void datetimeIsUtcWithThreeDigitsCutNotRounded() {
        assertEquals("2024-05-06 07:08:09.123", WriteSql.datetime(Instant.parse("2024-05-06T07:08:09.123999Z")));
        assertEquals("2026-03-04 05:06:07.000", WriteSql.datetime(Instant.parse("2026-03-04T05:06:07Z")));
        assertEquals("1970-01-01 00:00:00.500", WriteSql.datetime(Instant.ofEpochMilli(500)));
    }

    @Test
    void datetimeCoversTheYearsADatetimeColumnHolds() {
        assertEquals("1000-01-01 00:00:00.000", WriteSql.datetime(Instant.parse("1000-01-01T00:00:00Z")));
        assertEquals("9999-12-31 23:59:59.999", WriteSql.datetime(Instant.parse("9999-12-31T23:59:59.999Z")));
    }
}
