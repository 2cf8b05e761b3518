package io.pigateway.gateway.ingest.lineprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.ingest.lineprotocol.FieldValue.BooleanValue;
import io.pigateway.gateway.ingest.lineprotocol.FieldValue.FloatValue;
import io.pigateway.gateway.ingest.lineprotocol.FieldValue.IntegerValue;
import io.pigateway.gateway.ingest.lineprotocol.FieldValue.StringValue;
import io.pigateway.gateway.ingest.lineprotocol.FieldValue.UnsignedValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineProtocolParserTest {
    private final LineProtocolParser parser = new LineProtocolParser(200, 3, 4);

    private Point one(String line) throws LineProtocolException {
        return parser.parseLine(line, 1, Precision.NANOSECONDS);
    }

    private LineProtocolException error(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return assertThrows(LineProtocolException.class, () -> parser.parse(b, b.length, Precision.NANOSECONDS));
    }

    @Test
    void aFullLineGivesMeasurementTagsFieldsAndTime() throws Exception {
        Point p = one("weather,device=pi-attic,room=attic temp=21.5,hum=40i 1700000000000000000");
        assertEquals("weather", p.measurement());
        assertEquals(Map.of("device", "pi-attic", "room", "attic"), p.tags());
        assertEquals(List.of("device", "room"), List.copyOf(p.tags().keySet()), "tags keep their order");
        assertEquals(Map.of("temp", new FloatValue(21.5), "hum", new IntegerValue(40)), p.fields());
        assertEquals(1_700_000_000_000_000_000L, p.timeNanos());
        assertEquals(1, p.line());
    }

    @Test
    void everyTypeSuffixGivesItsType() throws Exception {
        Point p = one("m f=-1.5e3,g=7,h=-7i,u=18446744073709551615u");
        assertEquals(new FloatValue(-1500), p.fields().get("f"));
        assertEquals(new FloatValue(7), p.fields().get("g"), "a number without suffix is a float");
        assertEquals(new IntegerValue(-7), p.fields().get("h"));
        UnsignedValue u = (UnsignedValue) p.fields().get("u");
        assertEquals(-1L, u.bits());
        assertEquals(1.8446744073709552E19, u.asDouble());
        Point s = one("m s=\"text with, spaces = and \\\"quotes\\\" and \\\\ backslash\",d=.5");
        assertEquals(new StringValue("text with, spaces = and \"quotes\" and \\ backslash"), s.fields().get("s"));
        assertEquals(new FloatValue(0.5), s.fields().get("d"));
        for (String t : List.of("t", "T", "true", "True", "TRUE")) {
            assertEquals(new BooleanValue(true), one("m b=" + t).fields().get("b"), t);
        }
        for (String f : List.of("f", "F", "false", "False", "FALSE")) {
            assertEquals(new BooleanValue(false), one("m b=" + f).fields().get("b"), f);
        }
    }

    @Test
    void valuesOfNoTypeAreRefusedNamingTheFieldAndTheText() {
        for (String bad : List.of("12x", "1.2.3", "NaN", "Inf", "-", "1e", "1.5i", "-1u", "tRUE", "yes", "0x10",
                "99999999999999999999i", "18446744073709551616u", "1e999")) {
            LineProtocolException e = error("m v=" + bad);
            assertEquals(1, e.line(), bad);
            assertTrue(e.reason().startsWith("field 'v' has value '" + bad + "', which is not a float"), e.getMessage());
            assertEquals(LineProtocolException.Kind.SYNTAX, e.kind());
        }
    }

    @Test
    void escapesAreResolvedInEveryPart() throws Exception {
        Point p = one("my\\ meas\\,ure,tag\\ k\\=ey=v\\,a\\ l\\=ue f\\ i\\,e\\=ld=1 5");
        assertEquals("my meas,ure", p.measurement());
        assertEquals(Map.of("tag k=ey", "v,a l=ue"), p.tags());
        assertEquals(Map.of("f i,e=ld", new FloatValue(1)), p.fields());
        assertEquals(5, p.timeNanos());
        assertEquals("a\\b", one("a\\\\b v=1").measurement(), "two backslashes are one");
        assertEquals("a\\b", one("a\\b v=1").measurement(), "a backslash before another character stays");
        assertEquals("a=b", one("a=b v=1").measurement(), "'=' needs no escape in a measurement");
        assertEquals("°C", one("°C,entity_id=kitchen value=21.5").measurement(), "UTF-8");
    }

    @Test
    void timestampsAreOptionalAndScaledByPrecision() throws Exception {
        assertFalse(one("m v=1").hasTime());
        assertEquals(Point.NO_TIME, one("m v=1  ").timeNanos(), "trailing spaces are no timestamp");
        long[] expected = {1_700_000_000L, 1_700_000_000_000L, 1_700_000_000_000_000L, 1_700_000_000_000_000_000L};
        Precision[] ps = {Precision.NANOSECONDS, Precision.MICROSECONDS, Precision.MILLISECONDS, Precision.SECONDS};
        for (int i = 0; i < ps.length; i++) {
            assertEquals(expected[i], parser.parseLine("m v=1 1700000000", 1, ps[i]).timeNanos(), ps[i].name());
        }
        assertEquals(60_000_000_000L, parser.parseLine("m v=1 1", 1, Precision.MINUTES).timeNanos());
        assertEquals(3_600_000_000_000L, parser.parseLine("m v=1 1", 1, Precision.HOURS).timeNanos());
        assertEquals(-5, one("m v=1 -5").timeNanos());
        LineProtocolException overflow = assertThrows(LineProtocolException.class,
                () -> parser.parseLine("m v=1 1700000000000", 1, Precision.SECONDS));
        assertTrue(overflow.reason().contains("outside the range"), overflow.getMessage());
        assertTrue(error("m v=1 17e9").reason().startsWith("timestamp '17e9' is not an integer"));
        assertTrue(error("m v=1 1 2").reason().startsWith("unexpected text after the timestamp"));
    }

    @Test
    void precisionNamesOfBothApiVersions() {
        assertEquals(Precision.NANOSECONDS, Precision.of(null));
        assertEquals(Precision.NANOSECONDS, Precision.of("ns"));
        assertEquals(Precision.NANOSECONDS, Precision.of("n"));
        assertEquals(Precision.MICROSECONDS, Precision.of("u"));
        assertEquals(Precision.MICROSECONDS, Precision.of("us"));
        assertEquals(Precision.MILLISECONDS, Precision.of("ms"));
        assertEquals(Precision.SECONDS, Precision.of("s"));
        assertNull(Precision.of("fortnight"));
    }

    @Test
    void missingPartsAreNamed() {
        assertTrue(error("m").reason().startsWith("the line has no fields"));
        assertTrue(error("m,t=1").reason().startsWith("the line has no fields"));
        assertTrue(error("m ").reason().startsWith("field key is empty"));
        assertTrue(error("m,t v=1").reason().startsWith("tag 't' has no '=value'"));
        assertTrue(error("m,t= v=1").reason().startsWith("value of tag 't' is empty"));
        assertTrue(error("m,=x v=1").reason().startsWith("tag key is empty"));
        assertTrue(error("m v").reason().startsWith("field 'v' has no '=value'"));
        assertTrue(error("m v=").reason().startsWith("field 'v' has no value"));
        assertTrue(error("m v=1,").reason().startsWith("field key is empty"));
        assertTrue(error(",t=1 v=1").reason().startsWith("measurement is empty"));
        assertTrue(error("m v=\"open").reason().startsWith("string of field 'v' has no closing '\"'"));
        assertTrue(error("m,t=1,t=2 v=1").reason().startsWith("tag 't' is given twice"));
        assertTrue(error("m v=1,v=2").reason().startsWith("field 'v' is given twice"));
        assertTrue(error("m v=1x2 5").reason().contains("(column 5)"), "the column points at the value");
    }

    @Test
    void errorsNameTheOneBasedLineCountingBlankAndCommentLines() throws Exception {
        LineProtocolException e = error("m v=1\n\n# a comment\r\n  m v=2\r\nm v=oops\nm v=3\n");
        assertEquals(5, e.line());
        assertTrue(e.getMessage().startsWith("line 5: field 'v' has value 'oops'"), e.getMessage());
        byte[] good = "m v=1\n\n# comment\r\n  m v=2\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Point> points = parser.parse(good, good.length, Precision.SECONDS);
        assertEquals(2, points.size());
        assertEquals(4, points.get(1).line());
    }

    @Test
    void limitsAreCheckedBeforeThePartIsRead() throws Exception {
        assertEquals(3, one("m,a=1,b=2,c=3 v=1").tags().size());
        LineProtocolException tags = error("m v=0\nm,a=1,b=2,c=3,d=4 v=1");
        assertEquals(LineProtocolException.Kind.LIMIT, tags.kind());
        assertEquals(2, tags.line());
        assertTrue(tags.reason().startsWith("the line has more than 3 tags (ingest.line-protocol.max-tags)"));

        assertEquals(4, one("m a=1,b=2,c=3,d=4").fields().size());
        LineProtocolException fields = error("m a=1,b=2,c=3,d=4,e=5");
        assertEquals(LineProtocolException.Kind.LIMIT, fields.kind());
        assertTrue(fields.reason().startsWith("the line has more than 4 fields"));

        String longest = "m v=" + "1".repeat(196);
        assertEquals(200, longest.length());
        one(longest);
        one(longest + "\r");
        LineProtocolException length = error("m v=1\n" + longest + "1\nm v=2");
        assertEquals(LineProtocolException.Kind.LIMIT, length.kind());
        assertEquals(2, length.line());
        assertTrue(length.reason().startsWith("the line is 201 bytes long; at most 200"), length.reason());
        // The length is refused before a String of it is made: a buffer that is only the length, unparsed.
        byte[] huge = new byte[10_000_000];
        LineProtocolException h = assertThrows(LineProtocolException.class,
                () -> parser.parseLine(huge, 0, huge.length, 9, Precision.NANOSECONDS));
        assertEquals(9, h.line());
    }

    @Test
    void blankAndCommentLinesGiveNoPoint() throws Exception {
        assertNull(one(""));
        assertNull(one("   "));
        assertNull(one("# m v=1"));
        byte[] empty = new byte[0];
        assertEquals(List.of(), parser.parse(empty, 0, Precision.NANOSECONDS));
    }
}
