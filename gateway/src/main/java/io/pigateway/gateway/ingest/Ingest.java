package io.pigateway.gateway.ingest;

import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.net.DeviceRates;
import io.pigateway.gateway.net.ReadingValidator;
import io.pigateway.gateway.net.ReadingRate;
import io.pigateway.gateway.store.DuplicateMismatchException;
import io.pigateway.gateway.store.ReadingBatch;
import io.pigateway.gateway.store.SensorLimitException;
import io.pigateway.gateway.store.SessionStart;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import io.pigateway.gateway.store.StoreRefusedException;
import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tinylog.Logger;

/**
 * The one way readings from inputs other than the binary protocol (line protocol over HTTP, TCP and
 * UDP, MQTT, JSON) reach the store: the same device secrets, the same per-device rate buckets, the
 * same sensor limits, the same writers and the same unique key as the binary protocol. {@link #store}
 * returns only after every reading of the request is committed, so an input may answer "stored"
 * (HTTP 204, MQTT PUBACK) exactly when it returns; any failure is an {@link IngestRefusal} saying what
 * to answer instead. Thread-safe: inputs call it from their own threads.
 */
public final class Ingest {
    /** Devices whose recorded sensors are remembered; past it the memory starts afresh (only with auth open). */
    private static final int MAX_DEVICES = 100_000;

    private final Store store;
    private final Authenticator authenticator;
    private final FailurePenalty penalty;
    private final DeviceRates rates;
    private final LimitsConfig limits;
    private final Metrics metrics;
    private final Duration commitTimeout;
    private final Clock clock;
    private final IngestKeys keys = new IngestKeys();
    /** The sensors this gateway run has recorded in {@code sensors}, per device. */
    private final Map<String, Set<String>> recorded = new ConcurrentHashMap<>();

    /**
     * @param commitTimeout how long a request may wait for its commit before it is answered "unavailable"
     *                      (the readings may still be committed; a timed retry then finds them stored)
     */
    public Ingest(Store store, Authenticator authenticator, FailurePenalty penalty, DeviceRates rates, LimitsConfig limits,
                  Metrics metrics, Duration commitTimeout, Clock clock) {
        this.store = store;
        this.authenticator = authenticator;
        this.penalty = penalty;
        this.rates = rates;
        this.limits = limits;
        this.metrics = metrics;
        this.commitTimeout = commitTimeout;
        this.clock = clock;
    }

    /** The metrics every input counts into, as the binary protocol does. */
    public Metrics metrics() {
        return metrics;
    }

    /** Whether {@code auth.mode = open}: any device id is taken at its word and no password is needed. */
    public boolean open() {
        return authenticator.config().mode() == AuthConfig.Mode.OPEN;
    }

