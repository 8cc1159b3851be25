package io.gridwatch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.Reading;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sensor readings (传感器读数) in the time-series table {@code sensor_reading}, one row per message with its values as
 * a {@code jsonb} object, for Grafana and for replays (backtests); the view {@code reading} gives one row per metric.
 * Idempotent: a row is keyed by {@code (sensor_id, ts)} and a reading delivered or written again (a duplicate from
 * the device, a batch replayed after a crash) is ignored.
 *
 * <p>Before writing rows of a month it has not seen yet, the store asks {@link Database#ensurePartitions}
 * for that month, so that late or replayed readings of an old month land in their own partition rather
 * than in the DEFAULT one (a no-op under TimescaleDB).
 */
public final class ReadingStore {

    /** One statement per batch: arrays in, so a batch costs one round trip however many rows it has. */
    private static final String INSERT = """
            INSERT INTO sensor_reading (ts, sensor_id, seq, received_at, metrics)
            SELECT timestamptz 'epoch' + r.ts_ms * interval '1 millisecond', r.sensor_id, r.seq,
                   timestamptz 'epoch' + r.received_ms * interval '1 millisecond', r.metrics::jsonb
            FROM unnest(?::int8[], ?::text[], ?::int8[], ?::int8[], ?::text[]) AS r(ts_ms, sensor_id, seq, received_ms, metrics)
            ON CONFLICT (sensor_id, ts) DO NOTHING
            """;

    private final Database db;
    /** Months whose partitions this store has made sure of. */
    private final Set<YearMonth> prepared = ConcurrentHashMap.newKeySet();

    public ReadingStore(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Writes the readings that carry values (status readings carry none), in one transaction.
     *
     * @return how many rows (readings) were new
     */
    public int write(List<Reading> readings) {
        int n = 0;
        Set<YearMonth> months = new TreeSet<>();
        String[] metrics = new String[readings.size()];
        for (int k = 0; k < metrics.length; k++) {
            Reading r = readings.get(k);
            metrics[k] = metricsJson(r.values());
            if (metrics[k] != null) {
                n++;
                months.add(YearMonth.from(Instant.ofEpochMilli(r.ts()).atOffset(ZoneOffset.UTC)));
            }
        }
        if (n == 0) {
            return 0;
        }
        prepare(months);
        // primitive arrays go to the server in binary; Object[] arrays are written as text, number by number
        long[] ts = new long[n];
        String[] sensor = new String[n];
        Long[] seq = new Long[n];
        long[] received = new long[n];
        String[] json = new String[n];
        int i = 0;
        for (int k = 0; k < metrics.length; k++) {
            if (metrics[k] == null) {
                continue;
            }
            Reading r = readings.get(k);
            ts[i] = r.ts();
            sensor[i] = r.sensorId();
            seq[i] = r.seq();
            received[i] = r.receivedAt() > 0 ? r.receivedAt() : System.currentTimeMillis();
            json[i] = metrics[k];
            i++;
        }
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setObject(1, ts);
            ps.setObject(2, sensor);
            ps.setObject(3, seq);
            ps.setObject(4, received);
            ps.setObject(5, json);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("writing " + n + " readings failed: " + e.getMessage(), e);
        }
    }

    /**
     * The values as a JSON object, in the order received; null when there are none. What PostgreSQL cannot hold is
     * left out rather than failing the batch: a value that JSON cannot hold (NaN, ±∞) and a metric name with a NUL
     * character. Ingest dead-letters both (not_finite, bad_metric), so only a reading made elsewhere carries one.
     */
    static String metricsJson(Map<String, Double> values) {
        LinkedHashMap<String, Double> kept = new LinkedHashMap<>(values.size() * 2);
        values.forEach((metric, v) -> {
            if (v != null && Double.isFinite(v) && metric.indexOf('\u0000') < 0) {
                kept.put(metric, v);
            }
        });
        try {
            return kept.isEmpty() ? null : Json.mapper().writeValueAsString(kept);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many readings each sensor has in {@code [from, to)}, by sensor id.
     */
    public Map<String, Long> readingsPerSensor(Instant from, Instant to) {
        String sql = "SELECT sensor_id, count(*) FROM sensor_reading WHERE ts >= ? AND ts < ? GROUP BY sensor_id";
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

    /** The highest value of a metric: which sensor, when, how much. */
    public record Peak(String sensorId, Instant ts, double value) {
    }

    /** The highest value of {@code metric} in {@code [from, to)} and where, e.g. the deepest water of a day; empty when no reading carries it. */
    public Optional<Peak> peak(String metric, Instant from, Instant to) {
        String sql = """
                SELECT sensor_id, ts, (metrics->>?)::double precision AS v FROM sensor_reading
                 WHERE ts >= ? AND ts < ? AND metrics->>? IS NOT NULL
                 ORDER BY v DESC, ts LIMIT 1""";
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, metric);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            ps.setString(4, metric);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Peak(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getDouble(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("finding the highest " + metric + " failed: " + e.getMessage(), e);
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
