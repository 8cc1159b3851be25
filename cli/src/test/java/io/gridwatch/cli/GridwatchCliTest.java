package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as people and scripts use it: output, exit status and error messages. */
class GridwatchCliTest {

    @TempDir
    static Path home;
    static Path config;
    static String database;


    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    static int freePort() {
        return TestServices.freePort();
    }

    @BeforeAll
    static void configure() throws Exception {
        // the test's own stack: free ports, its own var dir and database, so a developer's stack is never touched
        TestServices services = TestServices.shared();
        database = "gw_cli_" + Long.toHexString(System.nanoTime());
        config = Files.writeString(home.resolve("gridwatch.yaml"), String.format("""
                stack:
                  var_dir: var
                  kafka: {host: 127.0.0.1, port: %d, controller_port: %d}
                  mqtt: {host: 127.0.0.1, port: %d}
                  postgres: {host: %s, port: %d, database: %s, user: %s}
                """, freePort(), freePort(), freePort(), services.postgres().host(), services.postgres().port(), database,
                services.postgresUser()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            run("down");
            services.postgres().dropDatabase(database);
        }));
    }

    @Test
    void locatePrintsGridCommunityStreetAndDistrict() {
        CliRun r = run("grids", "locate", "121.6431", "38.9152");
        assertThat(r.status()).isZero();
        assertThat(r.out()).containsPattern("grid\\s+2102020\\d{8}").contains("中山区 210202").contains("street").contains("community");
    }

    @Test
    void locateAcceptsWebMapCoordinatesAndAnswersJson() throws Exception {
        CliRun r = run("grids", "locate", "--gcj02", "--json", "121.6500", "38.9200");
        assertThat(r.status()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.path("grid").path("code").asText()).hasSize(15).startsWith(j.path("district").path("code").asText());
        assertThat(j.path("lon").asDouble()).isLessThan(121.65); // converted to WGS-84: west of the GCJ-02 input
    }

    @Test
    void aPointOutsideGetsAClearAnswerAndExitStatus3() {
        CliRun r = run("grids", "locate", "121.70", "38.75");
        assertThat(r.status()).isEqualTo(Gridwatch.NOT_FOUND);
        assertThat(r.out()).contains("outside the unit grids").contains("nearest district");
    }

    @Test
    void badCoordinatesAreRejectedWithTheReason() {
        CliRun letters = run("grids", "locate", "abc", "38.9");
        assertThat(letters.status()).isEqualTo(2);
        assertThat(letters.err()).contains("'abc' is not a double");
        CliRun range = run("grids", "locate", "121.6", "95");
        assertThat(range.status()).isEqualTo(1);
        assertThat(range.err()).contains("latitude must be a number within -90..90");
    }

    @Test
    void exportWritesGeoJsonThatSaysItIsSynthetic() throws Exception {
        Path file = home.resolve("out/communities.geojson");
        CliRun r = run("grids", "export", "--geojson", file.toString(), "--level", "community", "--district", "210203");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode fc = new ObjectMapper().readTree(file.toFile());
        assertThat(fc.path("type").asText()).isEqualTo("FeatureCollection");
        assertThat(fc.path("features")).hasSize(49);
        assertThat(fc.path("gridwatch").path("note").asText()).contains("SYNTHETIC");
        assertThat(fc.path("features").get(0).path("properties").path("synthetic").asBoolean()).isTrue();
        assertThat(fc.path("features").get(0).path("geometry").path("type").asText()).matches("(Multi)?Polygon");
        assertThat(run("grids", "export", "--geojson", file.toString(), "--level", "block").err()).contains("--level must be");
    }

    @Test
    void catalogueLooksUpCodes() {
        CliRun r = run("catalogue", "0406");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("event 0406  道路积水").contains("component 0406  雕塑");
        assertThat(run("catalogue", "--kind", "event", "0498").status()).isEqualTo(Gridwatch.NOT_FOUND);
    }

    @Test
    void aBrokenConfigurationNamesTheKey() throws Exception {
        Path bad = Files.writeString(home.resolve("bad.yaml"), "stack:\n  kafak: {}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Gridwatch.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                "--repo-root", home.toString(), "--config", bad.toString(), "status");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown key 'kafak'").contains("bad.yaml");
    }

    @Test
    void demoRunsEndToEndAndStoresWhatItShows() throws Exception {
        CliRun r = run("demo", "--day-seconds", "20");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("kafka     up").contains("created topics")
                .contains("68,246").contains("SYNTHETIC").contains("高新园区").contains("outside the unit grids")
                .contains("2101  城市防台防汛")
                // the city day runs through the services `up` starts, not a job of its own
                .containsPattern("ingest +up").containsPattern("pipeline +up").contains("./gridwatch down")
                .contains("13 of 13 expected found exactly").contains("nothing raised by the noise")
                .containsPattern("stored +([\\d,]+) of \\1 distinct valid readings").containsPattern("dead letters +(\\{.*}) on gw.deadletter.v1 \\(expected \\1\\)")
                .contains("2 district flood watches (expected 2)").doesNotContain("✗")
                .contains("道路积水").contains("升级为红色").contains("区域防汛预警")
                .contains("camera models").contains("tiles decided with their neighbours (4 context rounds)").contains("distractors only, night").contains("appear-and-stay (OpenCV MOG2)")
                .containsPattern("models +\\d of 8 scenes as expected");
        try (Connection c = TestServices.shared().postgres().connect(database);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*), count(DISTINCT community_code) FROM unit_grid")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(68_246);
            assertThat(rs.getInt(2)).isEqualTo(498);
        }
        assertThat(Files.size(home.resolve("var/demo/grids-xigang.geojson"))).isGreaterThan(100_000);
        assertThat(home.resolve("var/demo/models/scene-8.png")).isRegularFile();
        assertThat(Files.size(home.resolve("var/demo/models/stall-timelapse.mp4"))).isGreaterThan(10_000);

        // the services the demo used keep running; up again is harmless; down stops them and the stack, and status says so
        assertThat(run("up").status()).isZero();
        assertThat(run("status").out()).contains("kafka     up").containsPattern("pipeline +up").containsPattern("ingest +up");
        CliRun down = run("down");
        assertThat(down.out()).contains("stopped pid").containsPattern("pipeline +down .*stopped with savepoint");
        assertThat(run("status").out()).contains("kafka     down");
    }
}
