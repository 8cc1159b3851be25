package io.gridwatch.cli;

import io.gridwatch.json.Json;
import io.gridwatch.models.cnn.ModelMetadata;
import io.gridwatch.models.scene.SceneGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch models generate | evaluate | train} as people use them (no services needed). */
class ModelsCommandTest {

    @TempDir
    static Path home;
    static Path config;

    @BeforeAll
    static void configure() throws Exception {
        config = Files.writeString(home.resolve("gridwatch.yaml"), "stack:\n  var_dir: var\n");
    }

    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    @Test
    void generatedScenesAreMeasuredThroughThePhotoPath() throws Exception {
        Path scenes = home.resolve("scenes");
        CliRun gen = run("models", "generate", "--out", scenes.toString(), "--count", "6");
        assertThat(gen.status()).as(gen.err()).isZero();
        assertThat(gen.out()).contains("6 scenes (generator v" + SceneGenerator.VERSION + ", seeds 9800000000..9800000005)");
        List<String> csv = Files.readAllLines(scenes.resolve("labels.csv"));
        assertThat(csv.get(0)).isEqualTo("image,label,x1,y1,x2,y2");
        assertThat(csv.subList(1, csv.size())).allMatch(l -> l.matches("scene-98000000\\d\\d\\.png,(stall|garbage|water|snow),[01]\\.\\d{4}(,[01]\\.\\d{4}){3}")
                || l.matches("scene-98000000\\d\\d\\.png,none,,,,"));
        assertThat(scenes.resolve("scene-9800000005.png")).isRegularFile();
        assertThat(scenes.resolve("scene-9800000005-mask.png")).isRegularFile();

        // the generated-scene report and the photo report share the default-style folder without overwriting each other
        Path report = home.resolve("photo-report");
        CliRun held = run("models", "evaluate", "--scenes", "2", "--distractor-scenes", "1", "--report", report.toString());
        assertThat(held.status()).as(held.err()).isZero();
        String heldSummary = Files.readString(report.resolve("summary.txt"));
        CliRun ev = run("models", "evaluate", "--images", scenes.toString(), "--labels", scenes.resolve("labels.csv").toString(),
                "--report", report.toString());
        assertThat(ev.status()).as(ev.err()).isZero();
        assertThat(ev.out()).contains("your photos: 6 labelled images").contains("objects — ").contains("snow — ")
                .contains("image level (6 frames)").contains("confusion matrix");
        assertThat(Files.readString(report.resolve("summary.txt"))).isEqualTo(heldSummary).startsWith("held-out generated scenes");
        // a line per image: what it is labelled, what was found where with what score, and what was missed
        List<String> lines = ev.out().lines().filter(l -> l.startsWith("  scene-98")).toList();
        assertThat(lines).hasSize(6).allMatch(l -> l.matches("  scene-98000000\\d\\d\\.png: labelled (none|[a-z, ]+); found (nothing|"
                + "((stall|garbage|water|snow) [01]\\.\\d\\d at \\[[01]\\.\\d\\d(,[01]\\.\\d\\d){3}\\] \\((right|elsewhere|false)\\)(, )?)+)"
                + "(; missed [a-z, ]+)?"), "a per-image line");
        for (int i = 0; i < 6; i++) {
            assertThat(report.resolve("photos-overlays/scene-980000000" + i + ".jpg")).isRegularFile();
        }
        // the confusion matrix in the report adds up to the tiles the summary counts
        String summary = Files.readString(report.resolve("photos-summary.txt"));
        assertThat(summary).contains(lines.get(0));
        long tiles = Long.parseLong(summary.replaceAll("(?s).*objects — ([\\d,]+) tiles.*", "$1").replace(",", ""));
        long sum = Files.readAllLines(report.resolve("photos-objects-confusion.csv")).stream().skip(1)
                .flatMap(l -> java.util.Arrays.stream(l.split(",")).skip(1)).mapToLong(Long::parseLong).sum();
        assertThat(sum).isEqualTo(tiles).isPositive();
        assertThat(report.resolve("photos-objects-pr.png")).isRegularFile();
        assertThat(report.resolve("photos-metrics.json")).isRegularFile();
        assertThat(report.resolve("photos-images.csv")).isRegularFile();

        // a labels file with a mistake: every problem with its line, in plain words, and nothing evaluated
        Path wrong = Files.writeString(home.resolve("wrong.csv"), "image,label,x1,y1,x2,y2\nscene-9800000000.png,stall,,,,\n"
                + "scene-9800000001.png,none,0.1,0.1,0.2,0.2\n");
        CliRun mistaken = run("models", "evaluate", "--images", scenes.toString(), "--labels", wrong.toString(), "--report", report.toString());
        assertThat(mistaken.status()).isEqualTo(1);
        assertThat(mistaken.err()).contains("2 problems in the labels, nothing evaluated").contains("wrong.csv:2: a stall row needs its box")
                .contains("wrong.csv:3: a none row has a box");
        assertThat(mistaken.out()).doesNotContain("scene-98");

        CliRun bad = run("models", "evaluate", "--images", scenes.toString());
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("--images and --labels go together");
    }

