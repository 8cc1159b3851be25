package io.gridwatch.store;

import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.grid.GridLocation;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The camera registry on the real PostgreSQL. */
class CameraStoreTest {

    static Database db;
    static CameraStore store;
    /** East of 121.6 lies "grid A", the rest is outside every grid. */
    static final TelemetryParser.GridLookup GRIDS = (lon, lat) -> lon > 121.6
            ? Optional.of(new GridLocation("210202001001001", "210202", "中山区", "210202001", "s", "210202001001", "c", Optional.empty(), 1e4))
            : Optional.empty();

    static final String FILE = """
            cameras:
              - id: cs-1
                url: rtsp://admin:pw@127.0.0.1:8554/cam1
                location: {lon: 121.6431, lat: 38.9152}
                calibration:
                  - {image: [0.10, 0.95], ground: [121.64290, 38.91500]}
                  - {image: [0.90, 0.95], ground: [121.64335, 38.91502]}
                  - {image: [0.70, 0.45], ground: [121.64340, 38.91560]}
                  - {image: [0.30, 0.45], ground: [121.64280, 38.91558]}
                zones:
                  - {name: plaza-east, purpose: no_vending, polygon: [[0.05,0.55],[0.60,0.55],[0.60,0.98],[0.05,0.98]], schedule: "07:00-22:00"}
              - id: cs-2
                url: http://127.0.0.1:8080/cam2.m3u8
                location: {lon: 121.6500, lat: 38.9200}
            """;

    static List<Camera> cameras(String yaml) {
        return CameraFile.read(yaml, "test", CameraFile.Checks.FORMAT_ONLY);
    }

    @BeforeAll
    static void setUp() {
        db = Database.open(TestServices.shared().newDatabase("cameras"), TestServices.shared().postgresUser());
        db.migrate();
        store = new CameraStore(db.dataSource());
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void importTwiceKeepsOneRowEachAndAnUpdateChangesIt() throws Exception {
        List<Camera> first = cameras(FILE);
        assertThat(store.upsert(first, GRIDS)).isEqualTo(new RegistryImport(2, 0, 0));
        assertThat(store.upsert(first, GRIDS)).isEqualTo(new RegistryImport(0, 0, 2));
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM camera WHERE camera_id LIKE 'cs-%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        List<CameraStore.StoredCamera> stored = store.list().stream().filter(s -> s.camera().id().startsWith("cs-")).toList();
        assertThat(stored).extracting(CameraStore.StoredCamera::camera).containsExactlyElementsOf(first);
        assertThat(stored).extracting(CameraStore.StoredCamera::gridCode).containsExactly("210202001001001", "210202001001001");

        // the zone turns into a bin area and the second camera is moved out of the grids
        List<Camera> second = cameras(FILE.replace("no_vending", "bin_area").replace("lon: 121.6500", "lon: 121.5500")
                + """
                  - id: cs-3
                    url: udp://239.0.0.1:1234
                    location: {lon: 121.6431, lat: 38.9152}
                """);
        assertThat(store.upsert(second, GRIDS)).isEqualTo(new RegistryImport(1, 2, 0));
        stored = store.list().stream().filter(s -> s.camera().id().startsWith("cs-")).toList();
        assertThat(stored).extracting(CameraStore.StoredCamera::camera).containsExactlyElementsOf(second);
        assertThat(stored.get(0).camera().zones().get(0).purpose()).isEqualTo(ZonePurpose.BIN_AREA);
        assertThat(stored).extracting(CameraStore.StoredCamera::gridCode).containsExactly("210202001001001", null, "210202001001001");
    }
}
