package io.gridwatch.store;

import io.gridwatch.grid.GridLocation;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.sensor.TelemetryParser;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The sensor registry (table {@code sensor}, CONTRACTS.md §1): imported from CSV, read by ingest.
 * An import is one transaction: all rows or none. Importing a sensor again updates it in place;
 * its unit grid is derived from its position on every import.
 */
public final class SensorStore {

    /** Rows per statement: the arrays of one {@code unnest} stay well below the protocol's limits. */
    private static final int CHUNK = 5_000;

    private final DataSource dataSource;

    public SensorStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** What an import did: sensors new to the registry, changed ones, and ones already stored exactly so. */
    public record Imported(int inserted, int updated, int unchanged) {
    }

    /** A sensor as stored, with its derived unit grid (null outside every grid) and when it last changed. */
    public record StoredSensor(Sensor sensor, String gridCode, Instant updatedAt) {
    }

    /**
     * Inserts or updates {@code sensors} in one transaction.
     *
     * @param grids derives each sensor's unit grid from its position
     */
    public Imported upsert(List<Sensor> sensors, TelemetryParser.GridLookup grids) {
        int inserted = 0;
        int updated = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO sensor AS s (sensor_id, type, lon, lat, component_code, interval_s, name, grid_code)
                    SELECT * FROM unnest(?::text[], ?::text[], ?::float8[], ?::float8[], ?::text[], ?::int[], ?::text[], ?::text[])
                    ON CONFLICT (sensor_id) DO UPDATE SET type = excluded.type, lon = excluded.lon, lat = excluded.lat,
                      component_code = excluded.component_code, interval_s = excluded.interval_s, name = excluded.name,
                      grid_code = excluded.grid_code, updated_at = now()
                    WHERE (s.type, s.lon, s.lat, s.component_code, s.interval_s, s.name, s.grid_code)
                          IS DISTINCT FROM (excluded.type, excluded.lon, excluded.lat, excluded.component_code,
                                            excluded.interval_s, excluded.name, excluded.grid_code)
                    RETURNING (xmax = 0) AS inserted""")) {
                for (int from = 0; from < sensors.size(); from += CHUNK) {
                    List<Sensor> chunk = sensors.subList(from, Math.min(sensors.size(), from + CHUNK));
                    int n = chunk.size();
                    Object[] id = new Object[n], type = new Object[n], lon = new Object[n], lat = new Object[n],
                            comp = new Object[n], interval = new Object[n], name = new Object[n], grid = new Object[n];
                    for (int i = 0; i < n; i++) {
                        Sensor s = chunk.get(i);
                        id[i] = s.sensorId();
                        type[i] = s.type().id();
                        lon[i] = s.lon();
                        lat[i] = s.lat();
                        comp[i] = s.componentCode();
                        interval[i] = s.intervalS();
                        name[i] = s.name();
                        grid[i] = grids.lookup(s.lon(), s.lat()).map(GridLocation::gridCode).orElse(null);
                    }
                    ps.setArray(1, c.createArrayOf("text", id));
                    ps.setArray(2, c.createArrayOf("text", type));
                    ps.setArray(3, c.createArrayOf("float8", lon));
                    ps.setArray(4, c.createArrayOf("float8", lat));
                    ps.setArray(5, c.createArrayOf("text", comp));
                    ps.setArray(6, c.createArrayOf("int4", interval));
                    ps.setArray(7, c.createArrayOf("text", name));
                    ps.setArray(8, c.createArrayOf("text", grid));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getBoolean(1)) {
                                inserted++;
                            } else {
                                updated++;
                            }
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not import sensors, nothing was stored: " + e.getMessage(), e);
        }
        return new Imported(inserted, updated, sensors.size() - inserted - updated);
    }

    /** Every registered sensor, or those of one type, ordered by id. */
    public List<StoredSensor> list(Optional<SensorType> type) {
        return query("SELECT " + COLUMNS + " FROM sensor WHERE (?::text IS NULL OR type = ?) ORDER BY sensor_id",
                ps -> {
                    String t = type.map(SensorType::id).orElse(null);
                    ps.setString(1, t);
                    ps.setString(2, t);
                });
    }

    /**
     * Sensors inserted or changed at or after {@code since} (by the database's clock); all of them for
     * {@link Instant#EPOCH}. A reader that polls should go back a safety margin, since rows carry the start
     * time of the transaction that wrote them, which may commit later.
     */
    public List<StoredSensor> changedSince(Instant since) {
        return query("SELECT " + COLUMNS + " FROM sensor WHERE updated_at >= ? ORDER BY updated_at",
                ps -> ps.setTimestamp(1, Timestamp.from(since)));
    }

    private static final String COLUMNS = "sensor_id, type, lon, lat, component_code, interval_s, name, grid_code, updated_at";

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<StoredSensor> query(String sql, Binder binder) {
        List<StoredSensor> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredSensor(new Sensor(rs.getString(1), SensorType.of(rs.getString(2)), rs.getDouble(3),
                            rs.getDouble(4), rs.getString(5), rs.getInt(6), rs.getString(7)), rs.getString(8),
                            rs.getTimestamp(9).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not read the sensor registry: " + e.getMessage(), e);
        }
        return out;
    }
}
