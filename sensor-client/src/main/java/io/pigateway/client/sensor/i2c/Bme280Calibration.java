package io.pigateway.client.sensor.i2c;

/**
 * The trimming parameters each BME280/BMP280 carries in its NVM (datasheet BST-BME280-DS002, table 16):
 * {@code dig_T1..T3} and {@code dig_P1..P9} in registers 0x88–0x9F (little-endian, T1 and P1
 * unsigned), and on a BME280 {@code dig_H1} in 0xA1 and {@code dig_H2..H6} in 0xE1–0xE7, where H4
 * and H5 are signed 12-bit values sharing register 0xE5.
 */
public record Bme280Calibration(int t1, int t2, int t3,
                                int p1, int p2, int p3, int p4, int p5, int p6, int p7, int p8, int p9,
                                int h1, int h2, int h3, int h4, int h5, int h6) {

    /** Bytes 0x88–0x9F: temperature and pressure. */
    public static final int TP_LENGTH = 24;
    /** Bytes 0xE1–0xE7: humidity, BME280 only. */
    public static final int H_LENGTH = 7;

    /**
     * @param tp   the 24 bytes from 0x88
     * @param h1   register 0xA1 (BME280), or 0 for a BMP280
     * @param h    the 7 bytes from 0xE1 (BME280), or {@code null} for a BMP280
     */
    public static Bme280Calibration parse(byte[] tp, int h1, byte[] h) {
        if (tp.length != TP_LENGTH || (h != null && h.length != H_LENGTH)) {
            throw new IllegalArgumentException("calibration needs " + TP_LENGTH + " and " + H_LENGTH + " bytes, not "
                    + tp.length + " and " + (h == null ? 0 : h.length));
        }
        int h2 = 0;
        int h3 = 0;
        int h4 = 0;
        int h5 = 0;
        int h6 = 0;
        if (h != null) {
            h2 = s16(h, 0);
            h3 = h[2] & 0xFF;
            // 0xE4 holds H4[11:4], 0xE5 H4[3:0] in its low and H5[3:0] in its high nibble, 0xE6 H5[11:4].
            h4 = signed12((h[3] & 0xFF) << 4 | (h[4] & 0x0F));
            h5 = signed12((h[5] & 0xFF) << 4 | (h[4] & 0xFF) >> 4);
            h6 = h[6];
        }
        return new Bme280Calibration(u16(tp, 0), s16(tp, 2), s16(tp, 4),
                u16(tp, 6), s16(tp, 8), s16(tp, 10), s16(tp, 12), s16(tp, 14), s16(tp, 16), s16(tp, 18), s16(tp, 20),
                s16(tp, 22), h1 & 0xFF, h2, h3, h4, h5, h6);
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int s16(byte[] b, int i) {
        return (short) u16(b, i);
    }

    private static int signed12(int v) {
        return v << 20 >> 20;
    }
}
