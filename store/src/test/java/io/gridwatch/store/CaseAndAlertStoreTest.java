package io.gridwatch.store;

import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseMessage;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CaseStore and AlertStore on the real PostgreSQL: idempotent under replays, never moving a case back. */
class CaseAndAlertStoreTest {

    static final long T0 = Instant.parse("2026-11-25T02:00:00Z").toEpochMilli();
    static final long MIN = 60_000;

    static Database db;
    static CaseStore cases;
    static AlertStore alerts;

    @BeforeAll
    static void migrate() {
        db = Database.open(TestServices.shared().newDatabase("gw_store_cases"), TestServices.shared().postgresUser());
        db.migrate();
        cases = new CaseStore(db.dataSource());
        alerts = new AlertStore(db.dataSource());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static CaseFile file(String id, String status, String severity, int occurrences, long lastSeen) {
        ArrayList<CaseFile.Evidence> ev = new ArrayList<>();
        ev.add(new CaseFile.Evidence("sensor_series", "gridwatch://readings/wl-0031?from=" + T0 + "&to=" + lastSeen, null, null));
        return new CaseFile(1, id, status, new CaseFile.Category("event", "0406", "道路积水", "04", "突发事件"),
                new CaseFile.Grid("210211016003007", "甘井子区", "凌水街道", "凌海社区居委会"), new CaseFile.Location(121.5301, 38.8756),
                severity, new ArrayList<>(List.of(new CaseFile.Source("sensor", "wl-0031"))), T0, lastSeen, occurrences, 0.97, ev,
                "甘井子区市政设施管理处", T0 + 4 * 3600_000L, "water_level.default");
    }

    static List<CaseMessage> lifecycle(String id) {
        return List.of(new CaseMessage("new", file(id, "filed", "blue", 1, T0)),
                new CaseMessage("update", file(id, "filed", "yellow", 2, T0 + 10 * MIN)),
                new CaseMessage("update", file(id, "filed", "orange", 3, T0 + 20 * MIN)),
                new CaseMessage("end", file(id, "verified", "orange", 4, T0 + 25 * MIN)));
    }

    @Test
    void writingTheLifecycleTwiceGivesOneRowAndOneAuditRowPerMessage() throws SQLException {
        String id = "GW-210211-20261125-000001";
        cases.write(lifecycle(id));
        cases.write(lifecycle(id));
        for (CaseMessage m : lifecycle(id)) {
            cases.write(m);
        }
        assertThat(count("SELECT count(*) FROM gw_case WHERE case_id = '" + id + "'")).isEqualTo(1);
        assertThat(strings("SELECT type || ':' || coalesce(from_status, '-') || '>' || to_status FROM case_event WHERE case_id = '"
                + id + "' ORDER BY id")).containsExactly("new:->filed", "update:filed>filed", "update:filed>filed", "end:filed>verified");
        assertThat(cases.find(id)).contains(file(id, "verified", "orange", 4, T0 + 25 * MIN));
        assertThat(strings("SELECT status || ' ' || severity || ' ' || occurrences || ' ' || district_code || ' ' || street_code "
                + "FROM gw_case WHERE case_id = '" + id + "'")).containsExactly("verified orange 4 210211 210211016");
    }

    @Test
    void aReplayedOlderMessageNeverMovesTheCaseBack() {
        String id = "GW-210211-20261125-000002";
        cases.write(lifecycle(id));
        cases.write(lifecycle(id).get(1)); // a stale update after the end
        cases.write(new CaseMessage("update", file(id, "filed", "orange", 4, T0 + 25 * MIN))); // same count, earlier status
        assertThat(cases.find(id).orElseThrow().status()).isEqualTo("verified");
        assertThat(cases.find(id).orElseThrow().occurrences()).isEqualTo(4);
    }

    @Test
    void aCorrectionReopensAnAutoVerifiedCaseAndRejectsAWithdrawnOne() {
        String id = "GW-210211-20261125-000004";
        cases.write(lifecycle(id));
        // late readings: the flood had not cleared (修正): the job reopens the case it had verified
        cases.write(new CaseMessage("update", file(id, "filed", "orange", 5, T0 + 40 * MIN)));
        assertThat(cases.find(id).orElseThrow().status()).isEqualTo("filed");
        cases.write(new CaseMessage("end", file(id, "rejected", "orange", 6, T0 + 40 * MIN)));
        assertThat(cases.find(id).orElseThrow().status()).isEqualTo("rejected");
        cases.write(new CaseMessage("update", file(id, "filed", "orange", 5, T0 + 40 * MIN))); // a stale replay
        assertThat(cases.find(id).orElseThrow().status()).as("fewer occurrences: not applied").isEqualTo("rejected");
    }

    @Test
    void aStatusAPersonSetFurtherAlongIsKept() throws SQLException {
        String id = "GW-210211-20261125-000003";
        cases.write(lifecycle(id).get(0));
        exec("UPDATE gw_case SET status = 'dispatched' WHERE case_id = '" + id + "'");
        cases.write(lifecycle(id).get(1));
        CaseFile f = cases.find(id).orElseThrow();
        assertThat(f.status()).isEqualTo("dispatched");
        assertThat(f.severity()).isEqualTo("yellow");
        assertThat(f.occurrences()).isEqualTo(2);
    }

    @Test
    void listFiltersByStatusAndSince() {
        cases.write(List.of(new CaseMessage("new", file("GW-210204-20261126-000001", "collected", null, 1, T0 + 2000 * MIN))));
        cases.write(List.of(new CaseMessage("new", file("GW-210204-20261126-000002", "filed", "blue", 1, T0 + 2001 * MIN))));
        assertThat(cases.list(Instant.ofEpochMilli(T0 + 1999 * MIN), null)).extracting(CaseFile::caseId)
                .containsExactly("GW-210204-20261126-000001", "GW-210204-20261126-000002");
        assertThat(cases.list(Instant.ofEpochMilli(T0 + 1999 * MIN), "collected")).extracting(CaseFile::caseId)
                .containsExactly("GW-210204-20261126-000001");
        assertThat(cases.list(null, "collected")).extracting(CaseFile::caseId).contains("GW-210204-20261126-000001")
                .doesNotContain("GW-210204-20261126-000002");
        assertThatThrownBy(() -> cases.list(null, "open")).hasMessageContaining("unknown case status 'open'");
    }

    @Test
    void alertsAreWrittenOnce() throws SQLException {
        Alert raised = new Alert(1, "GW-210211-20261125-000009/flood/raised", "flood", "raised", "blue", "GW-210211-20261125-000009",
                new Alert.Category("0406", "道路积水"), new Alert.Grid("210211016003007", "甘井子区", "凌水街道"),
                new CaseFile.Location(121.5301, 38.8756), "凌水街道 凌海社区：道路积水 17 cm（蓝色）", T0);
        Alert watch = new Alert(1, "watch:x@1/flood/raised", "flood", "raised", "blue", null, null,
                new Alert.Grid("210211016003007", "甘井子区", "凌水街道"), new CaseFile.Location(121.5, 38.8), "甘井子区 凌水街道：…", T0 + MIN);
        assertThat(alerts.write(List.of(raised, watch))).isEqualTo(2);
        assertThat(alerts.write(List.of(raised, watch))).isZero();
        assertThat(count("SELECT count(*) FROM alert WHERE alert_id IN ('" + raised.alertId() + "', '" + watch.alertId() + "')"))
                .isEqualTo(2);
        assertThat(strings("SELECT district_code || ' ' || coalesce(case_id, '-') FROM alert WHERE alert_id = '" + watch.alertId() + "'"))
                .containsExactly("210211 -");
        assertThat(alerts.list(Instant.ofEpochMilli(T0))).contains(raised, watch);
    }

    static CaseFile manhole(String id, int occurrences) {
        return new CaseFile(1, id, "filed", new CaseFile.Category("component", "0101", "上水井盖", "01", "公用设施"),
                new CaseFile.Grid("210211016003008", "甘井子区", "凌水街道", "凌海社区居委会"), new CaseFile.Location(121.5311, 38.8751),
                "red", new ArrayList<>(List.of(new CaseFile.Source("sensor", "mh-0007"))), T0, T0, occurrences, 0.99, new ArrayList<>(),
                "甘井子区市政设施管理处", T0 + 3600_000L, "manhole.default");
    }

    @Test
    void aWriteOfAnotherProblemUnderAnExistingCaseIdIsRefusedNamingBothAndChangesNothing() throws SQLException {
        String id = "GW-210211-20261125-000010";
        cases.write(lifecycle(id).get(0).withProblemKey("sensor:wl-0031:water_level"));
        CaseFile before = cases.find(id).orElseThrow();
        assertThat(strings("SELECT problem_key FROM gw_case WHERE case_id = '" + id + "'")).containsExactly("sensor:wl-0031:water_level");

        // the seen failure: a manhole case numbered again under the flood's id
        assertThatThrownBy(() -> cases.write(new CaseMessage("new", manhole(id, 1), "sensor:mh-0007:manhole")))
                .isInstanceOf(CaseConflictException.class)
                .hasMessageContaining(id).hasMessageContaining("sensor:wl-0031:water_level").hasMessageContaining("sensor:mh-0007:manhole");
        // the same class and place but another problem (another flood sensor's case under a reused id)
        assertThatThrownBy(() -> cases.write(lifecycle(id).get(1).withProblemKey("sensor:wl-0032:water_level")))
                .isInstanceOf(CaseConflictException.class).hasMessageContaining("sensor:wl-0032:water_level");
        // a writer that does not know problem keys is still checked against the case's class, grid and first source
        assertThatThrownBy(() -> cases.write(new CaseMessage("update", manhole(id, 2))))
                .isInstanceOf(CaseConflictException.class).hasMessageContaining("mh-0007").hasMessageContaining("wl-0031");
        // a refused message rolls back its whole batch
        assertThatThrownBy(() -> cases.write(List.of(lifecycle(id).get(1).withProblemKey("sensor:wl-0031:water_level"),
                new CaseMessage("update", manhole(id, 3), "sensor:mh-0007:manhole")))).isInstanceOf(CaseConflictException.class);

        assertThat(cases.find(id)).contains(before);
        assertThat(count("SELECT count(*) FROM case_event WHERE case_id = '" + id + "'")).isEqualTo(1);
        // the case's own next message still goes through
        cases.write(lifecycle(id).get(1).withProblemKey("sensor:wl-0031:water_level"));
        assertThat(cases.find(id).orElseThrow().severity()).isEqualTo("yellow");
    }

    @Test
    void aCaseWrittenWithoutItsProblemKeyLearnsItFromItsNextMessage() throws SQLException {
        String id = "GW-210211-20261125-000011";
        cases.write(lifecycle(id).get(0));
        cases.write(lifecycle(id).get(1).withProblemKey("sensor:wl-0031:water_level"));
        assertThat(strings("SELECT problem_key FROM gw_case WHERE case_id = '" + id + "'")).containsExactly("sensor:wl-0031:water_level");
        assertThatThrownBy(() -> cases.write(lifecycle(id).get(2).withProblemKey("sensor:wl-0099:water_level")))
                .isInstanceOf(CaseConflictException.class);
    }

    @Test
    void anotherAlertUnderAnExistingAlertIdIsRefused() throws SQLException {
        String caseId = "GW-210211-20261125-000012";
        Alert raised = new Alert(1, caseId + "/flood/raised/blue", "flood", "raised", "blue", caseId,
                new Alert.Category("0406", "道路积水"), new Alert.Grid("210211016003007", "甘井子区", "凌水街道"),
                new CaseFile.Location(121.5301, 38.8756), "凌水街道 凌海社区：道路积水 17 cm（蓝色）", T0);
        assertThat(alerts.write(List.of(raised))).isEqualTo(1);
        // the seen failure: raised twice for different places under one reused case id, an hour apart
        Alert elsewhere = new Alert(1, raised.alertId(), "flood", "raised", "blue", caseId, raised.category(),
                new Alert.Grid("210211016003008", "甘井子区", "凌水街道"), new CaseFile.Location(121.5311, 38.8751), "…", T0 + 60 * MIN);
        assertThatThrownBy(() -> alerts.write(List.of(elsewhere))).isInstanceOf(CaseConflictException.class)
                .hasMessageContaining(raised.alertId()).hasMessageContaining("210211016003007").hasMessageContaining("210211016003008");
        // the same place, a later episode: another alert all the same
        Alert later = new Alert(1, raised.alertId(), "flood", "raised", "blue", caseId, raised.category(), raised.grid(),
                raised.location(), raised.message(), T0 + 60 * MIN);
        assertThatThrownBy(() -> alerts.write(List.of(later))).isInstanceOf(CaseConflictException.class);
        assertThat(count("SELECT count(*) FROM alert WHERE alert_id = '" + raised.alertId() + "'")).isEqualTo(1);
        // the alert itself again (a replay) is no conflict
        assertThat(alerts.write(List.of(raised))).isZero();
    }

    static void exec(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static long count(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
