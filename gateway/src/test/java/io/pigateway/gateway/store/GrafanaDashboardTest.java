package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pigateway.gateway.store.GrafanaDashboard.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Grafana files in {@code deploy/grafana} fit together: the dashboard's panels and variables go
 * through the provisioned data source, whose password is not in the file. (Running the queries:
 * {@code DashboardQueriesIT}.)
 */
class GrafanaDashboardTest {
    private static final Path DATASOURCE = Path.of("..", "deploy", "grafana", "provisioning", "datasources",
            "pi-gateway-mysql.yaml");
    private static final Path PROVIDER = Path.of("..", "deploy", "grafana", "provisioning", "dashboards",
            "pi-gateway.yaml");

    @Test
    void dashboardHasTheThreePanelsForGrafana10And11() throws Exception {
        GrafanaDashboard d = GrafanaDashboard.load();
        assertEquals("pi-gateway", d.root.path("uid").asText());
        int schema = d.root.path("schemaVersion").asInt();
        assertTrue(schema >= 38 && schema <= 41, "schemaVersion " + schema + " is Grafana 10/11's");
        List<String> panels = new ArrayList<>();
        for (JsonNode p : d.panels()) {
            panels.add(p.path("type").asText() + ": " + p.path("title").asText());
        }
        assertEquals(List.of("timeseries: Readings per sensor over time", "table: Latest value per device",
                "table: Devices not seen for $minutes minutes"), panels);

        List<Query> queries = d.queries();
        Query series = queries.getFirst();
        assertEquals("time_series", series.format());
        assertTrue(series.sql().contains("$__timeFilter(received_at)"), series.sql());
        assertTrue(series.sql().contains("$__timeGroupAlias(received_at, $__interval)"), series.sql());
        assertEquals("table", queries.get(1).format());
        assertEquals("table", queries.get(2).format());
        assertTrue(queries.get(2).sql().contains("INTERVAL $minutes MINUTE"), queries.get(2).sql());
    }

    @Test
    void everyPanelAndQueryVariableUsesTheDataSourceVariable() throws Exception {
        GrafanaDashboard d = GrafanaDashboard.load();
        List<JsonNode> users = new ArrayList<>(d.panels());
        d.panels().forEach(p -> p.path("targets").forEach(users::add));
        users.add(d.variable("device"));
        users.add(d.variable("sensor"));
        for (JsonNode n : users) {
            assertEquals("mysql", n.path("datasource").path("type").asText(), n.toString());
            assertEquals("${datasource}", n.path("datasource").path("uid").asText(), n.toString());
        }
        JsonNode ds = d.variable("datasource");
        assertEquals("datasource", ds.path("type").asText());
        assertEquals("mysql", ds.path("query").asText());
        assertTrue(Files.readAllLines(DATASOURCE).contains("    uid: " + ds.path("current").path("value").asText()),
                "the variable defaults to the provisioned data source's uid");
    }

    @Test
    void deviceAndSensorAreMultiValueAndSilenceDefaultsToTenMinutes() throws Exception {
        GrafanaDashboard d = GrafanaDashboard.load();
        for (String name : List.of("device", "sensor")) {
            JsonNode v = d.variable(name);
            assertEquals("query", v.path("type").asText(), name);
            assertTrue(v.path("multi").asBoolean() && v.path("includeAll").asBoolean(), name);
        }
        assertTrue(d.variable("sensor").path("query").asText().contains("IN ($device)"), "sensors of the chosen devices");
        JsonNode minutes = d.variable("minutes");
        assertEquals("10", minutes.path("current").path("value").asText());
        assertTrue(minutes.path("query").asText().matches("(\\d+,)*10(,\\d+)*"), minutes.path("query").asText());
    }

    @Test
    void provisionedDataSourceIsTheReadOnlyAccountInUtcWithThePasswordKeptOutOfTheFile() throws Exception {
        List<String> lines = Files.readAllLines(DATASOURCE).stream().map(String::strip)
                .filter(l -> !l.startsWith("#")).toList();
        for (String expected : List.of("type: mysql", "user: grafana", "database: pi", "timezone: \"+00:00\"")) {
            assertTrue(lines.contains(expected), expected);
        }
        List<String> passwords = lines.stream().filter(l -> l.startsWith("password:")).toList();
        assertEquals(1, passwords.size(), passwords.toString());
        assertTrue(passwords.getFirst().matches("password: (\\$__file\\{/[^}]+}|\\$\\{[A-Z_]+})"), passwords.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("basicAuthPassword") || l.startsWith("secureJsonFields")));

        List<String> provider = Files.readAllLines(PROVIDER).stream().map(String::strip).toList();
        assertTrue(provider.contains("type: file"));
        assertTrue(provider.stream().anyMatch(l -> l.startsWith("path: /")), "an absolute dashboards path");
    }

    @Test
    void macrosExpandAsGrafanasMySqlDataSourceExpandsThem() {
        GrafanaMacros m = new GrafanaMacros(Instant.ofEpochSecond(1494410783), Instant.ofEpochSecond(1494410983), "5m",
                Map.of("minutes", "10"), Map.of("device", List.of("a", "b'c")));
        assertEquals("SELECT UNIX_TIMESTAMP(t) DIV 300 * 300 AS \"time\" FROM x WHERE t BETWEEN"
                        + " FROM_UNIXTIME(1494410783) AND FROM_UNIXTIME(1494410983) AND d IN ('a','b''c') AND m = 10",
                m.expand("SELECT $__timeGroupAlias(t, $__interval) FROM x WHERE $__timeFilter(t)"
                        + " AND d IN ($device) AND m = ${minutes}"));
    }
}
