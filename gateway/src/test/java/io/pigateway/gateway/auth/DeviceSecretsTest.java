package io.pigateway.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceSecretsTest {
    @TempDir
    Path dir;

    private Path file(String content) throws Exception {
        Path f = Files.writeString(dir.resolve("devices"), content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private String error(String content) throws Exception {
        Path f = file(content);
        return assertThrows(ConfigException.class, () -> DeviceSecrets.load(SecretFile.at(f))).getMessage();
    }

    @Test
    void devicesAndSecretsAreReadSkippingCommentsAndBlankLines() throws Exception {
        DeviceSecrets d = DeviceSecrets.load(SecretFile.at(file("# devices\n\npi-1   s3cret-0123456789ab\n  pi:2\tanother-secret-xyz \n")));
        assertEquals(2, d.size());
        assertArrayEquals("s3cret-0123456789ab".getBytes(StandardCharsets.US_ASCII), d.secretOf("pi-1"));
        assertArrayEquals("another-secret-xyz".getBytes(StandardCharsets.US_ASCII), d.secretOf("pi:2"));
        assertNull(d.secretOf("pi-3"));
    }

    @Test
    void everyMistakeNamesTheFileAndLineButNeverTheSecret() throws Exception {
        String where = dir.resolve("devices").toAbsolutePath() + " line 2: ";
        assertEquals(where + "expected 'device-id secret', found 1 field", error("# x\npi-1\n"));
        assertEquals(where + "the secret of device pi-1 has 5 characters; it must have 16 to 256 (e.g. openssl rand -base64 32)",
                error("# x\npi-1 short\n"));
        assertEquals(where + "device id contains character U+0027 at index 2; allowed are A-Z a-z 0-9 . _ - :",
                error("# x\npi'1 s3cret-0123456789ab\n"));
        assertEquals(where + "device pi-1 is listed twice", error("pi-1 s3cret-0123456789ab\npi-1 s3cret-0123456789cd\n"));
        assertEquals(where + "expected 'device-id secret', found 3 fields", error("#\npi-1 two words-0123456789ab\n"));
    }

    @Test
    void aDevicesFileOthersCanReadIsRefused() throws Exception {
        Path f = file("pi-1 s3cret-0123456789ab\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        String message = assertThrows(ConfigException.class, () -> DeviceSecrets.load(SecretFile.at(f))).getMessage();
        assertEquals(f.toAbsolutePath() + " has mode 0644 (rw-r--r--); must not be accessible by group or others: chmod 600 "
                + f.toAbsolutePath(), message);
    }
}
