package io.pigateway.protocol;

import java.util.Objects;

/**
 * A sensor as the client announces it in HELLO: its name (as used in READINGS), the unit of its
 * values, what kind of sensor it is (e.g. {@code bme280.temperature}, {@code gpio.input},
 * {@code simulated.temperature}) and whether it is simulated rather than real hardware.
 */
public record SensorInfo(String name, String unit, String kind, boolean simulated) {
    /** Longest unit the gateway stores, in characters. */
    public static final int MAX_UNIT_LENGTH = 16;
    /** Longest kind the gateway stores, in characters. */
    public static final int MAX_KIND_LENGTH = 64;

    public SensorInfo {
        Objects.requireNonNull(name, "name");
        unit = unit == null ? "" : unit;
        kind = kind == null ? "" : kind;
        Payloads.checkStringLength("sensor name", name);
        Payloads.checkStringLength("sensor unit", unit);
        Payloads.checkStringLength("sensor kind", kind);
    }

    /** {@code null} if the gateway can store this announcement, else a sentence saying why not. */
    public String problem() {
        String p = Identifiers.problem("sensor name", name);
        if (p != null) {
            return p;
        }
        if (unit.length() > MAX_UNIT_LENGTH || unit.chars().anyMatch(Character::isISOControl)) {
            return "unit of sensor " + name + " must be at most " + MAX_UNIT_LENGTH
                    + " characters without control characters, not " + unit.length() + " characters";
        }
        if (kind.length() > MAX_KIND_LENGTH || kind.chars().anyMatch(Character::isISOControl)) {
            return "kind of sensor " + name + " must be at most " + MAX_KIND_LENGTH
                    + " characters without control characters, not " + kind.length() + " characters";
        }
        return null;
    }
}
