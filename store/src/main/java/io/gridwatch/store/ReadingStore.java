package io.gridwatch.store;

import io.gridwatch.sensor.Reading;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sensor readings (传感器读数) in the time-series table {@code reading}, one row per metric, for Grafana and
 * for replays (backtests). Idempotent: a row is keyed by {@code (sensor_id, metric, ts)} and a reading
 * delivered or written again (a duplicate from the device, a batch replayed after a crash) is ignored.
 *
 * <p>Before writing rows of a month it has not seen yet, the store asks {@link Database#ensurePartitions}
 * for that month, so that late or replayed readings of an old month land in their own partition rather
 * than in the DEFAULT one (a no-op under TimescaleDB).
 */
public final class ReadingStore {

    /** One statement per batch: arrays in, so a batch costs one round trip however many rows it has. */
    private static final String INSERT = """
            INSERT INTO reading (ts, sensor_id, metric, value, seq, received_at)
            SELECT timestamptz 'epoch' + r.ts_ms * interval '1 millisecond', r.sensor_id, r.metric, r.value, r.seq,
                   timestamptz 'epoch' + r.received_ms * interval '1 millisecond'
            FROM unnest(?::int8[], ?::text[], ?::text[], ?::float8[], ?::int8[], ?::int8[])
                 AS r(ts_ms, sensor_id, metric, value, seq, received_ms)
            ON CONFLICT (sensor_id, metric, ts) DO NOTHING
            """;

    private final Database db;
    /** Months whose partitions this store has made sure of. */
    private final Set<YearMonth> prepared = ConcurrentHashMap.newKeySet();

    public ReadingStore(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Writes the values of {@code readings} (status readings carry none), in one transaction.
     *
     * @return how many rows were new
     */
    public int write(List<Reading> readings) {
        int n = 0;
        Set<YearMonth> months = new TreeSet<>();
        for (Reading r : readings) {
            for (Double v : r.values().values()) {
                if (v != null) {
                    n++;
                }
            }
            if (!r.values().isEmpty()) {
                months.add(YearMonth.from(Instant.ofEpochMilli(r.ts()).atOffset(ZoneOffset.UTC)));
            }
        }
        if (n == 0) {
            return 0;
        }
        prepare(months);
        // primitive arrays go to the server in binary; Object[] arrays were written as text, number by number
        long[] ts = new long[n];
        String[] sensor = new String[n];
        String[] metric = new String[n];
        double[] value = new double[n];
        Long[] seq = new Long[n];
        long[] received = new long[n];
        int i = 0;
        for (Reading r : readings) {
            for (Map.Entry<String, Double> e : r.values().entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                ts[i] = r.ts();
                sensor[i] = r.sensorId();
                metric[i] = e.getKey();
                value[i] = e.getValue();
                seq[i] = r.seq();
                received[i] = r.receivedAt() > 0 ? r.receivedAt() : System.currentTimeMillis();
                i++;
            }
        }
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setObject(1, ts);
            ps.setObject(2, sensor);
            ps.setObject(3, metric);
            ps.setObject(4, value);
            ps.setObject(5, seq);
            ps.setObject(6, received);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("writing " + n + " reading values of " + readings.size() + " readings failed: " + e.getMessage(), e);
        }
    }

    /**
     * How many readings (distinct times) each sensor has in {@code [from, to)}, by sensor id.
     */
    public Map<String, Long> readingsPerSensor(Instant from, Instant to) {
        String sql = "SELECT sensor_id, count(DISTINCT ts) FROM reading WHERE ts >= ? AND ts < ? GROUP BY sensor_id";
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, Timestamp.from(from));
            ps.setTimestamp(2, Timestamp.from(to));
            Map<String, Long> out = new TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("counting readings failed: " + e.getMessage(), e);
        }
    }

    /** Makes sure each month has its partition, once per month in this store's life. */
    private void prepare(Set<YearMonth> months) {
        List<YearMonth> missing = new ArrayList<>();
        for (YearMonth m : months) {
            if (!prepared.contains(m)) {
                missing.add(m);
            }
        }
        for (YearMonth m : missing) {
            Instant start = m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            db.ensurePartitions(start, start);
            prepared.add(m);
        }
    }
}