    @Test
    void aScenarioClipComesWithItsTruthAndACameraFileThatReadsBack() throws Exception {
        Path out = home.resolve("water");
        CliRun r = run("models", "generate", "--clip", "--scenario", "water", "--seed", "3", "--seconds-per-frame", "60", "--before-minutes", "2",
                "--stay-minutes", "6", "--after-minutes", "2", "--out", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("scenario water, 10 frames 320x240 H.264").contains("water from frame 2 to 7");
        assertThat(Files.size(out.resolve("water.mp4"))).isGreaterThan(5_000);
        var truth = Json.mapper().readTree(out.resolve("water.json").toFile());
        assertThat(truth.get("expect").asText()).isEqualTo("water");
        assertThat(truth.get("steps")).hasSize(10);
        assertThat(truth.get("steps").get(1).get("box").isNull()).isTrue();
        assertThat(truth.get("steps").get(4).get("box")).hasSize(4);
        // the camera file is one `cameras import` takes: its url the clip, a roadway zone, a calibration
        var cams = io.gridwatch.camera.CameraFile.read(Files.readString(out.resolve("water.yaml")), "water.yaml",
                io.gridwatch.camera.CameraFile.Checks.FORMAT_ONLY);
        assertThat(cams.get(0).url()).isEqualTo(out.resolve("water.mp4").toAbsolutePath().toString());
        assertThat(cams.get(0).zones().get(0).purpose().id()).isEqualTo("roadway");
        assertThat(cams.get(0).calibration()).isPresent();

        CliRun bad = run("models", "generate", "--clip", "--scenario", "flood", "--out", out.toString());
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown scenario 'flood' (known: stall, bin, water, people, static)");
    }

    @Test
    void evaluateOnHeldOutScenesWritesTheReport() throws Exception {
        Path report = home.resolve("held-out-report");
        CliRun r = run("models", "evaluate", "--scenes", "6", "--distractor-scenes", "3", "--report", report.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("held-out generated scenes (generator v" + SceneGenerator.VERSION + "): 6 mixed").containsPattern("stall +\\d\\.\\d{4} +\\d\\.\\d{4}")
                .contains("specificity on distractor-only scenes:");
        assertThat(report.resolve("snow-pr.png")).isRegularFile();
        assertThat(Files.readString(report.resolve("metrics.json"))).contains("\"distractor_specificity\"");
    }

    @Test
    void trainWritesASmallModelWithItsMetadata() throws Exception {
        Path out = home.resolve("trained");
        CliRun r = run("models", "train", "--task", "snow", "--seed", "3", "--scenes", "16", "--epochs", "1", "--validation-scenes", "5",
                "--held-out", "4", "--distractor-scenes", "2", "--out", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("training snow: seed 3, 16 scenes").contains("trained 1 model");
        ModelMetadata md = Json.mapper().readValue(out.resolve("snow.json").toFile(), ModelMetadata.class);
        assertThat(md.training().seed()).isEqualTo(3);
        assertThat(md.generatorVersion()).isEqualTo(SceneGenerator.VERSION);
        assertThat(md.normalisation().mean()).hasSize(3);
        assertThat(md.calibration().sceneSeeds()).isEqualTo("39000000..39000004"); // validation scenes of seed 3
        assertThat(md.context()).hasSize(4).allSatisfy(round -> assertThat(round.features()).hasSize(8)); // the context rounds, fitted on them
        assertThat(md.fileBytes()).isEqualTo(Files.size(out.resolve("snow.zip"))).isLessThan(2 * 1024 * 1024);

        CliRun bad = run("models", "train", "--task", "rain");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).contains("unknown task 'rain'");
    }

    @Test
    void generateWritesAnH264Clip() throws Exception {
        Path out = home.resolve("clip");
        CliRun r = run("models", "generate", "--clip", "--out", out.toString(), "--seconds-per-frame", "30", "--stay-minutes", "5");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("H.264 (libopenh264)").contains("the stall stands from frame 10 to 19");
        assertThat(Files.size(out.resolve("clip.mp4"))).isGreaterThan(5_000);
        assertThat(Files.readString(out.resolve("clip.json"))).contains("\"stall_from_frame\" : 10");
    }
}
