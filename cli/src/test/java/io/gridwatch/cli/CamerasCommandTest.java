package io.gridwatch.cli;

import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch cameras import | list} as people use them, on the test PostgreSQL and the real Dalian grids. */
class CamerasCommandTest {

    @TempDir
    static Path home;
    static Path config;

    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    @BeforeAll
    static void configure() throws Exception {
        TestServices services = TestServices.shared();
        String database = "gw_cameras_" + Long.toHexString(System.nanoTime());
        // the grid cache of the repository's var/ saves deriving the grids again; nothing else is written there
        Path repoVar = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath().resolve("var");
        config = Files.writeString(home.resolve("gridwatch.yaml"), String.format("""
                stack:
                  var_dir: %s
                  postgres: {host: %s, port: %d, database: %s, user: %s}
                """, repoVar, services.postgres().host(), services.postgres().port(), database, services.postgresUser()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> services.postgres().dropDatabase(database)));
    }

    static final String CAMERAS = """
            cameras:
              - id: cli-cam-1
                url: rtsp://admin:secret@127.0.0.1:8554/cam1
                location: {lon: 121.6431, lat: 38.9152}
                calibration:
                  - {image: [0.10, 0.95], ground: [121.64290, 38.91500]}
                  - {image: [0.90, 0.95], ground: [121.64335, 38.91502]}
                  - {image: [0.70, 0.45], ground: [121.64340, 38.91560]}
                  - {image: [0.30, 0.45], ground: [121.64280, 38.91558]}
                zones:
                  - name: plaza-east
                    purpose: no_vending
                    polygon: [[0.05,0.55],[0.60,0.55],[0.60,0.98],[0.05,0.98]]
                    schedule: "07:00-22:00"
              - id: cli-cam-2
                url: clip.mp4
                location: {lon: 121.6431, lat: 38.9152}
                zones:
                  - {name: kerb, purpose: roadway, polygon: [[0,0.5],[1,0.5],[1,1],[0,1]]}
            """;

    @Test
    void importTwiceUpdatesAndListShowsDistrictStreetAndZones() throws Exception {
        Files.writeString(home.resolve("clip.mp4"), "not really a clip; only its existence is checked at import");
        Path yaml = Files.writeString(home.resolve("cameras.yaml"), CAMERAS);
        CliRun first = run("cameras", "import", yaml.toString());
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).contains("imported 2 cameras", "2 new, 0 updated, 0 unchanged");

        Files.writeString(yaml, CAMERAS.replace("purpose: roadway", "purpose: sidewalk"));
        CliRun second = run("cameras", "import", yaml.toString());
        assertThat(second.status()).as(second.err()).isZero();
        assertThat(second.out()).contains("imported 2 cameras", "0 new, 1 updated, 1 unchanged");

        CliRun list = run("cameras", "list");
        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out())
                .containsPattern("cli-cam-1\\s+中山区\\s+\\S+街道\\s+210202\\d{9}\\s+rtsp://127\\.0\\.0\\.1:8554/cam1\\s+yes\\s+plaza-east:no_vending@07:00-22:00")
                .containsPattern("cli-cam-2\\s+中山区\\s+\\S+\\s+210202\\d{9}\\s+" + java.util.regex.Pattern.quote(home.resolve("clip.mp4").toString())
                        + "\\s+no\\s+kerb:sidewalk")
                .doesNotContain("secret")
                .contains("2 cameras");
    }

    @Test
    void aFileWithErrorsImportsNothingAndListsThemAll() throws Exception {
        Path yaml = Files.writeString(home.resolve("bad.yaml"), """
                cameras:
                  - id: cli-bad-ok
                    url: rtsp://127.0.0.1:8554/ok
                    location: {lon: 121.6431, lat: 38.9152}
                  - id: cli-bad-sea
                    url: rtsp://127.0.0.1:8554/sea
                    location: {lon: 122.5, lat: 38.5}
                  - id: cli-bad-zone
                    url: rtsp://127.0.0.1:8554/z
                    location: {lon: 121.6431, lat: 38.9152}
                    zones:
                      - {name: z, purpose: no_vending, polygon: [[0.1,0.1],[0.2,0.2]]}
                """);
        CliRun r = run("cameras", "import", yaml.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("2 problems, nothing imported",
                "cameras[1] (cli-bad-sea).location: 122.5, 38.5 (WGS-84) lies outside every unit grid",
                "cameras[2] (cli-bad-zone).zones[0].polygon: needs at least 3 points, got 2");
        assertThat(run("cameras", "list").out()).doesNotContain("cli-bad-ok");
    }
}
