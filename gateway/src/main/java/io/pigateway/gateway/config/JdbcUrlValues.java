package io.pigateway.gateway.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for configuration values that end up inside a JDBC URL, so that a value (from the file or
 * an environment variable) cannot add URL parameters of its own: {@code ;INIT=RUNSCRIPT FROM '...'} in
 * an H2 path runs SQL and Java, {@code ?allowLoadLocalInfile=true} in a MySQL host or database name lets
 * the server read the gateway's files. Each method returns {@code null} if the value is safe, else a
 * sentence saying why not.
 */
public final class JdbcUrlValues {
    /** A host name, an IPv4 address, or an IPv6 address in brackets: nothing the URL parser reads as syntax. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");
    /** MySQL schema names the gateway accepts: unquoted identifier characters, plus '-'. */
    private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_$-]{1,64}");
    private static final Pattern OPTION_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9.]*");
    /**
     * Connector/J properties that load classes, read local files for the server, deserialize objects
     * from it, send the password where it should not go, or replace the credentials: none has a place
     * in a gateway's options, and each turns write access to the configuration into more than that.
     */
    static final Set<String> REFUSED_OPTIONS = Set.of(
            "allowloadlocalinfile", "allowloadlocalinfileinpath", "allowurlinlocalinfile", "autodeserialize",
            "queryinterceptors", "statementinterceptors", "exceptioninterceptors", "connectionlifecycleinterceptors",
            "socketfactory", "propertiestransform", "clientinfoprovider", "authenticationplugins",
            "defaultauthenticationplugin", "loadbalanceexceptionchecker", "ha.loadbalancestrategy",
            "allowpublickeyretrieval", "user", "password", "password1", "password2", "password3");

    private JdbcUrlValues() {
    }

    /** An H2 file path: H2 reads everything after a {@code ;} as settings, some of which run code. */
    public static String embeddedPathProblem(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ';' || Character.isISOControl(c)) {
                return String.format("contains %s at index %d; the H2 URL would read what follows as settings"
                        + " (such as INIT, which runs SQL)", c == ';' ? "';'" : String.format("U+%04X", (int) c), i);
            }
        }
        return null;
    }

    public static String hostProblem(String host) {
        return HOST.matcher(host).matches() ? null
                : "must be a host name (A-Z a-z 0-9 . _ -), an IPv4 address or an IPv6 address in brackets;"
                        + " anything else would change the JDBC URL";
    }

    public static String databaseProblem(String database) {
        return DATABASE.matcher(database).matches() ? null
                : "must be 1 to 64 of A-Z a-z 0-9 _ $ -; anything else would change the JDBC URL";
    }

    /**
     * {@code k=v&k=v} Connector/J parameters (a leading {@code ?} or {@code &} is tolerated): each key a
     * plain property name and not one of {@link #REFUSED_OPTIONS}, each value free of {@code #}, {@code ?} and spaces.
     */
    public static String jdbcOptionsProblem(String options) {
        String rest = options.strip();
        while (rest.startsWith("?") || rest.startsWith("&")) {
            rest = rest.substring(1);
        }
        if (rest.isEmpty()) {
            return null;
        }
        for (String pair : rest.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return "'" + pair + "' is not key=value; write k=v&k=v";
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (!OPTION_KEY.matcher(key).matches()) {
                return "option name '" + key + "' is not a Connector/J property name (letters, digits and dots)";
            }
            if (REFUSED_OPTIONS.contains(key.toLowerCase(Locale.ROOT))) {
                return "option '" + key + "' is refused: it can load classes, read local files, deserialize data"
                        + " from the server or change the credentials";
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '#' || c == '?' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                    return String.format("value of option '%s' contains %s; values must not hold # ? or spaces",
                            key, Character.isISOControl(c) || Character.isWhitespace(c)
                                    ? String.format("U+%04X", (int) c) : "'" + c + "'");
                }
            }
        }
        return null;
    }
}
