package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.TestPki;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerIdentityTest {
    @Test
    void withoutAClientCertificateAnyDeviceIdIsPermitted() {
        assertTrue(PeerIdentity.NONE.permits("anything"));
    }

    @Test
    void aCertifiedClientMayUseItsCommonNameOrOneOfItsDnsNamesExactly() {
        PeerIdentity id = new PeerIdentity(true, "pi-1", List.of("pi-1.site", "barn"));
        assertTrue(id.permits("pi-1"));
        assertTrue(id.permits("barn"));
        assertFalse(id.permits("pi-2"));
        assertFalse(id.permits("PI-1"), "device ids are case-sensitive");
        assertEquals("CN=pi-1, DNS:pi-1.site, DNS:barn", id.describe());
    }

    @Test
    void aCertificateThatNamesNothingPermitsNoDevice() {
        PeerIdentity id = new PeerIdentity(true, null, List.of());
        assertFalse(id.permits("pi-1"));
        assertEquals("no CN and no DNS name", id.describe());
    }

    @Test
    void theNamesComeFromTheCertificate(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "site");
        TestPki.Issued c = pki.issue(new TestPki.Request("pi-7").dns("pi-7.example").ip("10.0.0.7").client());
        assertEquals(new PeerIdentity(true, "pi-7", List.of("pi-7.example")), PeerIdentity.of(c.certificate()));
    }
}
