package io.pigateway.gateway.config;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * The binary protocol on a Unix domain socket ({@code listen.unix-socket}): for a sensor client on
 * the same host, which then needs no network exposure; who may connect is decided by the socket
 * file's mode ({@code listen.unix-socket-mode}, e.g. {@code 0660}: the gateway's user and group).
 *
 * @param path {@code null}: no Unix socket (the default)
 */
public record UnixSocketConfig(Path path, Set<PosixFilePermission> mode) {
    public static final UnixSocketConfig NONE = new UnixSocketConfig(null, Set.of());
    /** Owner and group may connect (connecting needs write permission on the socket file). */
    public static final String DEFAULT_MODE = "0660";

    public UnixSocketConfig {
        mode = Set.copyOf(Objects.requireNonNull(mode, "mode"));
    }

    public boolean enabled() {
        return path != null;
    }

    /** {@code 0660} → rw-rw----; {@code null} with a reason if {@code octal} is not three or four octal digits without setuid/setgid/sticky. */
    public static Set<PosixFilePermission> parseMode(String octal) {
        if (!octal.matches("0?[0-7]{3}")) {
            return null;
        }
        int bits = Integer.parseInt(octal, 8);
        StringBuilder s = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((bits & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    /** {@code 0660}: for log lines. */
    public static String octal(Set<PosixFilePermission> mode) {
        String s = PosixFilePermissions.toString(mode);
        int bits = 0;
        for (int i = 0; i < 9; i++) {
            if (s.charAt(i) != '-') {
                bits |= 1 << (8 - i);
            }
        }
        return String.format("0%03o", bits);
    }
}
