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
            "unit_grid", "component", "sensor", "camera", "reading", "detection", "alert", "gw_case", "case_event");

    @Test
    void migratingAnEmptyDatabaseCreatesEveryTableWithAComment() throws SQLException {
        try (Database db = Database.open(TestServices.shared().newDatabase("gw_store_schema"), TestServices.shared().postgresUser())) {
            assertThat(db.migrate()).isEqualTo("5");

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

            assertThat(db.migrate()).isEqualTo("5");

            assertThat(historyRows(db)).isEqualTo(history);
            assertThat(tableComments(db)).isEqualTo(before);
        }
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
