package io.pigateway.client.sensor;

import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.SensorInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tinylog.Logger;

/**
 * The opened sensors of one client: the polled ones with their intervals, the event-driven ones, and
 * what to close after the last read (the Pi4J context). Every reading name is announced once, in the
 * order the sensors were added; a polled and an event sensor may share one (a GPIO input that sends
 * its edges and, every interval, its state).
 */
public final class SensorSet implements AutoCloseable {
    private final List<ScheduledSensor> polled;
    private final List<EventSensor> events;
    private final List<SensorInfo> announcements;
    private final List<AutoCloseable> resources;
    private boolean closed;

    private SensorSet(List<ScheduledSensor> polled, List<EventSensor> events, List<SensorInfo> announcements,
                      List<AutoCloseable> resources) {
        this.polled = List.copyOf(polled);
        this.events = List.copyOf(events);
        this.announcements = List.copyOf(announcements);
        this.resources = List.copyOf(resources);
    }

    /** Polled sensors only, nothing to close: test doubles and simulations. */
    public static SensorSet of(List<ScheduledSensor> polled) {
        Builder b = builder();
        polled.forEach(b::add);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<ScheduledSensor> polled() {
        return polled;
    }

    public List<EventSensor> events() {
        return events;
    }

    /** What HELLO tells the gateway: every reading name with its unit and kind, each once. */
    public List<SensorInfo> announcements() {
        return announcements;
    }

    /** Closes the resources (the Pi4J context) in reverse order; problems are logged. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                Logger.warn("closing {} failed: {}", r, e.toString());
            }
        }
    }

    /** Collects sensors in announcement order; {@link #build()} checks the reading names. */
    public static final class Builder {
        private final List<ScheduledSensor> polled = new ArrayList<>();
        private final List<EventSensor> events = new ArrayList<>();
        private final List<AutoCloseable> resources = new ArrayList<>();
        private final Map<String, SensorInfo> polledNames = new LinkedHashMap<>();
        private final Map<String, SensorInfo> eventNames = new LinkedHashMap<>();
        private final Map<String, SensorInfo> announced = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder add(ScheduledSensor s) {
            claim(s.sensor().channels(), polledNames);
            polled.add(s);
            return this;
        }

        public Builder add(EventSensor s) {
            claim(s.channels(), eventNames);
            events.add(s);
            return this;
        }

        /** Closed by {@link SensorSet#close()}, last added first. */
        public Builder onClose(AutoCloseable resource) {
            resources.add(resource);
            return this;
        }

        /** Closes what was registered so far, for a start-up that failed half way. */
        public void closeAll() {
            new SensorSet(List.of(), List.of(), List.of(), resources).close();
        }

        public SensorSet build() {
            if (polled.isEmpty() && events.isEmpty()) {
                throw new IllegalArgumentException("no sensors to sample");
            }
            return new SensorSet(polled, events, new ArrayList<>(announced.values()), resources);
        }

        private void claim(List<SensorInfo> channels, Map<String, SensorInfo> sameKind) {
            Set<String> own = new HashSet<>();
            for (SensorInfo c : channels) {
                Identifiers.require("sensor name", c.name());
                SensorInfo before = announced.get(c.name());
                if (!own.add(c.name()) || sameKind.containsKey(c.name()) || (before != null && !before.equals(c))) {
                    throw new IllegalArgumentException("two sensors are named " + c.name());
                }
            }
            for (SensorInfo c : channels) {
                sameKind.put(c.name(), c);
                announced.putIfAbsent(c.name(), c);
            }
        }
    }
}
