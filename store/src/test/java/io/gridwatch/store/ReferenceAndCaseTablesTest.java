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
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReferenceAndCaseTablesTest {

    private static final String DISTRICT = "210211";
    private static final String STREET = "210211016";
    private static final String COMMUNITY = "210211016003";

    private static Database db;

    @BeforeAll
    static void migrate() throws SQLException {
        db = Database.open(TestServices.shared().newDatabase("gw_store_tables"), TestServices.shared().postgresUser());
        db.migrate();
        sql("INSERT INTO district (code, name) VALUES ('" + DISTRICT + "', '甘井子区')");
        sql("INSERT INTO street (code, district_code, name) VALUES ('" + STREET + "', '" + DISTRICT + "', '凌水街道')");
        sql("INSERT INTO community (code, street_code, name) VALUES ('" + COMMUNITY + "', '" + STREET + "', '凌水社区')");
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void wellFormedGridIsStoredAndFoundByCommunity() throws SQLException {
        insertGrid(COMMUNITY + "007", 7);
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT code, street_code, district_code FROM unit_grid WHERE community_code = ?")) {
            ps.setString(1, COMMUNITY);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(COMMUNITY + "007");
                assertThat(rs.getString(2)).isEqualTo(STREET);
                assertThat(rs.getString(3)).isEqualTo(DISTRICT);
            }
        }
    }

    @Test
    void gridCodeThatIsNotFifteenDigitsIsRejectedByItsCheck() {
        assertThatThrownBy(() -> insertGrid(COMMUNITY + "00A", 10))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23514"))
                .hasMessageContaining("unit_grid_code_format");
    }

    @Test
    void gridCodeOutsideItsCommunityIsRejected() {
        // well formed, but filed under a community whose code it does not start with
        assertThatThrownBy(() -> insertGrid("210211016004001", 1))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("unit_grid_code_nests");
    }

    @Test
    void caseAndItsEventsAreLinked() throws SQLException {
        Instant first = Instant.parse("2026-11-27T02:00:00Z");
        try (Connection c = db.dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO gw_case (case_id, status, category_kind, category_code, grid_code, district_code,
                                         street_code, severity, first_seen, last_seen, occurrences, confidence, rule_id, payload)
                    VALUES (?, 'filed', 'event', '0406', ?, ?, ?, 'yellow', ?, ?, 11, 0.97, 'water_level.default', ?::jsonb)""")) {
                ps.setString(1, "GW-210211-20261127-000042");
                ps.setString(2, COMMUNITY + "007");
                ps.setString(3, DISTRICT);
                ps.setString(4, STREET);
                ps.setObject(5, OffsetDateTime.ofInstant(first, ZoneOffset.UTC));
                ps.setObject(6, OffsetDateTime.ofInstant(first.plusSeconds(600), ZoneOffset.UTC));
                ps.setString(7, "{\"schema\": 1, \"case_id\": \"GW-210211-20261127-000042\", \"status\": \"filed\"}");
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO case_event (case_id, type, to_status, actor) "
                        + "VALUES ('GW-210211-20261127-000042', 'new', 'filed', 'water_level.default')");
                st.executeUpdate("INSERT INTO case_event (case_id, type, from_status, to_status, actor) "
                        + "VALUES ('GW-210211-20261127-000042', 'status', 'filed', 'dispatched', '派遣员 张三')");
                try (ResultSet rs = st.executeQuery("""
                        SELECT c.payload->>'status', string_agg(e.type || ':' || e.to_status, ',' ORDER BY e.id)
                          FROM gw_case c JOIN case_event e USING (case_id)
                         WHERE c.case_id = 'GW-210211-20261127-000042' GROUP BY c.payload""")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("filed");
                    assertThat(rs.getString(2)).isEqualTo("new:filed,status:dispatched");
                }
            }
        }
        assertThatThrownBy(() -> sql("INSERT INTO case_event (case_id, type) VALUES ('GW-no-such-case', 'update')"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"));
    }

    @Test
    void unknownCaseStatusIsRejected() {
        assertThatThrownBy(() -> sql("""
                INSERT INTO gw_case (case_id, status, category_kind, category_code, first_seen, last_seen, payload)
                VALUES ('GW-bad-status', 'done', 'event', '0406', now(), now(), '{}')"""))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23514"))
                .hasMessageContaining("case_status");
    }

    @Test
    void sensorIdsFollowTheMqttContract() throws SQLException {
        sql("INSERT INTO sensor (sensor_id, type, lon, lat) VALUES ('wl-0031', 'water_level', 121.5301, 38.8756)");
        assertThatThrownBy(() -> sql("INSERT INTO sensor (sensor_id, type, lon, lat) VALUES ('wl/0032', 'water_level', 121.5, 38.8)"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("sensor_id_format");
        assertThatThrownBy(() -> sql("INSERT INTO sensor (sensor_id, type, lon, lat) VALUES ('tp-1', 'thermometer', 121.5, 38.8)"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("sensor_type_check");
    }

    private static void insertGrid(String code, int seq) throws SQLException {
        sql("INSERT INTO unit_grid (code, community_code, street_code, district_code, seq, area_m2, interior, "
                + "min_lon, min_lat, max_lon, max_lat, centroid_lon, centroid_lat, geom_geojson) VALUES ('"
                + code + "', '" + COMMUNITY + "', '" + STREET + "', '" + DISTRICT + "', " + seq + ", 10000, true, "
                + "121.53, 38.87, 121.531, 38.871, 121.5305, 38.8705, "
                + "'{\"type\":\"Polygon\",\"coordinates\":[[[121.53,38.87],[121.531,38.87],[121.531,38.871],[121.53,38.87]]]}')");
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
