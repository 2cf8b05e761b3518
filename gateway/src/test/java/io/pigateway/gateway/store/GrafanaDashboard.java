package io.pigateway.gateway.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code deploy/grafana/dashboards/pi-gateway.json}, parsed, with the SQL of its panels and variables. */
final class GrafanaDashboard {
    static final Path FILE = Path.of("..", "deploy", "grafana", "dashboards", "pi-gateway.json");

    /** One SQL query: of a panel's target ({@code format} table or time_series) or of a query variable. */
    record Query(String owner, String format, String sql) {
    }

    final JsonNode root;

    private GrafanaDashboard(JsonNode root) {
        this.root = root;
    }

    static GrafanaDashboard load() throws IOException {
        return new GrafanaDashboard(new ObjectMapper().readTree(FILE.toFile()));
    }

    /** Every panel, those inside collapsed rows included. */
    List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode p : root.path("panels")) {
            panels.add(p);
            p.path("panels").forEach(panels::add);
        }
        return panels;
    }

    JsonNode variable(String name) {
        for (JsonNode v : root.path("templating").path("list")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("the dashboard has no variable " + name);
    }

    /** Panel queries, owned by the panel's title, then query-variable queries, owned by "$name". */
    List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query(panel.path("title").asText(), target.path("format").asText(),
                        target.path("rawSql").asText()));
            }
        }
        for (JsonNode v : root.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                JsonNode q = v.path("query");
                // Grafana keeps a SQL variable's query as a string, or as an object in newer editors.
                String sql = q.isTextual() ? q.asText() : q.path("rawSql").asText(q.path("query").asText());
                queries.add(new Query("$" + v.path("name").asText(), "table", sql));
            }
        }
        return queries;
    }
}
