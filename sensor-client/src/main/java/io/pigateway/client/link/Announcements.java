package io.pigateway.client.link;

import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.SensorInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sensors each HELLO announces: the configured ones, plus any sensor whose readings are still in
 * the spool although the configuration no longer has it (removed while the gateway was out of
 * reach). The gateway refuses readings of sensors the HELLO did not announce, so such readings would
 * otherwise block the spool for good; they are announced with kind {@value #UNCONFIGURED_KIND} and
 * no unit, since the spool keeps no units. Thread-safe.
 */
final class Announcements {
    static final String UNCONFIGURED_KIND = "unconfigured";

    private final List<SensorInfo> configured;
    private final Map<String, SensorInfo> unconfigured = new LinkedHashMap<>();

    Announcements(List<SensorInfo> configured) {
        this.configured = List.copyOf(configured);
    }

    /** What the next HELLO announces. */
    synchronized List<SensorInfo> forHello() {
        List<SensorInfo> all = new ArrayList<>(configured);
        all.addAll(unconfigured.values());
        return all;
    }

    /**
     * Adds a sensor met in the spool to the next HELLOs. {@code null} if added, else why it cannot be
     * announced (a name the gateway would refuse in HELLO).
     */
    synchronized String addUnconfigured(String name) {
        String problem = Identifiers.problem("sensor name", name);
        if (problem == null) {
            unconfigured.putIfAbsent(name, new SensorInfo(name, "", UNCONFIGURED_KIND, false));
        }
        return problem;
    }
}
