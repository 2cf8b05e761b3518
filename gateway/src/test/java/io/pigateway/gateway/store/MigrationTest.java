package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationTest {
    @Test
    void shippedMigrationsAreNumberedFromOneWithoutGaps() {
        List<Migration> all = Migration.all();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).version());
            assertTrue(!all.get(i).statements().isEmpty(), all.get(i).fileName() + " has statements");
        }
        assertEquals("initial schema", all.getFirst().description());
    }

    @Test
    void indexListsExactlyTheNumberedSqlFilesInDeploySql() throws IOException {
        // Surefire runs in the module directory; deploy/ is beside it. users.sql there is no migration.
        try (Stream<Path> files = Files.list(Path.of("..", "deploy", "sql"))) {
            List<String> onDisk = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d{3}_.*\\.sql")).sorted().toList();
            assertEquals(onDisk, Migration.all().stream().map(Migration::fileName).toList());
        }
    }

    @Test
    void initialSchemaCreatesTheFourTables() {
        List<String> statements = Migration.all().getFirst().statements();
        for (String table : List.of("schema_version", "devices", "connections", "readings")) {
            assertTrue(statements.stream().anyMatch(s -> s.startsWith("CREATE TABLE " + table + " ")), table);
        }
    }
}
