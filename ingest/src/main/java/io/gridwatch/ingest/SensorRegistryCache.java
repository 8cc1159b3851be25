package io.gridwatch.ingest;

import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.store.SensorStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The sensor registry in memory, kept up to date from PostgreSQL by {@link #refresh()}: the first call
 * loads every sensor, later ones only those changed since (going back {@link #MARGIN}, because a row
 * carries the start time of the transaction that wrote it, which may commit later). Sensors are never
 * removed from the registry, so none are forgotten either. Look-ups are lock-free.
 */
public final class SensorRegistryCache implements TelemetryParser.Registry {

    /** Longer than any import transaction is expected to take. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    private final Function<Instant, List<SensorStore.StoredSensor>> changedSince;
    private final Map<String, Sensor> sensors = new ConcurrentHashMap<>();
    private volatile Instant newest = Instant.EPOCH;
    /** When the previous refresh started (this JVM's clock), or null before the first. */
    private Instant previousStart;
    private final java.time.Clock clock;

    /** @param changedSince e.g. {@code sensorStore::changedSince} */
    public SensorRegistryCache(Function<Instant, List<SensorStore.StoredSensor>> changedSince) {
        this(changedSince, java.time.Clock.systemUTC());
    }

    SensorRegistryCache(Function<Instant, List<SensorStore.StoredSensor>> changedSince, java.time.Clock clock) {
        this.changedSince = Objects.requireNonNull(changedSince, "changedSince");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Reads what changed since the last refresh.
     *
     * @return the number of sensors read (new, changed, or re-read within the margin)
     */
    public synchronized int refresh() {
        Instant start = clock.instant();
        Instant since;
        if (newest.equals(Instant.EPOCH)) {
            since = Instant.EPOCH;
        } else if (previousStart != null && newest.isBefore(previousStart.minus(MARGIN))) {
            // every transaction that stamped a row at or before `newest` had committed (it takes less than MARGIN) when
            // the previous refresh read: those rows were all seen, only later ones can be new. Without this, the rows of
            // the last import (all stamped alike) were read again every refresh, forever: 100k sensors cost each bridge
            // 100k rows every 10 s (bench/README.md).
            since = newest.plusNanos(1_000);
        } else {
            since = newest.minus(MARGIN);
        }
        List<SensorStore.StoredSensor> changed = changedSince.apply(since);
        previousStart = start;
        Instant max = newest;
        for (SensorStore.StoredSensor s : changed) {
            sensors.put(s.sensor().sensorId(), s.sensor());
            if (s.updatedAt().isAfter(max)) {
                max = s.updatedAt();
            }
        }
        newest = max;
        return changed.size();
    }

    @Override
    public Optional<Sensor> find(String sensorId) {
        return Optional.ofNullable(sensors.get(sensorId));
    }

    public int size() {
        return sensors.size();
    }
}
