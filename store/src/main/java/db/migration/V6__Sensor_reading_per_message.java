package db.migration;

import io.gridwatch.store.Database;
import io.gridwatch.store.TimeSeriesMode;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readings become one row per message ({@code sensor_reading}, the values in a {@code jsonb} object) instead of one
 * row per metric ({@code reading}, V3).
 *
 * <p>Why: the readings sink was PostgreSQL's largest cost and the second largest of the whole sensor pipeline
 * (22–28 µs of CPU per reading, bench/README.md). A reading has 2.3 metrics on average, and every row costs a heap
 * tuple, a primary-key probe for {@code ON CONFLICT} and two index entries; one row per reading halves the rows,
 * the index entries and the table's size (measured: 300,000 readings of 100,000 sensors in batches of 1,000 took
 * 4.9 s as 690,000 metric rows and 2.0–2.3 s as readings; 100 MB against 56 MB). The key is compared in the
 * {@code "C"} collation: ids are ASCII, and the database's locale only made each comparison slower.
 *
 * <p>Old rows are moved (grouped by sensor and time), the old table dropped, and a view named {@code reading} gives
 * the per-metric shape back, so that queries written against V3's table still read the same rows. The move is one
 * transaction: about 11 s per million readings on the project's 2-core machine (1,000,000 readings as 2,000,000
 * metric rows: 11.3 s), during which writers of readings wait; the old rows need their space until it commits.
 */
public class V6__Sensor_reading_per_message extends BaseJavaMigration {

    static final V3__Time_series.SeriesTable SENSOR_READING = new V3__Time_series.SeriesTable("sensor_reading", "ts", """
            sensor_id   text COLLATE "C" NOT NULL,
            seq         bigint,
            received_at timestamptz NOT NULL DEFAULT now(),
            metrics     jsonb NOT NULL CHECK (jsonb_typeof(metrics) = 'object')
            """,
            "sensor_id, ts",
            "1 day",
            List.of("CREATE INDEX sensor_reading_ts_idx ON sensor_reading (ts DESC)"),
            "Sensor readings (传感器读数), one row per message: metrics holds metric → number as the device sent it "
                    + "(e.g. {\"water_level_cm\": 17.5, \"battery_pct\": 81}); the key (sensor_id, ts) makes redelivery "
                    + "idempotent. The view reading gives one row per metric.");

    private static final Pattern MONTH_PARTITION = Pattern.compile("reading_p(\\d{4})(\\d{2})");

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        try (Statement st = connection.createStatement()) {
            TimeSeriesMode mode = Database.modeOf(connection, "the database being migrated");
            V3__Time_series.create(st, mode, SENSOR_READING);
            if (mode == TimeSeriesMode.PARTITIONED) {
                // the months V3 and the writers prepared for the old table, so that moved rows land where they did
                for (String month : monthsOfOldTable(st)) {
                    st.execute("SELECT gw_ensure_partitions('sensor_reading', timestamptz '" + month + "', timestamptz '" + month + "')");
                }
                st.execute("SELECT gw_ensure_partitions('sensor_reading', now() - INTERVAL '1 month', now() + INTERVAL '2 months')");
            }
            st.execute("""
                    INSERT INTO sensor_reading (ts, sensor_id, seq, received_at, metrics)
                    SELECT ts, sensor_id, max(seq), max(received_at), jsonb_object_agg(metric, value)
                      FROM reading
                     GROUP BY sensor_id, ts
                    """);
            st.execute("DROP TABLE reading");
            st.execute("""
                    CREATE VIEW reading AS
                    SELECT r.ts, r.sensor_id, m.key AS metric, m.value::double precision AS value, r.seq, r.received_at
                      FROM sensor_reading r CROSS JOIN LATERAL jsonb_each(r.metrics) AS m(key, value)
                    """);
            st.execute("COMMENT ON VIEW reading IS 'Sensor readings (传感器读数), one row per metric, as the table reading "
                    + "was before schema version 6; read-only. Filter on sensor_id and ts: they reach sensor_reading''s indexes.'");
        }
    }

    /** The first day of each month the old table had a partition for, as {@code yyyy-MM-01 00:00+00}. */
    private static List<String> monthsOfOldTable(Statement st) throws SQLException {
        List<String> months = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'reading'::regclass")) {
            while (rs.next()) {
                Matcher m = MONTH_PARTITION.matcher(rs.getString(1));
                if (m.matches()) {
                    months.add(m.group(1) + "-" + m.group(2) + "-01 00:00+00");
                }
            }
        }
        return months;
    }
}
