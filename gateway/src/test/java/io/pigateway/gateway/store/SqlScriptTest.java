package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsOnSemicolonsAndDropsCommentsAndBlankStatements() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE a (x INT); # another
                /* block; comment */ CREATE TABLE b (y INT)
                ;;
                INSERT INTO a VALUES (1)""";
        assertEquals(List.of("CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)", "INSERT INTO a VALUES (1)"),
                SqlScript.statements(script));
    }

    @Test
    void keepsSemicolonsAndCommentMarkersInsideQuotes() {
        String script = "CREATE TABLE t (c INT COMMENT 'it''s; -- not a comment') COMMENT = \"x;y\";\nSELECT `a;b` FROM t";
        assertEquals(List.of("CREATE TABLE t (c INT COMMENT 'it''s; -- not a comment') COMMENT = \"x;y\"",
                "SELECT `a;b` FROM t"), SqlScript.statements(script));
    }

    @Test
    void refusesAnUnterminatedQuote() {
        assertThrows(IllegalArgumentException.class, () -> SqlScript.statements("SELECT 'oops"));
    }
}
