package io.gridwatch.cli;

import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch cameras import | list} as people use them, on the test PostgreSQL and the real Dalian grids. */
class CamerasCommandTest {

    @TempDir
    static Path home;
    static Path config;
    static Path workerConfig;

    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    @BeforeAll
    static void configure() throws Exception {
        TestServices services = TestServices.shared();
        String database = "gw_cameras_" + Long.toHexString(System.nanoTime());
        // the grid cache of the repository's var/ saves deriving the grids again; nothing else is written there
        Path repoVar = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath().resolve("var");
        String[] kafka = services.kafkaBootstrap().split(":");
        String stack = String.format("""
                  kafka: {host: %s, port: %s}
                  postgres: {host: %s, port: %d, database: %s, user: %s}
                """, kafka[0], kafka[1], services.postgres().host(), services.postgres().port(), database, services.postgresUser());
        config = Files.writeString(home.resolve("gridwatch.yaml"), "stack:\n  var_dir: " + repoVar + "\n" + stack);
        // the worker in its own JVM keeps its instance lock and heartbeat out of the repository's var/
        workerConfig = Files.writeString(home.resolve("worker.yaml"), "stack:\n  var_dir: " + home.resolve("var") + "\n" + stack);
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

    /**
     * CONTRACTS §7 for cameras: an imported camera's frames reach gw.frames.v1 with no other command than a running worker
     * (here `cameras run` in a JVM of its own, as `up` starts it); a corrupt stream and a wrong URL show in `cameras status`
     * with their errors while the good camera stays online; a killed worker's cameras are marked stale; `cameras remove`.
     */
    @Test
    void importedCamerasRunOnTheWorkerAndStatusShowsTheirHealth() throws Exception {
        String tag = Long.toHexString(System.nanoTime());
        String good = "cli-good-" + tag;
        String corrupt = "cli-corrupt-" + tag;
        String wrong = "cli-wrong-" + tag;
        Path clip = home.resolve("moving-" + tag + ".mp4");
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=320x240:r=25", "-t", "6",
                "-c:v", "libx264", "-g", "50", "-pix_fmt", "yuv420p", clip.toString()).redirectErrorStream(true).start();
        assertThat(ffmpeg.waitFor()).as(new String(ffmpeg.getInputStream().readAllBytes())).isZero();
        Path junk = Files.writeString(home.resolve("junk-" + tag + ".mp4"), "not a video at all\n".repeat(500));
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path yaml = Files.writeString(home.resolve("run-" + tag + ".yaml"), String.format("""
                cameras:
                  - {id: %s, url: "%s", location: {lon: 121.6431, lat: 38.9152}}
                  - {id: %s, url: "%s", location: {lon: 121.6431, lat: 38.9152}}
                  - {id: %s, url: "tcp://127.0.0.1:%d", location: {lon: 121.6431, lat: 38.9152}}
                """, good, clip, corrupt, junk, wrong, closedPort));
        Process worker = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), Gridwatch.class.getName(), "--repo-root", home.toString(),
                "--config", workerConfig.toString(), "cameras", "run", "--worker-id", "cli-worker-" + tag)
                .redirectErrorStream(true).redirectOutput(home.resolve("worker-" + tag + ".log").toFile()).start();
        try {
            CliRun imported = run("cameras", "import", yaml.toString());
            assertThat(imported.status()).as(imported.err()).isZero();
            assertThat(imported.out()).contains("imported 3 cameras", "published 3 camera definitions to gw.cameras.v1");

            assertThat(firstFrameKey(good)).isEqualTo(good); // frames flow with no other command

            java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> status = awaitStatus(st -> st.containsKey(good)
                    && st.get(good).path("state").asText().equals("ONLINE") && st.get(good).path("frames_out").asLong() > 0
                    && st.get(corrupt).path("errors").asLong() >= 1 && st.get(wrong).path("errors").asLong() >= 1);
            assertThat(status.get(good).path("worker").asText()).isEqualTo("cli-worker-" + tag);
            assertThat(status.get(good).path("errors").asLong()).isZero();
            assertThat(status.get(corrupt).path("last_error").asText()).contains(junk.toString());
            assertThat(status.get(wrong).path("last_error").asText()).contains("tcp://127.0.0.1:" + closedPort, "Connection refused");

            CliRun table = run("cameras", "status");
            assertThat(table.status()).as(table.err()).isZero();
            assertThat(table.out()).containsPattern(java.util.regex.Pattern.quote(good) + "\\s+ONLINE\\s+cli-worker-" + tag)
                    .containsPattern("cameras: \\d+ online / \\d+ registered");

            worker.destroyForcibly().waitFor(); // kill -9: its reports go stale
            awaitStatus(st -> st.get(good).path("stale").asBoolean());
            assertThat(run("cameras", "status").out()).containsPattern(java.util.regex.Pattern.quote(good) + "\\s+STALE ONLINE \\(\\d+ s ago; worker gone\\?\\)");
        } finally {
            worker.destroyForcibly();
            CliRun removed = run("cameras", "remove", good, corrupt, wrong, "cli-never-" + tag);
            assertThat(removed.status()).as(removed.err()).isEqualTo(3);
            assertThat(removed.out()).contains("removed 3 cameras");
            assertThat(removed.err()).contains("not registered: cli-never-" + tag);
        }
        assertThat(run("cameras", "list").out()).doesNotContain(good);
        assertThat(run("cameras", "status", "--json").out()).doesNotContain(good);
    }

    /** The key of the first record of gw.frames.v1 keyed {@code cameraId}, waiting up to a minute. */
    static String firstFrameKey(String cameraId) {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", TestServices.shared().kafkaBootstrap());
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(io.gridwatch.topics.Topics.FRAMES.name()).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long end = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < end) {
                for (var r : c.poll(java.time.Duration.ofMillis(500))) {
                    if (cameraId.equals(r.key())) {
                        return r.key();
                    }
                }
            }
        }
        throw new AssertionError("no frame of " + cameraId + " on gw.frames.v1 within a minute");
    }

    static java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> awaitStatus(
            java.util.function.Predicate<java.util.Map<String, com.fasterxml.jackson.databind.JsonNode>> cond) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> last = java.util.Map.of();
        while (System.currentTimeMillis() < end) {
            CliRun r = run("cameras", "status", "--json");
            assertThat(r.status()).as(r.err()).isZero();
            java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> now = new java.util.HashMap<>();
            for (String line : r.out().split("\n")) {
                if (!line.isBlank()) {
                    com.fasterxml.jackson.databind.JsonNode n = io.gridwatch.json.Json.mapper().readTree(line);
                    now.put(n.path("camera_id").asText(), n);
                }
            }
            last = now;
            try {
                if (cond.test(now)) {
                    return now;
                }
            } catch (NullPointerException notYet) {
                // a camera without a row yet
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError("camera status never as expected; last: " + last.values());
    }
}
