package io.gridwatch.store;

import io.gridwatch.testkit.TestServices;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaMigrationTest {

    private static final List<String> DOMAIN_TABLES = List.of(
            "catalogue_class", "district", "management_area", "management_area_street", "street", "community",
            "unit_grid", "component", "sensor", "camera", "sensor_reading", "detection", "alert", "gw_case", "case_event", "case_counter", "case_number", "camera_health");

    @Test
    void migratingAnEmptyDatabaseCreatesEveryTableWithAComment() throws SQLException {
        try (Database db = Database.open(TestServices.shared().newDatabase("gw_store_schema"), TestServices.shared().postgresUser())) {
            assertThat(db.migrate()).isEqualTo("8");

            Map<String, String> comments = tableComments(db);
            assertThat(comments.keySet()).containsExactlyInAnyOrderElementsOf(withHistory(DOMAIN_TABLES));
            DOMAIN_TABLES.forEach(t -> assertThat(comments.get(t)).as("comment on %s", t).isNotBlank());
            assertThat(comments.get("unit_grid")).contains("单元网格");
        }
    }

    @Test
    void migratingTwiceChangesNothing() throws SQLException {
        try (Database db = Database.open(TestServices.shared().newDatabase("gw_store_twice"), TestServices.shared().postgresUser())) {
            db.migrate();
            int history = historyRows(db);
            Map<String, String> before = tableComments(db);

            assertThat(db.migrate()).isEqualTo("8");

            assertThat(historyRows(db)).isEqualTo(history);
            assertThat(tableComments(db)).isEqualTo(before);
        }
    }

    @Test
    void version6MovesPerMetricReadingsIntoOneRowPerReadingAndTheViewGivesThemBack() throws SQLException {
        try (Database db = Database.open(TestServices.shared().newDatabase("gw_store_v6"), TestServices.shared().postgresUser())) {
            assertThat(db.migrate("5")).isEqualTo("5");
            List<String> before;
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("SET TIME ZONE 'UTC'");
                // two readings of one sensor (two metrics each), one of another, and one in a far month held by DEFAULT
                st.execute("""
                        INSERT INTO reading (ts, sensor_id, metric, value, seq, received_at) VALUES
                          (now() - interval '2 min', 'wl-1', 'water_level_cm', 17.5, 41, now()),
                          (now() - interval '2 min', 'wl-1', 'battery_pct', 81, 41, now()),
                          (now() - interval '1 min', 'wl-1', 'water_level_cm', 18, 42, now()),
                          (now() - interval '1 min', 'wl-1', 'battery_pct', 80, 42, now()),
                          (now(), 'rg-1', 'rain_mm', 0.5, NULL, now()),
                          ('2003-04-05 06:07:08+00', 'rg-1', 'rain_mm', 2, 7, '2003-04-05 06:07:09+00')""");
                before = rows(st, "SELECT ts, sensor_id, metric, value, seq, received_at FROM reading ORDER BY 2, 1, 3");
            }

            assertThat(db.migrate()).isEqualTo("8");

            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("SET TIME ZONE 'UTC'");
                assertThat(rows(st, "SELECT ts, sensor_id, metric, value, seq, received_at FROM reading ORDER BY 2, 1, 3"))
                        .as("the view reading, after the move").isEqualTo(before);
                assertThat(rows(st, "SELECT sensor_id, metrics::text, seq FROM sensor_reading ORDER BY 1, ts")).containsExactly(
                        "rg-1|{\"rain_mm\": 2}|7", "rg-1|{\"rain_mm\": 0.5}|null",
                        "wl-1|{\"battery_pct\": 81, \"water_level_cm\": 17.5}|41",
                        "wl-1|{\"battery_pct\": 80, \"water_level_cm\": 18}|42");
                assertThat(rows(st, "SELECT DISTINCT tableoid::regclass::text FROM sensor_reading WHERE ts < '2004-01-01'"))
                        .containsExactly("sensor_reading_default");
                assertThat(rows(st, "SELECT relkind FROM pg_class WHERE relname = 'reading'")).containsExactly("v");
            }
        }
    }

    private static List<String> rows(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    private static List<String> withHistory(List<String> tables) {
        List<String> all = new ArrayList<>(tables);
        all.add("flyway_schema_history");
        return all;
    }

    /** Top-level tables of the public schema (partitions excluded) with their comments. */
    private static Map<String, String> tableComments(Database db) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT c.relname, obj_description(c.oid, 'pg_class')
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition""")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static int historyRows(Database db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM flyway_schema_history")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
