package io.pigateway.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * A file that holds a secret: a password (its first line) or a private key (the whole file).
 * Secrets come only from such files, never from the command line, the environment or a
 * configuration value, where {@code ps}, {@code /proc/PID/environ} or a copied config would show them.
 *
 * <p>A secret file must not be readable or writable by group or others; reading one that is fails
 * with a message naming the file, its mode and the {@code chmod} that fixes it. The one exception is
 * a file systemd made for the service ({@code LoadCredential=}): see {@link #madeBySystemd}.
 *
 * <p>A configured value {@code credential:NAME} names the file {@code $CREDENTIALS_DIRECTORY/NAME};
 * see {@link #resolve(Settings, String)}.
 */
public final class SecretFile {
    public static final String CREDENTIAL_PREFIX = "credential:";
    public static final String CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY";

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS_READ_WRITE = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
    private static final Set<PosixFilePermission> SYSTEMD_0400 = PosixFilePermissions.fromString("r--------");
    private static final Set<PosixFilePermission> SYSTEMD_0440 = PosixFilePermissions.fromString("r--r-----");

    private final Path path;
    private final Path credentialsDirectory;

    private SecretFile(Path path, Path credentialsDirectory) {
        this.path = path;
        this.credentialsDirectory = credentialsDirectory;
    }

    /** The secret file at {@code path}, in this process's environment (its credentials directory, if any). */
    public static SecretFile at(Path path) {
        return new SecretFile(path, credentialsDirectoryFromEnvironment());
    }

    /** As {@link #at(Path)} with the credentials directory given ({@code null}: none), for tests. */
    public static SecretFile at(Path path, Path credentialsDirectory) {
        return new SecretFile(path, credentialsDirectory);
    }

    /**
     * The file the value of {@code key} names, or {@code null} if the key is absent. A value
     * {@code credential:NAME} names {@code $CREDENTIALS_DIRECTORY/NAME}, the file systemd made from
     * {@code LoadCredential=NAME:...}; it is an error if the variable is not set.
     */
    public static Path resolve(Settings s, String key) throws ConfigException {
        return resolve(s, key, credentialsDirectoryFromEnvironment());
    }

    /** As {@link #resolve(Settings, String)} with the credentials directory given ({@code null}: none). */
    public static Path resolve(Settings s, String key, Path credentialsDirectory) throws ConfigException {
        String raw = s.string(key, null);
        if (raw == null) {
            return null;
        }
        if (!raw.startsWith(CREDENTIAL_PREFIX)) {
            return Path.of(raw);
        }
        String name = raw.substring(CREDENTIAL_PREFIX.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
            throw s.invalid(key, raw, "a credential name is a plain file name, as in LoadCredential=NAME:FILE");
        }
        if (credentialsDirectory == null) {
            throw s.invalid(key, raw, CREDENTIALS_DIRECTORY + " is not set; credential:NAME works only when systemd"
                    + " starts the program with LoadCredential=" + name + ":FILE (or SetCredential=,"
                    + " LoadCredentialEncrypted=)");
        }
        return credentialsDirectory.resolve(name);
    }

    public Path path() {
        return path;
    }

    /** The first line, without its line end: a password. An empty file gives an empty string. */
    public String firstLine() throws ConfigException {
        String text = new String(bytes(), StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** The whole file: a private key or a keystore. */
    public byte[] bytes() throws ConfigException {
        check();
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path.toAbsolutePath() + ": " + describe(e), e);
        }
    }

    /** Fails unless the file exists, is a readable regular file and is private to its owner. */
    public void check() throws ConfigException {
        Path absolute = path.toAbsolutePath();
        if (!Files.exists(path)) {
            throw new ConfigException("cannot read " + absolute + ": no such file");
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("cannot read " + absolute + ": not a regular file");
        }
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return; // no POSIX modes to check (not the case on a Pi)
        }
        Set<PosixFilePermission> mode;
        String owner;
        try {
            mode = Files.getPosixFilePermissions(path);
            owner = Files.getOwner(path).getName();
        } catch (IOException e) {
            throw new ConfigException("cannot read " + absolute + ": " + describe(e), e);
        }
        boolean shared = mode.stream().anyMatch(GROUP_OR_OTHERS_READ_WRITE::contains);
        if (shared && !madeBySystemd(mode, owner, inCredentialsDirectory())) {
            throw new ConfigException(absolute + " has mode " + octal(mode) + " (" + PosixFilePermissions.toString(mode)
                    + "); must not be accessible by group or others: chmod 600 " + absolute);
        }
        if (!Files.isReadable(path)) {
            throw new ConfigException("cannot read " + absolute + ": permission denied (owner " + owner + ", mode "
                    + octal(mode) + ")");
        }
    }

    /**
     * Whether the group bits of a credential file may be ignored: systemd writes credentials 0400 and,
     * where the file system has ACLs, keeps them owned by root and grants the service user read access
     * through an ACL, whose mask then shows as group read (0440). Only such a file, owned by root and
     * directly in {@code $CREDENTIALS_DIRECTORY}, is accepted with group bits; a file the service user
     * owns must be 0600 or 0400 like any other.
     */
    static boolean madeBySystemd(Set<PosixFilePermission> mode, String owner, boolean inCredentialsDirectory) {
        return inCredentialsDirectory && "root".equals(owner) && (mode.equals(SYSTEMD_0400) || mode.equals(SYSTEMD_0440));
    }

    private boolean inCredentialsDirectory() {
        if (credentialsDirectory == null) {
            return false;
        }
        try {
            Path parent = path.toRealPath().getParent();
            return parent != null && parent.equals(credentialsDirectory.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code 0644}: the form chmod and ls -l users know. */
    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal()); // the enum runs OWNER_READ (0400) .. OTHERS_EXECUTE (0001)
        }
        return String.format("%04o", bits);
    }

    /** The operating system's reason, as a person wants it ("no such file", not a class name). */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static Path credentialsDirectoryFromEnvironment() {
        String dir = System.getenv(CREDENTIALS_DIRECTORY);
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }
}
