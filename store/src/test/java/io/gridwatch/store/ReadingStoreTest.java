package io.gridwatch.store;

import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ReadingStore on the real PostgreSQL (partitioned mode here): one row per reading, idempotent, old months in their own partition. */
class ReadingStoreTest {

    static Database db;
    static ReadingStore store;

    @BeforeAll
    static void migrate() {
        db = Database.open(TestServices.shared().newDatabase("gw_store_readings"), TestServices.shared().postgresUser());
        db.migrate();
        store = new ReadingStore(db);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static Reading reading(String sensor, long ts, Long seq, Map<String, Double> values) {
        return new Reading(Reading.SCHEMA, sensor, SensorType.WATER_LEVEL, Reading.TELEMETRY, ts, Instant.ofEpochMilli(ts).toString(),
                ts + 250, seq, new LinkedHashMap<>(values), null, 121.51, 39.03, "210211016001002", "210211", null, 60);
    }

    @Test
    void writesOneRowPerReadingAndIgnoresRedeliveries() throws SQLException {
        long t0 = Instant.parse("2026-11-20T04:00:00.123Z").toEpochMilli();
        List<Reading> batch = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            LinkedHashMap<String, Double> values = new LinkedHashMap<>();
            values.put("water_level_cm", 1.5 * m);
            values.put("battery_pct", 80.0);
            batch.add(reading("wl-rs-1", t0 + m * 60_000L, (long) m, values));
        }
        batch.add(batch.get(3)); // a duplicate delivery inside one batch
        batch.add(reading("wl-rs-2", t0, null, Map.of("water_level_cm", 0.0)));

        assertThat(store.write(batch)).isEqualTo(11);
        assertThat(store.write(batch)).as("the same batch again, as after a crash").isZero();
        assertThat(store.readingsPerSensor(Instant.ofEpochMilli(t0), Instant.ofEpochMilli(t0 + 3_600_000L)))
                .containsExactly(Map.entry("wl-rs-1", 10L), Map.entry("wl-rs-2", 1L));
        assertThat(strings("SELECT ts || ' ' || metrics::text || ' ' || coalesce(seq::text, '-') || ' ' || (received_at - ts) "
                + "FROM sensor_reading WHERE sensor_id = 'wl-rs-1' AND seq = 3"))
                .containsExactly("2026-11-20 04:03:00.123+00 {\"battery_pct\": 80.0, \"water_level_cm\": 4.5} 3 00:00:00.25");
        assertThat(strings("SELECT coalesce(seq::text, '-') FROM sensor_reading WHERE sensor_id = 'wl-rs-2'")).containsExactly("-");
        // the view keeps the per-metric shape of schema versions 3–5
        assertThat(strings("SELECT ts || ' ' || metric || ' ' || value || ' ' || coalesce(seq::text, '-') || ' ' "
                + "|| (received_at - ts) FROM reading WHERE sensor_id = 'wl-rs-1' AND seq = 3 ORDER BY metric"))
                .containsExactly("2026-11-20 04:03:00.123+00 battery_pct 80 3 00:00:00.25",
                        "2026-11-20 04:03:00.123+00 water_level_cm 4.5 3 00:00:00.25");
        assertThat(strings("SELECT count(*) FROM reading WHERE sensor_id LIKE 'wl-rs-_'")).containsExactly("21");
    }

    @Test
    void metricNamesAreEscapedAndWhatPostgresCannotHoldIsLeftOut() throws SQLException {
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put("water_level_cm", 17.5);
        values.put("odd \"name\" \\ 水位", 1e-7);
        values.put("broken", Double.NaN);
        values.put("huge", 1.0e300);
        values.put("nul\u0000", 3.0);
        assertThat(ReadingStore.metricsJson(values))
                .isEqualTo("{\"water_level_cm\":17.5,\"odd \\\"name\\\" \\\\ 水位\":1.0E-7,\"huge\":1.0E300}");
        assertThat(ReadingStore.metricsJson(Map.of("broken", Double.POSITIVE_INFINITY))).isNull();

        long ts = Instant.parse("2026-11-20T05:00:00Z").toEpochMilli();
        assertThat(store.write(List.of(reading("wl-rs-esc", ts, 1L, values)))).isEqualTo(1);
        assertThat(strings("SELECT metric || '=' || value FROM reading WHERE sensor_id = 'wl-rs-esc' ORDER BY metric"))
                .containsExactly("huge=1e+300", "odd \"name\" \\ 水位=1e-07", "water_level_cm=17.5");
    }

    @Test
    void peakFindsTheHighestValueOfAMetricInAWindow() {
        long t0 = Instant.parse("2026-11-22T06:00:00Z").toEpochMilli();
        store.write(List.of(reading("wl-pk-1", t0, 1L, Map.of("water_level_cm", 31.0, "battery_pct", 90.0)),
                reading("wl-pk-2", t0 + 60_000, 1L, Map.of("water_level_cm", 52.5)),
                reading("wl-pk-2", t0 + 120_000, 2L, Map.of("water_level_cm", 12.0)),
                reading("wl-pk-3", t0 + 7_200_000, 1L, Map.of("water_level_cm", 99.0)),
                reading("rg-pk-1", t0, 1L, Map.of("rain_mm", 4.0))));
        Instant from = Instant.ofEpochMilli(t0);
        Instant to = from.plusSeconds(3_600);
        assertThat(store.peak("water_level_cm", from, to))
                .contains(new ReadingStore.Peak("wl-pk-2", Instant.ofEpochMilli(t0 + 60_000), 52.5));
        assertThat(store.peak("battery_pct", from, to)).map(ReadingStore.Peak::sensorId).contains("wl-pk-1");
        assertThat(store.peak("water_level_cm", to, to.plusSeconds(7_200))).map(ReadingStore.Peak::sensorId).contains("wl-pk-3");
        assertThat(store.peak("snow_depth_cm", from, to)).isEmpty();
    }

    @Test
    void statusReadingsCarryNoValuesAndWriteNothing() {
        long ts = Instant.parse("2026-11-21T04:00:00Z").toEpochMilli();
        Reading status = new Reading(Reading.SCHEMA, "wl-rs-3", SensorType.WATER_LEVEL, Reading.STATUS, ts, null, ts, null,
                null, false, 121.51, 39.03, null, null, null, 60);
        assertThat(store.write(List.of(status))).isZero();
        assertThat(store.write(List.of())).isZero();
    }

    @Test
    void readingsOfAnOldMonthGetTheirOwnPartitionNotDefault() throws SQLException {
        long ts = Instant.parse("2019-02-10T10:00:00Z").toEpochMilli();
        assertThat(store.write(List.of(reading("wl-rs-old", ts, 1L, Map.of("water_level_cm", 12.0))))).isEqualTo(1);
        assertThat(strings("SELECT tableoid::regclass::text FROM sensor_reading WHERE sensor_id = 'wl-rs-old'"))
                .containsExactly(db.mode() == TimeSeriesMode.PARTITIONED ? "sensor_reading_p201902" : "sensor_reading");
    }

    static List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("SET TIME ZONE 'UTC'");
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
