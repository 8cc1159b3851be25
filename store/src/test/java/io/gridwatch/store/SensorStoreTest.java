package io.gridwatch.store;

import io.gridwatch.grid.GridLocation;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sensor registry on the real PostgreSQL. */
class SensorStoreTest {

    static Database db;
    static SensorStore store;
    /** East of 121.6 lies "grid A", the rest is outside every grid. */
    static final TelemetryParser.GridLookup GRIDS = (lon, lat) -> lon > 121.6
            ? Optional.of(new GridLocation("210202001001001", "210202", "中山区", "210202001", "s", "210202001001", "c", Optional.empty(), 1e4))
            : Optional.empty();

    @BeforeAll
    static void setUp() {
        db = Database.open(TestServices.shared().newDatabase("sensors"), TestServices.shared().postgresUser());
        db.migrate();
        store = new SensorStore(db.dataSource());
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void reimportUpdatesInPlaceAndDerivesTheGrid() {
        Sensor a = new Sensor("st-a", SensorType.WATER_LEVEL, 121.7, 38.9, null, 30, "甲");
        Sensor b = new Sensor("st-b", SensorType.MANHOLE, 121.5, 38.9, "0101", 60, null);
        assertThat(store.upsert(List.of(a, b), GRIDS)).isEqualTo(new RegistryImport(2, 0, 0));
        Sensor bMoved = new Sensor("st-b", SensorType.MANHOLE, 121.65, 38.9, "0102", 60, "乙");
        Sensor c = new Sensor("st-c", SensorType.BIN_FILL, 121.5, 38.9, null, 600, null);
        assertThat(store.upsert(List.of(a, bMoved, c), GRIDS)).isEqualTo(new RegistryImport(1, 1, 1));

        List<SensorStore.StoredSensor> all = store.list(Optional.empty()).stream()
                .filter(s -> s.sensor().sensorId().startsWith("st-")).toList();
        assertThat(all).extracting(SensorStore.StoredSensor::sensor).containsExactly(a, bMoved, c);
        assertThat(all).extracting(SensorStore.StoredSensor::gridCode).containsExactly("210202001001001", "210202001001001", null);
        assertThat(store.list(Optional.of(SensorType.MANHOLE))).extracting(s -> s.sensor().sensorId()).containsExactly("st-b");
    }

    @Test
    void changesFromReadsEachWriteOnceAndNothingWhenNothingChanged() {
        store.upsert(List.of(new Sensor("cs-1", SensorType.RAIN_GAUGE, 121.7, 38.9, null, 60, null)), GRIDS);
        SensorStore.Changes all = store.changesFrom(0);
        assertThat(all.sensors()).extracting(s -> s.sensor().sensorId()).contains("cs-1");

        SensorStore.Changes none = store.changesFrom(all.nextFrom());
        assertThat(none.sensors()).isEmpty();

        store.upsert(List.of(new Sensor("cs-2", SensorType.RAIN_GAUGE, 121.7, 38.9, null, 60, null),
                new Sensor("cs-1", SensorType.RAIN_GAUGE, 121.7, 38.9, null, 120, null)), GRIDS);
        SensorStore.Changes changed = store.changesFrom(none.nextFrom());
        assertThat(changed.sensors()).extracting(s -> s.sensor().sensorId()).containsExactlyInAnyOrder("cs-1", "cs-2");
        assertThat(changed.sensors()).filteredOn(s -> s.sensor().sensorId().equals("cs-1"))
                .extracting(s -> s.sensor().intervalS()).containsExactly(120);
        // an import that changes nothing writes nothing, so there is nothing to read again
        store.upsert(List.of(new Sensor("cs-2", SensorType.RAIN_GAUGE, 121.7, 38.9, null, 60, null)), GRIDS);
        assertThat(store.changesFrom(changed.nextFrom()).sensors()).isEmpty();
    }

    /**
     * The case timestamps got wrong: a transaction that started earlier commits after a later one was read. Its rows
     * must still be read once it commits, and not again after that.
     */
    @Test
    void aTransactionCommittingAfterARefreshIsReadByTheNext() throws Exception {
        long from = store.changesFrom(0).nextFrom();
        try (Connection slow = db.dataSource().getConnection()) {
            slow.setAutoCommit(false);
            try (Statement st = slow.createStatement()) {
                st.execute("INSERT INTO sensor (sensor_id, type, lon, lat) VALUES ('late-1', 'bin_fill', 121.7, 38.9)");
            }
            store.upsert(List.of(new Sensor("quick-1", SensorType.BIN_FILL, 121.7, 38.9, null, 60, null)), GRIDS);
            SensorStore.Changes first = store.changesFrom(from);
            assertThat(first.sensors()).extracting(s -> s.sensor().sensorId()).contains("quick-1").doesNotContain("late-1");
            slow.commit();

            SensorStore.Changes second = store.changesFrom(first.nextFrom());
            assertThat(second.sensors()).extracting(s -> s.sensor().sensorId()).contains("late-1");
            assertThat(store.changesFrom(second.nextFrom()).sensors()).extracting(s -> s.sensor().sensorId())
                    .doesNotContain("late-1", "quick-1");
        }
    }

    @Test
    void aFailingImportStoresNothing() {
        List<Sensor> many = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            many.add(new Sensor("bulk-" + i, SensorType.BIN_FILL, i == 11_999 ? 121.8 : 121.7, 38.9, null, 60, null));
        }
        // the schema refuses the last sensor's grid code (not 15 digits): that rolls back the chunks stored before it
        TelemetryParser.GridLookup brokenAt1218 = (lon, lat) -> lon > 121.75
                ? Optional.of(new GridLocation("bad", "210202", "", "", "", "", "", Optional.empty(), 1))
                : GRIDS.lookup(lon, lat);
        assertThatThrownBy(() -> store.upsert(many, brokenAt1218))
                .isInstanceOf(StoreException.class).hasMessageContaining("nothing was stored");
        assertThat(store.list(Optional.of(SensorType.BIN_FILL))).noneMatch(s -> s.sensor().sensorId().startsWith("bulk-"));
        assertThat(store.upsert(many, GRIDS).inserted()).isEqualTo(12_000);
    }
}
