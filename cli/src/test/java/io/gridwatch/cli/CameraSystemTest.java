package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.json.Json;
import io.gridwatch.stack.Snapshot;
import io.gridwatch.stack.Snapshots;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A camera case through the commands a person runs, with the job killed the way it happens: {@code up}; a scripted stall
 * clip ({@code models generate --clip --scenario stall}) registered with {@code cameras import} (a file camera, played at
 * its own pace by the camera workers); a short dwell rule pushed with {@code rules push}; the job ({@code gridwatch
 * pipeline}) killed with SIGKILL while the stall is seen but not yet confirmed, and started again by {@code up}. The
 * stall must still raise exactly one 0501 case whose dwell began before the crash, with its evidence pictures on disk
 * matching their SHA-256 and the real face pasted into the clip (a photograph from Debian's opencv-doc) blurred in every
 * one, and the case must end (auto-verified) when the stall is taken away.
 *
 * <p>Its own stack on free ports and its own var directory, like {@link WholeSystemTest}.
 */
class CameraSystemTest {

    private static final String CAMERA = "cam-sys-" + Long.toHexString(System.nanoTime());
    private static final Duration WAIT = Duration.ofSeconds(150);

    @TempDir
    static Path home;
    static OwnStack stack;

    static CliRun run(String... args) {
        return stack.run(args);
    }

    @BeforeAll
    static void configure() throws Exception {
        stack = OwnStack.in(home, "gw_cam_");
    }

    @AfterAll
    static void down() {
        stack.down();
    }

    @Test
    void aStallSeenAcrossAKilledJobRaisesOneCaseWithItsEvidenceAndEndsWhenTakenAway() throws Exception {
        // the clip: 0.2 s a frame as played; 20 s empty, the stall for 60 s, 20 s empty (then it loops: the camera is removed before)
        Path clips = Files.createDirectories(home.resolve("clips"));
        CliRun gen = run("models", "generate", "--clip", "--scenario", "stall", "--seed", "1", "--seconds-per-frame", "6",
                "--before-minutes", "10", "--stay-minutes", "30", "--after-minutes", "10", "--out", clips.toString());
        assertThat(gen.status()).as(gen.out() + gen.err()).isZero();
        // a real face in view, outside the zone (a passer-by close to the camera): Debian opencv-doc's Messi, head and shoulders
        Path face = clips.resolve("face.png");
        ffmpeg("-i", MESSI.toString(), "-vf", "crop=90:90:200:70", face.toString());
        Path clip = clips.resolve("stall-face.mp4");
        ffmpeg("-i", clips.resolve("stall.mp4").toString(), "-i", face.toString(), "-filter_complex", "[0][1]overlay=" + FACE_AT + ":" + FACE_AT,
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-g", "10", "-keyint_min", "10", "-sc_threshold", "0",
                "-pix_fmt", "yuv420p", "-an", clip.toString());
        Path still = clips.resolve("still.png");
        ffmpeg("-i", clip.toString(), "-frames:v", "1", still.toString());
        double faceSharpness = sharpness(Files.readAllBytes(still));
        Path yaml = Files.writeString(clips.resolve("camera.yaml"), Files.readString(clips.resolve("stall.yaml"))
                .replace("cam-scenario-stall", CAMERA).replace(clips.resolve("stall.mp4").toAbsolutePath().toString(), clip.toString()));
        assertThat(Files.readString(yaml)).contains(clip.toString());

        CliRun up = run("up");
        assertThat(up.status()).as(up.out() + up.err()).isZero();

        // stay 30 s (≈ 15 sampled frames), forgive 6 s unseen, end 6 s after it is gone
        Path rule = Files.writeString(home.resolve("rule.json"), "{\"schema\":1,\"rule_id\":\"stall." + CAMERA + "\",\"family\":\"dwell.stall\","
                + "\"kind\":\"dwell\",\"scope\":{\"camera\":\"" + CAMERA + "\",\"purpose\":\"no_vending\"},\"object\":\"stall\","
                + "\"category\":{\"kind\":\"event\",\"code\":\"0501\"},\"stay_s\":30,\"max_gap_s\":6,\"clear_s\":6,\"min_score\":0.6,"
                + "\"latest_every_s\":10}");
        CliRun push = run("rules", "push", rule.toString());
        assertThat(push.status()).as(push.out() + push.err()).isZero();
        CliRun imported = run("cameras", "import", yaml.toString());
        assertThat(imported.status()).as(imported.out() + imported.err()).isZero();

        // the job sees the stall (its observations say so), keeps it in a checkpoint or two, and is killed before confirming it
        long seenAt = awaitStallObserved();
        Snapshots snapshots = new Snapshots(home.resolve("var/checkpoints/sensor-pipeline"), home.resolve("var/savepoints/sensor-pipeline"));
        long now = snapshots.newest().map(Snapshot::number).orElse(0L);
        waitUntil(Duration.ofMillis(300), () -> snapshots.newest().map(Snapshot::number).orElse(0L) >= now + 2);
        assertThat(casesOfCamera()).as("killed before the stall was confirmed").isEmpty();
        long pid = Long.parseLong(Files.readString(home.resolve("var/run/pipeline.pid")).strip());
        ProcessHandle job = ProcessHandle.of(pid).orElseThrow();
        assertThat(job.destroyForcibly()).isTrue(); // SIGKILL
        job.onExit().get();
        System.out.printf("pipeline killed %.1f s after the stall was first observed%n", (System.currentTimeMillis() - seenAt) / 1e3);

        CliRun again = run("up");
        assertThat(again.status()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("had died").containsPattern("pipeline +up");
        assertThat(Files.readString(home.resolve("var/log/pipeline.log"))).contains("resuming from checkpoint chk-");

        // one case, raised after the restart, its dwell begun before the crash; it ends when the stall has gone
        waitUntil(Duration.ofSeconds(2), () -> casesOfCamera().stream().anyMatch(c -> c.path("status").asText().equals("verified")));
        CliRun removed = run("cameras", "remove", CAMERA); // before the clip loops and the stall comes back
        assertThat(removed.status()).as(removed.out() + removed.err()).isZero();
        Thread.sleep(5_000); // and no second case follows
        List<JsonNode> cases = casesOfCamera();
        assertThat(cases).as("one case per problem, across the crash").hasSize(1);
        JsonNode c = cases.get(0);
        assertThat(c.path("category").path("code").asText()).isEqualTo("0501");
        assertThat(c.path("first_seen").asLong()).as("the stall was first seen before the crash").isLessThanOrEqualTo(seenAt);
        assertThat(c.path("grid").path("code").asText()).hasSize(15);

        List<String> roles = new ArrayList<>();
        for (JsonNode e : c.path("evidence")) {
            if (!e.path("type").asText().equals("frame")) {
                continue;
            }
            Path file = Path.of(URI.create(e.path("uri").asText()));
            assertThat(file).as("evidence on disk").isRegularFile();
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
            assertThat(sha).as("the case's hash of " + file).isEqualTo(e.path("sha256").asText());
            roles.add(file.getFileName().toString()); // <time>-<role>-<hash>.jpg
            assertThat(sharpness(Files.readAllBytes(file))).as("the face in %s is blurred (sharpness in the clip %.0f)", file, faceSharpness)
                    .isLessThan(faceSharpness / 10);
        }
        assertThat(String.join(" ", roles)).contains("appeared").contains("confirmed").contains("cleared");
    }

    /** Debian opencv-doc's photograph of Lionel Messi (548×342); his face at (226, 96), 33×30 px. */
    static final Path MESSI = Path.of("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");
    /** Where the 90×90 crop from (200, 70) is pasted into the clip; the face is then at FACE_AT + (26, 26). */
    static final int FACE_AT = 10;

    private static void ffmpeg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
    }

    /** Variance of the Laplacian of the grey picture over the pasted face: what blurring takes away. */
    private static double sharpness(byte[] picture) {
        try (org.bytedeco.opencv.opencv_core.Mat gray = org.bytedeco.opencv.global.opencv_imgcodecs.imdecode(
                new org.bytedeco.opencv.opencv_core.Mat(new org.bytedeco.javacpp.BytePointer(picture)),
                org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE);
             org.bytedeco.opencv.opencv_core.Mat roi = new org.bytedeco.opencv.opencv_core.Mat(gray,
                     new org.bytedeco.opencv.opencv_core.Rect(FACE_AT + 26, FACE_AT + 26, 33, 30));
             org.bytedeco.opencv.opencv_core.Mat lap = new org.bytedeco.opencv.opencv_core.Mat();
             org.bytedeco.opencv.opencv_core.Mat mean = new org.bytedeco.opencv.opencv_core.Mat();
             org.bytedeco.opencv.opencv_core.Mat std = new org.bytedeco.opencv.opencv_core.Mat()) {
            assertThat(gray.cols()).as("evidence at the clip's size").isEqualTo(320);
            org.bytedeco.opencv.global.opencv_imgproc.Laplacian(roi, lap, org.bytedeco.opencv.global.opencv_core.CV_64F);
            org.bytedeco.opencv.global.opencv_core.meanStdDev(lap, mean, std);
            double sd = new org.bytedeco.javacpp.DoublePointer(std.data()).get();
            return sd * sd;
        }
    }

    /** Reads gw.observations.v1 until the job has seen the stall in the camera's zone; returns the capture time of that frame. */
    private static long awaitStallObserved() throws Exception {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + stack.kafkaPort(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-cam-sys-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(Topics.OBSERVATIONS.name()));
            long deadline = System.nanoTime() + WAIT.toNanos();
            int seen = 0;
            double best = 0;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode o = Json.mapper().readTree(r.value());
                    if (o.path("camera").asText().equals(CAMERA)) {
                        seen++;
                        if (o.path("object").asText().equalsIgnoreCase("stall")) {
                            best = Math.max(best, o.path("score").asDouble());
                        }
                    }
                    if (o.path("camera").asText().equals(CAMERA) && o.path("object").asText().equalsIgnoreCase("stall")
                            && o.path("score").asDouble() >= 0.6) {
                        return o.path("ts").asLong();
                    }
                }
            }
            System.out.println(run("cameras", "status").out());
            for (String log : List.of("cameras.log", "pipeline.log")) {
                List<String> lines = Files.readAllLines(home.resolve("var/log").resolve(log));
                System.out.println("---- " + log + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            }
            throw new AssertionError("the job did not observe the stall within " + WAIT.toSeconds() + " s (" + seen
                    + " observations of the camera, best stall score " + best + ")");
        }
    }

    private static List<JsonNode> casesOfCamera() throws Exception {
        return stack.casesOf(CAMERA);
    }

    private static void waitUntil(Duration every, Callable<Boolean> condition) throws Exception {
        OwnStack.waitUntil(WAIT, every, condition);
    }
}
