package io.pigateway.gateway.net;

import io.pigateway.gateway.config.LimitsConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link ReadingRate} per device id, kept across that device's connections so reconnecting
 * does not refill its bucket. Bounded: past {@value #MAX_DEVICES} devices the map starts afresh
 * (only possible with {@code auth.mode = open}, where anyone may invent device ids).
 */
public final class DeviceRates {
    static final int MAX_DEVICES = 100_000;

    private final LimitsConfig limits;
    private final Map<String, ReadingRate> rates = new ConcurrentHashMap<>();

    public DeviceRates(LimitsConfig limits) {
        this.limits = limits;
    }

    /** The device's bucket, or {@code null} when readings are not rate-limited. */
    public ReadingRate of(String deviceId) {
        if (limits.maxReadingsPerSecond() == 0) {
            return null;
        }
        if (rates.size() >= MAX_DEVICES) {
            rates.clear();
        }
        return rates.computeIfAbsent(deviceId,
                id -> new ReadingRate(limits.maxReadingsPerSecond(), limits.rateBurst(), System::nanoTime));
    }
}
