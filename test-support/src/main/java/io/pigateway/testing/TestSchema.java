package io.pigateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A database on a test server and the account that reaches it, in the terms of the gateway's
 * {@code store.*} keys: what {@link TestDatabase#freshSchema} and {@link GaleraCluster#createDatabase}
 * hand out. The gateway's tests turn it into their store configuration.
 *
 * @param host         {@code store.host}: one server, or a cluster's {@code host:port,host:port,...}
 * @param port         {@code store.port}: the port of a host named without one
 * @param database     {@code store.database}
 * @param user         {@code store.user}
 * @param passwordFile {@code store.password-file}: the password and a trailing newline; {@code null}
 *                     for none
 */
public record TestSchema(String host, int port, String database, String user, Path passwordFile) {

    /** The password as the gateway reads it: the file without its trailing newline; empty without a file. */
    public String password() {
        try {
            return passwordFile == null ? ""
                    : Files.readString(passwordFile, StandardCharsets.UTF_8).replaceFirst("\r?\n$", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * "host:port" of the first server in {@link #host}, the one the gateway writes through until it
     * fails ({@code [v6]:port} and {@code v6} without a port as the gateway reads them).
     */
    public String firstServer() {
        String first = host.split(",")[0].strip();
        int colon = first.lastIndexOf(':');
        boolean hasPort = colon > 0 && (first.charAt(0) != '[' || first.charAt(colon - 1) == ']');
        return hasPort ? first : first + ":" + port;
    }
}
