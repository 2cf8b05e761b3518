package io.pigateway.common.systemd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class UnixDatagramTest {

    private static byte[] family() {
        return ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) 1).array();
    }

    @Test
    void aPathAddressIsTheFamilyThenThePathThenOneNul() throws IOException {
        byte[] a = UnixDatagram.sockaddr("/run/n");
        byte[] f = family();
        assertArrayEquals(new byte[] {f[0], f[1], '/', 'r', 'u', 'n', '/', 'n', 0}, a);
    }

    @Test
    void anAbstractAddressIsTheFamilyThenANulThenTheNameWithoutPadding() throws IOException {
        byte[] a = UnixDatagram.sockaddr("@sd/x");
        byte[] f = family();
        assertArrayEquals(new byte[] {f[0], f[1], 0, 's', 'd', '/', 'x'}, a);
    }

    @Test
    void anAddressLongerThanSunPathOrNotAbsoluteIsRefusedWithTheReason() throws IOException {
        assertEquals(2 + 108, UnixDatagram.sockaddr("/" + "a".repeat(106)).length);
        IOException tooLong = assertThrows(IOException.class, () -> UnixDatagram.sockaddr("/" + "a".repeat(107)));
        assertTrue(tooLong.getMessage().contains("longer than the 107 bytes"), tooLong.getMessage());
        assertEquals(2 + 108, UnixDatagram.sockaddr("@" + "a".repeat(107)).length);
        assertThrows(IOException.class, () -> UnixDatagram.sockaddr("@" + "a".repeat(108)));
        IOException relative = assertThrows(IOException.class, () -> UnixDatagram.sockaddr("vsock:2:999"));
        assertTrue(relative.getMessage().contains("neither an absolute path nor an abstract name"), relative.getMessage());
    }
}
