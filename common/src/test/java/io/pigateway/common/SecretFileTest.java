package io.pigateway.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileTest {
    @TempDir
    Path dir;

    private Path file(String name, String mode, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void aPasswordIsTheFirstLineWithoutItsLineEnd() throws Exception {
        assertEquals("s3cret", SecretFile.at(file("a", "rw-------", "s3cret\n")).firstLine());
        assertEquals("s3cret", SecretFile.at(file("b", "rw-------", "s3cret\r\n")).firstLine());
        assertEquals("s3cret", SecretFile.at(file("c", "r--------", "s3cret")).firstLine());
        assertEquals(" two words ", SecretFile.at(file("d", "rw-------", " two words \n\nignored\n")).firstLine());
        assertEquals("", SecretFile.at(file("e", "rw-------", "")).firstLine());
    }

    @Test
    void aKeyIsTheWholeFile() throws Exception {
        String pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assertArrayEquals(pem.getBytes(StandardCharsets.US_ASCII), SecretFile.at(file("k", "rw-------", pem)).bytes());
    }

    @Test
    void aFileOthersOrTheGroupCanReadOrWriteIsRefusedNamingItsModeAndTheFix() throws Exception {
        Path f = file("pw", "rw-r--r--", "s3cret\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SecretFile.at(f).firstLine());
        assertEquals(f.toAbsolutePath() + " has mode 0644 (rw-r--r--); must not be accessible by group or others:"
                + " chmod 600 " + f.toAbsolutePath(), e.getMessage());
        for (String mode : new String[] {"rw-r-----", "rw--w----", "rw----r--", "rw-----w-", "r--r--r--"}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
            assertThrows(ConfigException.class, () -> SecretFile.at(f).check(), mode);
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        SecretFile.at(f).check();
    }

    @Test
    void aMissingFileOrADirectoryNamesThePathAndTheReason() throws Exception {
        Path missing = dir.resolve("nope");
        assertEquals("cannot read " + missing.toAbsolutePath() + ": no such file",
                assertThrows(ConfigException.class, () -> SecretFile.at(missing).firstLine()).getMessage());
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertEquals("cannot read " + sub.toAbsolutePath() + ": not a regular file",
                assertThrows(ConfigException.class, () -> SecretFile.at(sub).bytes()).getMessage());
    }

    @Test
    void aFileTheProcessMayNotReadIsRefusedWithTheOwnerAndMode() throws Exception {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root reads every file");
        Path f = file("locked", "---------", "s3cret\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SecretFile.at(f).firstLine());
        assertTrue(e.getMessage().startsWith("cannot read " + f.toAbsolutePath() + ": permission denied"), e.getMessage());
    }

    @Test
    void credentialNamesAFileInTheCredentialsDirectory() throws Exception {
        Path creds = Files.createDirectory(dir.resolve("creds"));
        Settings s = Settings.of("gw.conf", Map.of("store.password-file", "credential:db-password",
                "tls.key-file", "/etc/pi-gateway/tls/key.pem"));
        assertEquals(creds.resolve("db-password"), SecretFile.resolve(s, "store.password-file", creds));
        assertEquals(Path.of("/etc/pi-gateway/tls/key.pem"), SecretFile.resolve(s, "tls.key-file", creds));
        assertNull(SecretFile.resolve(s, "tls.keystore-file", creds));
    }

    @Test
    void credentialWithoutACredentialsDirectoryNamesTheKey() {
        Settings s = Settings.of("gw.conf", Map.of("store.password-file", "credential:db-password"));
        ConfigException e = assertThrows(ConfigException.class, () -> SecretFile.resolve(s, "store.password-file", null));
        assertEquals("gw.conf: key 'store.password-file' = 'credential:db-password' is invalid: CREDENTIALS_DIRECTORY"
                + " is not set; credential:NAME works only when systemd starts the program with"
                + " LoadCredential=db-password:FILE (or SetCredential=, LoadCredentialEncrypted=)", e.getMessage());
    }

    @Test
    void aCredentialNameMustBeAPlainFileName() {
        for (String bad : new String[] {"credential:", "credential:..", "credential:../etc/shadow", "credential:a/b"}) {
            Settings s = Settings.of("gw.conf", Map.of("k", bad));
            ConfigException e = assertThrows(ConfigException.class, () -> SecretFile.resolve(s, "k", dir), bad);
            assertTrue(e.getMessage().endsWith("is invalid: a credential name is a plain file name, as in"
                    + " LoadCredential=NAME:FILE"), e.getMessage());
        }
    }

    @Test
    void onlyARootOwned0400Or0440FileInTheCredentialsDirectoryCountsAsMadeBySystemd() {
        var r = PosixFilePermissions.fromString("r--------");
        var rr = PosixFilePermissions.fromString("r--r-----");
        assertTrue(SecretFile.madeBySystemd(r, "root", true));
        assertTrue(SecretFile.madeBySystemd(rr, "root", true));
        assertFalse(SecretFile.madeBySystemd(rr, "root", false), "outside the credentials directory");
        assertFalse(SecretFile.madeBySystemd(rr, "pi-gateway", true), "not root's");
        assertFalse(SecretFile.madeBySystemd(PosixFilePermissions.fromString("r--r--r--"), "root", true), "others read");
        assertFalse(SecretFile.madeBySystemd(PosixFilePermissions.fromString("rw-r-----"), "root", true), "writable");
    }

    @Test
    void aGroupReadableCredentialIsAcceptedOnlyWhereSystemdPutsItAndOnlyIfRootOwnsIt() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs files owned by root and by another user");
        Path creds = Files.createDirectory(dir.resolve("creds"));
        Path credential = Files.writeString(creds.resolve("db-password"), "s3cret\n");
        Files.setPosixFilePermissions(credential, PosixFilePermissions.fromString("r--r-----"));
        assertEquals("s3cret", SecretFile.at(credential, creds).firstLine());
        assertThrows(ConfigException.class, () -> SecretFile.at(credential, null).check(), "no credentials directory");
        Path elsewhere = file("copy", "r--r-----", "s3cret\n");
        assertThrows(ConfigException.class, () -> SecretFile.at(elsewhere, creds).check(), "not in the directory");
        UserPrincipal nobody = credential.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(credential, nobody);
        assertThrows(ConfigException.class, () -> SecretFile.at(credential, creds).check(), "owned by nobody");
    }

    @Test
    void modesPrintAsOctal() {
        assertEquals("0644", SecretFile.octal(PosixFilePermissions.fromString("rw-r--r--")));
        assertEquals("0600", SecretFile.octal(PosixFilePermissions.fromString("rw-------")));
        assertEquals("0751", SecretFile.octal(PosixFilePermissions.fromString("rwxr-x--x")));
        assertEquals("0000", SecretFile.octal(PosixFilePermissions.fromString("---------")));
    }
}
