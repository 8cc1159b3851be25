package io.gridwatch.ingest;

import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.store.SensorStore;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sensor registry in memory, kept up to date from PostgreSQL by {@link #refresh()}: the first call
 * loads every sensor, later ones only the rows written by transactions the previous one had not seen
 * ({@link SensorStore#changesFrom}), so a refresh after nothing changed reads nothing, however large the
 * registry. Sensors are never removed from the registry, so none are forgotten either. Look-ups are lock-free.
 */
public final class SensorRegistryCache implements TelemetryParser.Registry {

    private final SensorStore.ChangeFeed feed;
    private final Map<String, Sensor> sensors = new ConcurrentHashMap<>();
    /** The transaction id to read from next; 0 reads everything. */
    private long from;

    /** @param feed e.g. {@code sensorStore::changesFrom} */
    public SensorRegistryCache(SensorStore.ChangeFeed feed) {
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    /**
     * Reads what changed since the last refresh.
     *
     * @return the number of sensors read (new or changed; a few may be read again, see {@link SensorStore#changesFrom})
     */
    public synchronized int refresh() {
        SensorStore.Changes changes = feed.changesFrom(from);
        for (SensorStore.StoredSensor s : changes.sensors()) {
            sensors.put(s.sensor().sensorId(), s.sensor());
        }
        from = changes.nextFrom();
        return changes.sensors().size();
    }

    @Override
    public Optional<Sensor> find(String sensorId) {
        return Optional.ofNullable(sensors.get(sensorId));
    }

    public int size() {
        return sensors.size();
    }
}
