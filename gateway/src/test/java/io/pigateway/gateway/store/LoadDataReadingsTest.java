package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.protocol.Reading;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadDataReadingsTest {
    private static String text(ReadingBatch... batches) {
        return new String(LoadDataReadings.text(WriteSql.rowsInKeyOrder(List.of(batches))), StandardCharsets.UTF_8);
    }

    @Test
    void eachReadingIsOneTabSeparatedLineInKeyOrder() {
        Instant received = Instant.parse("2024-05-06T07:08:09.123456Z");
        ReadingBatch b = new ReadingBatch("dev-1", -7, received, List.of(
                new Reading(2, "humidity", 1_000L, 1.0E-5),
                new Reading(1, "temp", 86_399_999L, 21.5)));
        assertEquals("dev-1\t-7\t1\ttemp\t21.5\t1970-01-01 23:59:59.999\t2024-05-06 07:08:09.123\n"
                + "dev-1\t-7\t2\thumidity\t1.0E-5\t1970-01-01 00:00:01.000\t2024-05-06 07:08:09.123\n", text(b));
    }

    @Test
    void backslashTabNewlineAndNulInNamesAreEscapedAndOtherBytesAreUtf8() {
        ReadingBatch b = new ReadingBatch("d\\v", 1, Instant.EPOCH, List.of(
                new Reading(1, "a\tb\nc\u0000\u00e9", -1L, -0.0)));
        assertEquals("d\\\\v\t1\t1\ta\\tb\\nc\\0\u00e9\t-0.0\t1969-12-31 23:59:59.999\t1970-01-01 00:00:00.000\n", text(b));
    }
}
