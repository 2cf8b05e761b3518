package io.pigateway.client.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One gateway endpoint as written in the configuration: {@code host:port}, with an IPv6 literal in
 * brackets ({@code [::1]:4711}), or {@code unix:/path} for a gateway on the same host listening on a
 * Unix domain socket ({@code listen.unix-socket}). The host is resolved at each connection attempt,
 * not here, so a DNS change is picked up without a restart.
 *
 * @param unixSocket the socket file of a {@code unix:} address (then {@code host} is {@code null} and
 *                   {@code port} 0), else {@code null}
 */
public record GatewayAddress(String host, int port, Path unixSocket) {
    /** Dot-separated labels of letters, digits, '-' and '_' (an IPv4 address is one too). */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?"
            + "(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\\.?");

    public GatewayAddress {
        if (unixSocket != null) {
            if (host != null || port != 0 || !unixSocket.isAbsolute()) {
                throw new IllegalArgumentException("a unix: address has an absolute path and no host or port");
            }
        } else if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        } else if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be from 1 to 65535, not " + port);
        }
    }

    public GatewayAddress(String host, int port) {
        this(host, port, null);
    }

    /** The gateway's Unix domain socket at {@code path}. */
    public static GatewayAddress unix(Path path) {
        return new GatewayAddress(null, 0, path);
    }

    public boolean isUnix() {
        return unixSocket != null;
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port} or {@code unix:/path}.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong
     */
    public static GatewayAddress parse(String text) {
        String s = text.trim();
        if (s.startsWith("unix:")) {
            String path = s.substring("unix:".length());
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("'" + s + "' must name the socket file by its absolute path,"
                        + " e.g. unix:/run/pi-gateway/gateway.sock");
            }
            return unix(Path.of(path));
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + s + "' must look like [ipv6]:port, e.g. [::1]:4711");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + s + "' has no port; write host:port, e.g. 10.0.0.5:4711");
            }
            if (s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + s + "' looks like an IPv6 address; put it in brackets: [::1]:4711");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("'" + s + "' has no host");
        }
        boolean v6 = s.startsWith("[");
        if (v6 ? !host.matches("[0-9A-Fa-f:.]+(%[0-9A-Za-z_.-]+)?") : !HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + s + "' has host '" + host + "', which is not "
                    + (v6 ? "an IPv6 address" : "a host name or an IPv4 address (letters, digits, '-' and '.' only)"));
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' has port '" + port + "'; a port is a number from 1 to 65535");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + s + "' has port " + p + "; a port is a number from 1 to 65535");
        }
        return new GatewayAddress(host.toLowerCase(Locale.ROOT), p);
    }

    /** The form {@link #parse} reads, for log lines and config output. */
    @Override
    public String toString() {
        if (unixSocket != null) {
            return "unix:" + unixSocket;
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
