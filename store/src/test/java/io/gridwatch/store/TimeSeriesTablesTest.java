package io.gridwatch.store;

import io.gridwatch.testkit.TestServices;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The time-series tables on this machine's plain PostgreSQL, i.e. in partitioned mode. */
class TimeSeriesTablesTest {

    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");
    private static final Instant FAR_PAST = Instant.parse("2001-03-15T08:03:00Z");

    private static Database db;

    @BeforeAll
    static void migrate() {
        db = Database.open(TestServices.shared().newDatabase("gw_store_series"), TestServices.shared().postgresUser());
        db.migrate();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void modeIsPartitionedWithoutTimescale() {
        assertThat(db.mode()).isEqualTo(TimeSeriesMode.PARTITIONED);
    }

    @Test
    void migrationPreparesLastMonthToTwoMonthsAheadPlusDefault() throws SQLException {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        for (String table : Database.TIME_SERIES_TABLES) {
            List<String> expected = new ArrayList<>();
            for (int m = -1; m <= 2; m++) {
                expected.add(table + "_p" + now.plusMonths(m).format(MONTH));
            }
            expected.add(table + "_default");
            assertThat(partitionsOf(table)).as(table).containsAll(expected);
        }
    }

    @Test
    void readingsOfManyMonthsAggregateWithDateBinAcrossPartitions() throws SQLException {
        Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);
        Instant lastMonth = base.atOffset(ZoneOffset.UTC).minusMonths(1).toInstant();
        Instant nextMonth = base.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO sensor_reading (ts, sensor_id, metrics, seq) VALUES (?, 'wl-agg', jsonb_build_object('water_level_cm', ?), ?)")) {
            Object[][] rows = {
                    {base, 1.0}, {base.plusSeconds(60), 2.0}, {base.plusSeconds(120), 3.0}, {base.plusSeconds(299), 4.0},
                    {base.plusSeconds(300), 10.0}, {base.plusSeconds(360), 20.0},
                    {lastMonth, 5.0}, {nextMonth, 6.0}, {FAR_PAST, 7.0}};
            long seq = 0;
            for (Object[] row : rows) {
                ps.setObject(1, utc((Instant) row[0]));
                ps.setDouble(2, (Double) row[1]);
                ps.setLong(3, seq++);
                ps.addBatch();
            }
            ps.executeBatch();
        }

        List<String> buckets = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT date_bin('5 minutes', ts, timestamptz '2000-01-01') AS bucket, count(*),
                            avg((metrics->>'water_level_cm')::double precision)
                       FROM sensor_reading WHERE sensor_id = 'wl-agg'
                      GROUP BY bucket ORDER BY bucket""")) {
            while (rs.next()) {
                buckets.add(rs.getObject(1, OffsetDateTime.class).toInstant() + " " + rs.getInt(2) + " " + rs.getDouble(3));
            }
        }
        assertThat(buckets).containsExactly(
                Instant.parse("2001-03-15T08:00:00Z") + " 1 7.0",
                lastMonth + " 1 5.0",
                base + " 4 2.5",
                base.plusSeconds(300) + " 2 15.0",
                nextMonth + " 1 6.0");

        assertThat(partitionHolding("sensor_reading", "sensor_id = 'wl-agg' AND ts = '" + FAR_PAST + "'"))
                .isEqualTo("sensor_reading_default");
        assertThat(partitionHolding("sensor_reading", "sensor_id = 'wl-agg' AND ts = '" + base + "'"))
                .isEqualTo("sensor_reading_p" + base.atOffset(ZoneOffset.UTC).format(MONTH));
    }

    @Test
    void ensuringAPastMonthMovesItsRowsOutOfDefault() throws SQLException {
        Instant past = Instant.parse("1999-06-30T23:59:59Z");
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO sensor_reading (ts, sensor_id, metrics) VALUES (?, 'wl-move', '{\"water_level_cm\": 1}')")) {
            ps.setObject(1, utc(past));
            ps.executeUpdate();
        }
        assertThat(partitionHolding("sensor_reading", "sensor_id = 'wl-move'")).isEqualTo("sensor_reading_default");

        // 1999-06 and 1999-07 for each of the three tables
        assertThat(db.ensurePartitions(past, Instant.parse("1999-07-01T00:00:00Z"))).isEqualTo(6);

        assertThat(partitionHolding("sensor_reading", "sensor_id = 'wl-move'")).isEqualTo("sensor_reading_p199906");
        assertThat(partitionsOf("alert")).contains("alert_p199906", "alert_p199907");
        assertThat(db.ensurePartitions(past, past)).isZero();
    }

    @Test
    void readingKeyRejectsDuplicatesAndOnConflictIsIdempotent() throws SQLException {
        Instant ts = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        String insert = "INSERT INTO sensor_reading (ts, sensor_id, metrics) "
                + "VALUES (timestamptz '" + ts + "', 'wl-dup', '{\"water_level_cm\": 12.5}')";
        String upsert = insert + " ON CONFLICT (sensor_id, ts) DO NOTHING";
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            assertThat(st.executeUpdate(insert)).isEqualTo(1);
            assertThatThrownBy(() -> st.executeUpdate(insert))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"))
                    .hasMessageContaining("sensor_reading_");
            assertThat(st.executeUpdate(upsert)).isZero();
            assertThat(st.executeUpdate(upsert)).isZero();
            assertThatThrownBy(() -> st.executeUpdate("INSERT INTO sensor_reading (ts, sensor_id, metrics) "
                    + "VALUES (now(), 'wl-dup', '[12.5]')")).isInstanceOf(SQLException.class).hasMessageContaining("metrics");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sensor_reading WHERE sensor_id = 'wl-dup'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void detectionAndAlertKeysIncludeTheirTimeAndRejectDuplicates() throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            String detection = "INSERT INTO detection (ts, detection_id, source_type, source_id, category_kind, category_code, score, payload) "
                    + "VALUES (timestamptz '" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "', 'det-1', 'camera', 'cam-zs-0001', 'event', '0102', 0.8, '{}')";
            String alert = "INSERT INTO alert (at, alert_id, team, state, severity, case_id, district_code, payload) "
                    + "VALUES (timestamptz '" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "', 'al-1', 'flood', 'raised', 'orange', 'GW-1', '210211', '{}')";
            assertThat(st.executeUpdate(detection)).isEqualTo(1);
            assertThat(st.executeUpdate(detection + " ON CONFLICT DO NOTHING")).isZero();
            assertThatThrownBy(() -> st.executeUpdate(detection)).isInstanceOf(SQLException.class).hasMessageContaining("detection_");
            assertThat(st.executeUpdate(alert)).isEqualTo(1);
            assertThat(st.executeUpdate(alert + " ON CONFLICT (alert_id, at) DO NOTHING")).isZero();
            assertThatThrownBy(() -> st.executeUpdate(alert.replace("'raised'", "'lowered'")
                    .replace("'al-1'", "'al-2'"))).isInstanceOf(SQLException.class).hasMessageContaining("state");
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static List<String> partitionsOf(String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = ?::regclass ORDER BY 1")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static String partitionHolding(String table, String where) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT tableoid::regclass::text FROM " + table + " WHERE " + where)) {
            assertThat(rs.next()).as("a row of %s where %s", table, where).isTrue();
            return rs.getString(1);
        }
    }
}
