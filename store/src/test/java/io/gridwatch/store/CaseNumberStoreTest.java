package io.gridwatch.store;

import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Case numbers handed out by PostgreSQL: unique forever per district and day, the same again for a replayed detection. */
class CaseNumberStoreTest {

    static final LocalDate DAY = LocalDate.of(2026, 11, 25);
    static String url;
    static Database db;

    @BeforeAll
    static void migrate() {
        url = TestServices.shared().newDatabase("gw_store_numbers");
        db = Database.open(url, TestServices.shared().postgresUser());
        db.migrate();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static String raised(String sensor, long ts) {
        return sensor + "/water_level.default/" + ts + "/raised";
    }

    @Test
    void aReplayedOpeningDetectionGetsItsNumberBackAndEveryNewOneTheNext() {
        CaseNumberStore numbers = new CaseNumberStore(db.dataSource());
        assertThat(numbers.allocate("210202", DAY, raised("wl-1", 1), "sensor:wl-1:water_level")).isEqualTo(1);
        assertThat(numbers.allocate("210202", DAY, raised("wl-2", 2), "sensor:wl-2:water_level")).isEqualTo(2);
        // the same opening detection again (a job restored from a checkpoint replays it): the same number
        assertThat(numbers.allocate("210202", DAY, raised("wl-1", 1), "sensor:wl-1:water_level")).isEqualTo(1);
        // a second flood of the same sensor later that day is another case
        assertThat(numbers.allocate("210202", DAY, raised("wl-1", 5_000), "sensor:wl-1:water_level")).isEqualTo(3);
        // a pool opened anew (a job started without any state, another job) continues where the district's day stood
        try (Database fresh = Database.open(url, TestServices.shared().postgresUser())) {
            assertThat(new CaseNumberStore(fresh.dataSource()).allocate("210202", DAY, raised("wl-3", 3), "sensor:wl-3:water_level"))
                    .isEqualTo(4);
        }
        // districts and days count on their own
        assertThat(numbers.allocate("210203", DAY, raised("wl-4", 4), "sensor:wl-4:water_level")).isEqualTo(1);
        assertThat(numbers.allocate("210202", DAY.plusDays(1), raised("wl-1", 90_000_000), "sensor:wl-1:water_level")).isEqualTo(1);
    }

    @Test
    void concurrentAllocatorsNeverHandOutOneNumberTwiceNorTwoNumbersToOneDetection() throws Exception {
        LocalDate day = DAY.plusDays(10);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Database other = Database.open(url, TestServices.shared().postgresUser())) {
            List<CaseNumberStore> stores = List.of(new CaseNumberStore(db.dataSource()), new CaseNumberStore(other.dataSource()));
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                CaseNumberStore store = stores.get(i % 2);
                // every detection asked for twice, by both stores: as two jobs would, or a job and its replay
                String detection = raised("wl-c" + (i / 2), i / 2);
                calls.add(() -> store.allocate("210211", day, detection, "sensor:" + detection));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                got.add(f.get());
            }
            for (int i = 0; i < got.size(); i += 2) {
                assertThat(got.get(i)).as("detection %d asked twice", i / 2).isEqualTo(got.get(i + 1));
            }
            List<Integer> distinct = got.stream().distinct().sorted().toList();
            assertThat(distinct).hasSize(60).first().isEqualTo(1);
            assertThat(distinct).last().isEqualTo(60);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDetectionNumberedForOneProblemCannotOpenAnother() {
        CaseNumberStore numbers = new CaseNumberStore(db.dataSource());
        numbers.allocate("210204", DAY, raised("wl-x", 7), "sensor:wl-x:water_level");
        assertThatThrownBy(() -> numbers.allocate("210204", DAY, raised("wl-x", 7), "sensor:mh-x:manhole"))
                .isInstanceOf(CaseConflictException.class)
                .hasMessageContaining("sensor:wl-x:water_level").hasMessageContaining("sensor:mh-x:manhole");
        assertThatThrownBy(() -> numbers.allocate("21020", DAY, raised("wl-y", 7), "sensor:wl-y:water_level"))
                .hasMessageContaining("6 digits");
    }

    @Test
    void casesNumberedBeforeVersion7AreNeverNumberedAgain() throws Exception {
        String oldUrl = TestServices.shared().newDatabase("gw_store_numbers_v6");
        try (Database old = Database.open(oldUrl, TestServices.shared().postgresUser())) {
            old.migrate("6");
            try (Connection c = old.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("""
                        INSERT INTO gw_case (case_id, status, category_kind, category_code, first_seen, last_seen, payload) VALUES
                          ('GW-210211-20261125-000041', 'filed', 'event', '0406', now(), now(), '{}'),
                          ('GW-210211-20261125-000007', 'filed', 'event', '0406', now(), now(), '{}')""");
            }
            assertThat(old.migrate()).isEqualTo("8");
            assertThat(new CaseNumberStore(old.dataSource()).allocate("210211", DAY, raised("wl-1", 1), "sensor:wl-1:water_level"))
                    .isEqualTo(42);
        }
    }
}
