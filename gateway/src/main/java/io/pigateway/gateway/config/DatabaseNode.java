package io.pigateway.gateway.config;

import java.util.ArrayList;
import java.util.List;

/**
 * One database server of {@code store.host}, which names one server or, for a cluster such as MariaDB
 * Galera, several: {@code db1, db2:3307, [fd00::3]:3306}. A node without a port uses {@code store.port}.
 */
public record DatabaseNode(String host, int port) {
    public DatabaseNode {
        String problem = JdbcUrlValues.hostProblem(host);
        if (problem != null) {
            throw new IllegalArgumentException("host '" + host + "' " + problem);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, not " + port);
        }
    }

    /** The nodes of {@code hostList} in the order given; throws with the offending entry if one is invalid. */
    public static List<DatabaseNode> parse(String hostList, int defaultPort) {
        String problem = problem(hostList);
        if (problem != null) {
            throw new IllegalArgumentException("host '" + hostList + "' " + problem);
        }
        List<DatabaseNode> nodes = new ArrayList<>();
        for (String entry : hostList.split(",")) {
            String e = entry.strip();
            int colon = e.lastIndexOf(':');
            boolean hasPort = colon > 0 && (e.charAt(0) != '[' || e.charAt(colon - 1) == ']');
            nodes.add(hasPort ? new DatabaseNode(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1)))
                    : new DatabaseNode(e, defaultPort));
        }
        return List.copyOf(nodes);
    }

    /**
     * {@code null} if {@code hostList} is a comma-separated list of 1 to 16 entries, each a host as
     * {@link JdbcUrlValues#hostProblem} allows, optionally followed by {@code :port}; else why not.
     */
    public static String problem(String hostList) {
        String[] entries = hostList.split(",", -1);
        if (entries.length > 16) {
            return "names " + entries.length + " servers; at most 16";
        }
        for (int i = 0; i < entries.length; i++) {
            String e = entries[i].strip();
            int colon = e.lastIndexOf(':');
            boolean hasPort = colon > 0 && (e.charAt(0) != '[' || e.charAt(colon - 1) == ']');
            String host = hasPort ? e.substring(0, colon) : e;
            if (hasPort && !e.substring(colon + 1).matches("[0-9]{1,5}")
                    || hasPort && (Integer.parseInt(e.substring(colon + 1)) < 1 || Integer.parseInt(e.substring(colon + 1)) > 65535)) {
                return "has server " + (i + 1) + " '" + e + "' with a port outside 1..65535";
            }
            String problem = JdbcUrlValues.hostProblem(host);
            if (problem != null) {
                return entries.length == 1 ? problem : "has server " + (i + 1) + " '" + e + "' that " + problem
                        + " (separate servers with ',', give a port as host:port)";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
