package io.pigateway.client.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.math.BigDecimal;

/** Decimal-number keys, which {@link Settings} has no getter for; errors read like Settings' own. */
final class Decimals {
    private Decimals() {
    }

    static double in(Settings s, String key, double fallback, double min, double max) throws ConfigException {
        String raw = s.string(key, null);
        if (raw == null) {
            s.defaultUsed(key, plain(fallback));
            return fallback;
        }
        String rule = "must be a decimal number from " + plain(min) + " to " + plain(max);
        double v;
        try {
            v = Double.parseDouble(raw.replace("_", ""));
        } catch (NumberFormatException e) {
            throw s.invalid(key, raw, rule);
        }
        if (!Double.isFinite(v) || v < min || v > max) {
            throw s.invalid(key, raw, rule);
        }
        return v;
    }

    /** {@code 21.0} → {@code 21}, {@code 0.05} stays; no exponent notation in config output. */
    static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
