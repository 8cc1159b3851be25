package io.gridwatch.store;

import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Camera health as the ingest workers report it, on the real PostgreSQL. */
class CameraHealthStoreTest {

    static Database db;
    static CameraHealthStore health;
    static CameraStore cameras;

    @BeforeAll
    static void setUp() {
        db = Database.open(TestServices.shared().newDatabase("camera_health"), TestServices.shared().postgresUser());
        db.migrate();
        health = new CameraHealthStore(db.dataSource());
        cameras = new CameraStore(db.dataSource());
        cameras.upsert(CameraStoreTest.cameras(CameraStoreTest.FILE), CameraStoreTest.GRIDS); // cs-1, cs-2
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    static CameraHealthStore.Entry entry(String id, String worker, boolean online, Instant at) {
        return new CameraHealthStore.Entry(id, worker, online ? "ONLINE" : "BACKOFF", online, 0.5, 0.25, 100, 20,
                online ? at.minusSeconds(1) : null, 2, online ? 0 : 3, online ? null : "cannot read tcp_mpegts stream tcp://x: Connection refused",
                true, at);
    }

    @Test
    void aWorkersReportReplacesTheLastOneStaleOnesDoNotCountAndRemovalClearsThem() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        health.upsert(List.of(entry("cs-1", "w1", true, now.minusSeconds(60)), entry("cs-2", "w1", false, now)));
        assertThat(health.summary(Duration.ofSeconds(15))).isEqualTo(new CameraHealthStore.Summary(2, 1, 0));
        assertThat(health.summary(Duration.ofSeconds(15)).toString()).isEqualTo("0 online / 2 registered (1 without a fresh report)");

        // cs-1 moved to w2, which reports it online now
        health.upsert(List.of(entry("cs-1", "w2", true, now)));
        List<CameraHealthStore.Entry> rows = health.list();
        assertThat(rows).extracting(CameraHealthStore.Entry::cameraId).containsExactly("cs-1", "cs-2");
        assertThat(rows.get(0)).isEqualTo(entry("cs-1", "w2", true, now));
        assertThat(rows.get(1).lastFrameAt()).isNull();
        assertThat(rows.get(1).lastError()).contains("Connection refused");
        assertThat(rows.get(0).staleAt(now.plusSeconds(10), Duration.ofSeconds(15))).isFalse();
        assertThat(rows.get(0).staleAt(now.plusSeconds(16), Duration.ofSeconds(15))).isTrue();
        assertThat(health.summary(Duration.ofSeconds(15))).isEqualTo(new CameraHealthStore.Summary(2, 2, 1));

        assertThat(cameras.delete(List.of("cs-2", "cs-none"))).containsExactly("cs-2");
        assertThat(health.list()).extracting(CameraHealthStore.Entry::cameraId).containsExactly("cs-1");
        assertThat(health.summary(Duration.ofSeconds(15))).isEqualTo(new CameraHealthStore.Summary(1, 1, 1));
        health.delete(List.of("cs-1"));
        assertThat(health.list()).isEmpty();
    }
}
