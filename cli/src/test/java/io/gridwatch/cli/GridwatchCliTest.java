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
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        OwnStack stack = OwnStack.in(home, "gw_cli_");
        database = stack.database();
        config = stack.config();
        Runtime.getRuntime().addShutdownHook(new Thread(stack::down));
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
        assertThat(r.status()).as(r.out() + r.err()).isZero();
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

        // the camera step: real stream servers (RTSP through the relay, MPEG-TS over TCP) → the camera workers → the video job
        assertThat(r.out()).contains("RTSP via the rtsp-server-perl relay").contains("MPEG-TS over TCP from ffmpeg")
                .containsPattern("cameras +stall → 0501, bin → 0102, water → 0406 \\(camera \\+ gauge\\), people → nothing; (\\d+) evidence "
                        + "pictures under .* \\(\\1 matching their SHA-256\\)");
        Map<String, List<JsonNode>> byCamera = new HashMap<>();
        try (Connection c = TestServices.shared().postgres().connect(database);
             ResultSet rs = c.createStatement().executeQuery("SELECT payload::text FROM gw_case")) {
            while (rs.next()) {
                JsonNode k = new ObjectMapper().readTree(rs.getString(1));
                k.path("sources").forEach(s -> {
                    if (s.path("type").asText().equals("camera")) {
                        byCamera.computeIfAbsent(s.path("id").asText().replaceFirst("^demo-\\d{6}-", ""), x -> new ArrayList<>()).add(k);
                    }
                });
            }
        }
        // people walking past and standing about raise nothing; the others one case each (the bin's two zones share one)
        assertThat(byCamera.keySet()).containsExactlyInAnyOrder("cam-stall", "cam-bin", "cam-water");
        JsonNode stall = byCamera.get("cam-stall").get(0);
        assertThat(byCamera.get("cam-stall")).hasSize(1);
        assertThat(stall.path("category").path("code").asText()).isEqualTo("0501");
        assertThat(stall.path("status").asText()).isEqualTo("verified");
        assertThat(stall.path("evidence").findValuesAsText("uri")).anyMatch(u -> u.contains("-appeared-")).anyMatch(u -> u.contains("-confirmed-"))
                .anyMatch(u -> u.contains("-latest-")).anyMatch(u -> u.contains("-cleared-"));
        assertThat(byCamera.get("cam-bin").stream().map(k -> k.path("case_id").asText()).distinct()).hasSize(1);
        assertThat(byCamera.get("cam-bin").get(0).path("category").path("code").asText()).isEqualTo("0102");
        // water seen by the camera and measured by the gauge beside it: one case, two sources
        assertThat(byCamera.get("cam-water")).hasSize(1);
        JsonNode water = byCamera.get("cam-water").get(0);
        assertThat(water.path("category").path("code").asText()).isEqualTo("0406");
        assertThat(water.path("sources").findValuesAsText("type")).containsExactlyInAnyOrder("camera", "sensor");
        assertThat(water.path("status").asText()).isEqualTo("verified");
        // every evidence picture is there, as its hash says
        for (List<JsonNode> cases : byCamera.values()) {
            for (JsonNode k : cases) {
                for (JsonNode e : k.path("evidence")) {
                    if (e.path("type").asText().equals("frame")) {
                        byte[] picture = Files.readAllBytes(Path.of(URI.create(e.path("uri").asText())));
                        assertThat(io.gridwatch.evidence.FileEvidenceStore.sha256(picture)).isEqualTo(e.path("sha256").asText());
                    }
                }
            }
        }
        // the stream servers did not outlive the demo
        java.util.regex.Matcher pids = java.util.regex.Pattern.compile("\\(pid (\\d+)\\)").matcher(r.out().substring(r.out().indexOf("== 8.")));
        List<Long> servers = new ArrayList<>();
        while (pids.find()) {
            servers.add(Long.parseLong(pids.group(1)));
        }
        assertThat(servers).hasSizeGreaterThanOrEqualTo(5); // the relay and four ffmpeg
        assertThat(servers.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))).isEmpty();

        // the services the demo used keep running; up again is harmless; down stops them and the stack, and status says so
        assertThat(run("up").status()).isZero();
        assertThat(run("status").out()).contains("kafka     up").containsPattern("pipeline +up").containsPattern("ingest +up");
        CliRun down = run("down");
        assertThat(down.out()).contains("stopped pid").containsPattern("pipeline +down .*stopped with savepoint");
        assertThat(run("status").out()).contains("kafka     down");
    }
}