    /**
     * Checks that {@code password} is the secret of {@code deviceId} in the devices file (constant time).
     * A device id that keeps failing from {@code from}'s source waits before its answer, whichever it is,
     * with the penalty a failed HELLO gets ({@link FailurePenalty}, shared with the binary protocol).
     *
     * @throws IngestRefusal UNAUTHORIZED, with the operator's reason as message; an input answers the
     *                       sender with a fixed text that does not say whether the device exists
     */
    public void authenticate(String deviceId, String password, InetAddress from) throws IngestRefusal, InterruptedException {
        String idProblem = deviceId == null ? "no device id" : Identifiers.problem("device id", deviceId);
        if (idProblem != null) {
            throw new IngestRefusal(IngestRefusal.Reason.UNAUTHORIZED, idProblem);
        }
        String refused = penalty.settle(limits.handshakeLimits().sourceOf(from), deviceId,
                authenticator.passwordProblem(deviceId, password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8)));
        if (refused != null) {
            throw new IngestRefusal(IngestRefusal.Reason.UNAUTHORIZED, refused);
        }
    }

    /**
     * Checks only that {@code deviceId} is in the devices file (a no-op when open): for an input whose
     * senders another party authenticated (MQTT: the broker, docs/INGEST.md (MQTT)).
     *
     * @throws IngestRefusal UNAUTHORIZED
     */
    public void requireKnownDevice(String deviceId) throws IngestRefusal {
        String problem = deviceId == null ? "no device id" : authenticator.unknownDeviceProblem(deviceId);
        if (problem != null) {
            throw new IngestRefusal(IngestRefusal.Reason.UNAUTHORIZED, problem);
        }
    }

    /**
     * Counts readings an input refused before {@link #store} (a payload it could not parse, an unknown
     * device) in the same metric, so that every reading received has an outcome.
     */
    public void countRefused(String input, IngestRefusal refusal, int readings) {
        metrics.ingested(input, refusal.reason().name().toLowerCase(Locale.ROOT), readings);
    }

    /**
     * Stores {@code samples} of one device and returns after they are committed.
     *
     * @param input  the input's name for metrics and logs ("http-line-protocol", "mqtt", ...)
     * @param peer   where they came from, as recorded in {@code connections.peer_address}
     * @param kind   recorded as the kind of sensors first seen here (e.g. "influx.field", "mqtt")
     * @throws IngestRefusal nothing stored unless {@link IngestRefusal#partlyStored()}
     */
    public void store(String input, String deviceId, String peer, String kind, List<Sample> samples)
            throws IngestRefusal, InterruptedException {
        try {
            int stored = commit(deviceId, peer, kind, samples);
            metrics.ingested(input, "stored", stored);
        } catch (IngestRefusal r) {
            metrics.ingested(input, r.reason().name().toLowerCase(Locale.ROOT), samples.size());
            throw r;
        }
    }

    private int commit(String deviceId, String peer, String kind, List<Sample> samples)
            throws IngestRefusal, InterruptedException {
        String idProblem = Identifiers.problem("device id", deviceId);
        if (idProblem != null) {
            throw new IngestRefusal(IngestRefusal.Reason.INVALID, idProblem);
        }
        if (samples.isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        Map<Long, TreeMap<Long, Reading>> byStream = readingsByStream(samples, now);
        int count = byStream.values().stream().mapToInt(Map::size).sum();
        takeRate(deviceId, count);
        recordNewSensors(deviceId, peer, kind, samples, now);
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (Map.Entry<Long, TreeMap<Long, Reading>> e : byStream.entrySet()) {
            ReadingBatch batch = new ReadingBatch(deviceId, e.getKey(), now, List.copyOf(e.getValue().values()));
            try {
                commits.add(store.submit(batch, limits.queueWait()));
            } catch (StoreException se) {
                throw unavailable(se.getMessage(), !commits.isEmpty(), se);
            }
        }
        long deadline = System.nanoTime() + commitTimeout.toNanos();
        IngestRefusal first = null;
        int failed = 0;
        for (CompletableFuture<Void> f : commits) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException ee) {
                failed++;
                if (first == null) {
                    first = refusalFor(ee.getCause());
                }
            } catch (TimeoutException te) {
                failed++;
                if (first == null) {
                    first = unavailable("not committed within " + commitTimeout.toMillis()
                            + " ms (the readings may still be committed)", true, null);
                }
            }
        }
        if (first != null) {
            boolean partly = failed < commits.size() || first.partlyStored();
            throw new IngestRefusal(first.reason(), first.getMessage(), first.retryAfterSeconds(), partly,
                    first.getCause());
        }
        return count;
    }

    /**
     * Takes {@code count} tokens from the device's bucket, at most a burst at a time, waiting as the
     * binary protocol's reads do while that fits in the commit timeout; beyond it the request is refused
     * with the time after which the rest would fit.
     */
    private void takeRate(String deviceId, int count) throws IngestRefusal, InterruptedException {
        ReadingRate rate = rates.of(deviceId);
        if (rate == null) {
            return;
        }
        long deadline = System.nanoTime() + commitTimeout.toNanos();
        int left = count;
        while (left > 0) {
            int chunk = (int) Math.min(left, limits.rateBurst());
            long waitMillis = rate.take(chunk);
            if (waitMillis == 0) {
                left -= chunk;
            } else if (System.nanoTime() + waitMillis * 1_000_000L > deadline) {
                long retryAfter = Math.max(1, (left + limits.maxReadingsPerSecond() - 1L) / limits.maxReadingsPerSecond());
                throw new IngestRefusal(IngestRefusal.Reason.RATE_LIMITED, "device " + deviceId + " sent " + count
                        + " readings, over its rate of " + limits.maxReadingsPerSecond()
                        + " a second (limits.max-readings-per-second); " + left + " did not fit within "
                        + commitTimeout.toMillis() + " ms", retryAfter, false, null);
            } else {
                Thread.sleep(waitMillis);
            }
        }
    }

    /** Gives every sample its key; one value per key (a repeated line is kept once, a contradiction refused). */
    private Map<Long, TreeMap<Long, Reading>> readingsByStream(List<Sample> samples, Instant now) throws IngestRefusal {
        Map<Long, TreeMap<Long, Reading>> byStream = new HashMap<>();
        for (Sample s : samples) {
            String problem = problem(s);
            if (problem != null) {
                throw new IngestRefusal(IngestRefusal.Reason.INVALID, problem);
            }
            long stream = keys.streamOf(s);
            long seq = keys.seqOf(s);
            long millis = s.hasTime() ? Math.floorDiv(s.timeNanos(), 1_000_000L) : now.toEpochMilli();
            Reading reading = new Reading(seq, s.sensor(), millis, s.value());
            Reading before = byStream.computeIfAbsent(stream, k -> new TreeMap<>()).putIfAbsent(seq, reading);
            if (before != null && !before.equals(reading)) {
                throw new IngestRefusal(IngestRefusal.Reason.INVALID, "sensor " + s.sensor() + " has two values ("
                        + before.value() + " and " + s.value() + ") for one key" + (s.hasKey() ? " (stream "
                        + stream + ", seq " + seq + ")" : " (time " + s.timeNanos() + " ns)"));
            }
        }
        return byStream;
    }

    private static String problem(Sample s) {
        String p = Identifiers.problem("sensor name", s.sensor());
        if (p != null) {
            return p;
        }
        if (!Double.isFinite(s.value())) {
            return "sensor " + s.sensor() + " has value " + s.value() + "; only finite numbers are stored";
        }
        if (s.hasKey() && s.seq() < 1) {
            return "sensor " + s.sensor() + " has seq " + s.seq() + "; seq starts at 1";
        }
        if (s.hasTime() && (s.timeNanos() < 1 || s.timeNanos() / 1_000_000L > ReadingValidator.MAX_TIMESTAMP_MILLIS)) {
            return "sensor " + s.sensor() + " has time " + s.timeNanos()
                    + " ns; allowed are after 1970-01-01T00:00:00Z up to the year 9999";
        }
        if (s.unit().length() > SensorInfo.MAX_UNIT_LENGTH) {
            return "unit of sensor " + s.sensor() + " has " + s.unit().length() + " characters; at most "
                    + SensorInfo.MAX_UNIT_LENGTH;
        }
        return null;
    }


    /**
     * Records sensors this run has not recorded yet in {@code sensors} (one {@code connections} row each
     * time), so that every stored reading has a known sensor, as with the binary protocol's HELLO.
     */
    private void recordNewSensors(String deviceId, String peer, String kind, List<Sample> samples, Instant now)
            throws IngestRefusal, InterruptedException {
        if (recorded.size() >= MAX_DEVICES) {
            recorded.clear();
        }
        Set<String> known = recorded.computeIfAbsent(deviceId, d -> ConcurrentHashMap.newKeySet());
        Map<String, SensorInfo> fresh = new HashMap<>();
        for (Sample s : samples) {
            if (!known.contains(s.sensor())) {
                fresh.putIfAbsent(s.sensor(), new SensorInfo(s.sensor(), s.unit(), kind, false));
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<SensorInfo> infos = new ArrayList<>(fresh.values());
        infos.sort(Comparator.comparing(SensorInfo::name));
        SessionStart session = new SessionStart(deviceId, 0, peer, now, now.toEpochMilli(), 0, infos);
        try {
            store.recordSession(session, limits.maxSensorsPerDevice())
                    .get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw refusalFor(e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("recording the sensors of device " + deviceId + " took over "
                    + commitTimeout.toMillis() + " ms", false, null);
        }
        known.addAll(fresh.keySet());
    }

    private static IngestRefusal refusalFor(Throwable cause) {
        if (cause instanceof DuplicateMismatchException e) {
            return new IngestRefusal(IngestRefusal.Reason.CONFLICT, e.getMessage(), 0, false, e);
        }
        if (cause instanceof SensorLimitException e) {
            return new IngestRefusal(IngestRefusal.Reason.INVALID, e.getMessage(), 0, false, e);
        }
        if (cause instanceof StoreRefusedException e) {
            return new IngestRefusal(IngestRefusal.Reason.INVALID, e.getMessage(), 0, false, e);
        }
        return unavailable(String.valueOf(cause.getMessage()), false, cause);
    }

    private static IngestRefusal unavailable(String why, boolean partly, Throwable cause) {
        Logger.debug("ingest refused as unavailable: {}", why);
        return new IngestRefusal(IngestRefusal.Reason.UNAVAILABLE, why, 5, partly, cause);
    }

    /** For tests: which sensors of {@code deviceId} this run has recorded. */
    Set<String> recordedSensors(String deviceId) {
        return new HashSet<>(recorded.getOrDefault(deviceId, Set.of()));
    }
}
