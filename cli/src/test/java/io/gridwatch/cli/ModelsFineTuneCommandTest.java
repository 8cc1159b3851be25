package io.gridwatch.cli;

import io.gridwatch.json.Json;
import io.gridwatch.models.cnn.FineTuner;
import io.gridwatch.models.cnn.ModelMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch models train --images DIR --labels CSV}: fine-tuning as people run it, on scenes {@code models generate} wrote. */
class ModelsFineTuneCommandTest {

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
    void trainWithImagesFineTunesBothModelsAndComparesThemOnTheHeldOutFrames() throws Exception {
        Path scenes = home.resolve("scenes");
        CliRun gen = run("models", "generate", "--out", scenes.toString(), "--count", "8");
        assertThat(gen.status()).as(gen.err()).isZero();
        Path labels = scenes.resolve("labels.csv");
        CliRun r = run("models", "train", "--images", scenes.toString(), "--labels", labels.toString(), "--epochs", "1", "--check-scenes", "0",
                "--refit-scenes", "5", "--seed", "5");
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("fine-tuning committed on 8 labelled images").contains("held out: ")
                .contains("start (committed) against fine-tuned, on the").contains("clean images with any class reported");
        Path out = home.resolve("var/models/fine-tuned");
        for (String task : new String[] {"objects", "snow"}) {
            ModelMetadata md = Json.mapper().readValue(out.resolve(task + ".json").toFile(), ModelMetadata.class);
            assertThat(md.fineTuning().images()).hasSize(8);
            assertThat(md.fineTuning().seed()).isEqualTo(5);
            assertThat(md.fineTuning().labelsFile()).isEqualTo(labels.toString());
            assertThat(md.command()).startsWith("gridwatch models train --images " + scenes).contains("--seed 5");
            assertThat(md.calibration()).isNotNull(); // kept from the committed model
        }
        assertThat(home.resolve("var/models/report/" + FineTuner.PREFIX + "summary.txt")).isRegularFile();

        // a bad labels file stops it before anything is trained, with the evaluation's own message
        Path bad = Files.writeString(home.resolve("bad.csv"), "image;label;x1;y1;x2;y2\n");
        CliRun b = run("models", "train", "--images", scenes.toString(), "--labels", bad.toString());
        assertThat(b.status()).isEqualTo(1);
        assertThat(b.err()).contains("bad.csv:1: the columns are separated by ';'");
        CliRun noTask = run("models", "train", "--seed", "3");
        assertThat(noTask.status()).isNotZero();
        assertThat(noTask.err()).contains("--task is required").contains("--images DIR --labels CSV");
        CliRun both = run("models", "train", "--images", scenes.toString(), "--labels", labels.toString(), "--task", "snow");
        assertThat(both.status()).isNotZero();
        assertThat(both.err()).contains("tunes both models");
    }
}
