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

    /** A sensor as stored, with its derived unit grid (null outside every grid) and when it last changed. */
    public record StoredSensor(Sensor sensor, String gridCode, Instant updatedAt) {
    }

    /**
     * Inserts or updates {@code sensors} in one transaction.
     *
     * @param grids derives each sensor's unit grid from its position
     */
    public RegistryImport upsert(List<Sensor> sensors, TelemetryParser.GridLookup grids) {
        int inserted = 0;
        int updated = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO sensor AS s (sensor_id, type, lon, lat, component_code, interval_s, name, grid_code)
                    SELECT * FROM unnest(?::text[], ?::text[], ?::float8[], ?::float8[], ?::text[], ?::int[], ?::text[], ?::text[])
                    ON CONFLICT (sensor_id) DO UPDATE SET type = excluded.type, lon = excluded.lon, lat = excluded.lat,
                      component_code = excluded.component_code, interval_s = excluded.interval_s, name = excluded.name,
                      grid_code = excluded.grid_code, updated_at = now(), change_xid = pg_current_xact_id()
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
        return new RegistryImport(inserted, updated, sensors.size() - inserted - updated);
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
     * What {@link #changesFrom} read.
     *
     * @param sensors  the rows written by transactions from the asked-for one on (new, changed, or a few read again)
     * @param nextFrom the transaction to ask from next time: every transaction before it had ended when these rows
     *                 were read, so a row not among them and written later carries this id or a newer one
     */
    public record Changes(List<StoredSensor> sensors, long nextFrom) {
    }

    /** Where a reader of the registry gets its changes, e.g. {@code sensorStore::changesFrom}. */
    @FunctionalInterface
    public interface ChangeFeed {
        Changes changesFrom(long fromXid);
    }

    /**
     * The sensors written (inserted or changed) by transaction {@code fromXid} or later; every sensor for 0. Poll with
     * the previous answer's {@link Changes#nextFrom()}: each row is then read once after its transaction commits, plus
     * again only while an older transaction of the cluster was still running at the previous read (the snapshot's
     * xmin holds back). One REPEATABLE READ transaction, so that the rows and the xmin come from one snapshot.
     */
    public Changes changesFrom(long fromXid) {
        if (fromXid < 0) {
            throw new IllegalArgumentException("a transaction id is not negative: " + fromXid);
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                long next;
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    next = Long.parseLong(rs.getString(1));
                }
                List<StoredSensor> rows = query(c, "SELECT " + COLUMNS + " FROM sensor WHERE change_xid >= ?::text::xid8 ORDER BY change_xid",
                        ps -> ps.setString(1, Long.toString(fromXid)));
                c.commit();
                return new Changes(rows, Math.max(next, fromXid));
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
                c.setTransactionIsolation(isolation);
            }
        } catch (SQLException e) {
            throw new StoreException("could not read the sensor registry: " + e.getMessage(), e);
        }
    }

    private static final String COLUMNS = "sensor_id, type, lon, lat, component_code, interval_s, name, grid_code, updated_at";

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<StoredSensor> query(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql, binder);
        } catch (SQLException e) {
            throw new StoreException("could not read the sensor registry: " + e.getMessage(), e);
        }
    }

    private static List<StoredSensor> query(Connection c, String sql, Binder binder) throws SQLException {
        List<StoredSensor> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredSensor(new Sensor(rs.getString(1), SensorType.of(rs.getString(2)), rs.getDouble(3),
                            rs.getDouble(4), rs.getString(5), rs.getInt(6), rs.getString(7)), rs.getString(8),
                            rs.getTimestamp(9).toInstant()));
                }
            }
        }
        return out;
    }
}
