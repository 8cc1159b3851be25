package io.gridwatch.models;

import io.gridwatch.models.cnn.ContextStage;
import io.gridwatch.models.cnn.ModelMetadata;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.Trainer;
import io.gridwatch.models.eval.TileScores;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.tiles.ScenePool;
import io.gridwatch.models.tiles.SceneSets;
import io.gridwatch.models.tiles.Tiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Training is reproducible and a model file holds everything the model needs (a tiny training run, a few seconds). */
class TileModelTest {

    @TempDir
    static Path dir;
    /** Eight held-out scenes: the first with snow is the seventh (with four, snow's figures were n/a — were 1.0 then). */
    static final Trainer.Options TINY = Trainer.Options.defaults(Task.SNOW).withSeed(11).withScenes(14).withEpochs(1).withValidation(6).withHeldOut(8, 2);
    static Trainer.Result first;

    @BeforeAll
    static void train() {
        first = new Trainer(new PrintStream(OutputStream.nullOutputStream())).train(TINY, dir.resolve("a"));
    }

    static List<byte[]> someTiles() {
        List<byte[]> tiles = new ArrayList<>();
        for (Scene s : ScenePool.heldOut(2)) {
            tiles.addAll(Tiles.cutFrame(s.image()).tiles());
        }
        return tiles;
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs() throws Exception {
        List<byte[]> tiles = someTiles();
        float[][] before = first.trained().tileScores(tiles);
        float[][] after = first.model().tileScores(tiles);
        assertThat(after).isDeepEqualTo(before);
        // and whole frames through the context stage and the decision factors
        Scene s = ScenePool.heldOut(3).get(2);
        assertThat(first.model().predictFrame(s.image()).probs()).isDeepEqualTo(first.trained().predictFrame(s.image()).probs());
        assertThat(first.model().hasContextStage()).isTrue();
        // the rounds are applied: without them (same net, prior and factors) the frame comes out otherwise
        ModelMetadata m = first.model().metadata();
        TileClassifier withoutRounds = new TileClassifier(Task.SNOW, first.model().net(), first.model().normalizer(), new ModelMetadata(m.task(),
                m.classes(), m.modelFile(), m.fileBytes(), m.parameters(), m.generatorVersion(), m.input(), m.normalisation(), m.priorCorrection(),
                null, m.calibration(), m.training(), m.heldOut(), m.metrics(), m.command()));
        assertThat(withoutRounds.predictFrame(s.image()).probs()).isNotEqualTo(first.model().predictFrame(s.image()).probs());
        // the normaliser fitted on the training tiles travels inside the zip
        assertThat(first.model().normalizer().getMean()).isEqualTo(first.trained().normalizer().getMean());
        assertThat(first.model().normalizer().getStd()).isEqualTo(first.trained().normalizer().getStd());
        ModelMetadata md = first.model().metadata();
        assertThat(md.training().sceneSeeds()).isEqualTo("11·10^7 + 0..13");
        assertThat(md.normalisation().mean()).containsExactly(first.trained().normalizer().getMean().toDoubleVector());
        assertThat(md.fileBytes()).isEqualTo(Files.size(dir.resolve("a/snow.zip"))).isLessThan(2L * 1024 * 1024);
        assertThat(md.metrics().confusion()).isDeepEqualTo(first.heldOut().confusion().counts());
        // the model read back, measured afresh on the same held-out scenes through the evaluation path, gives the stored figures
        assertThat(TileScores.ofScenes(first.model(), ScenePool.heldOut(TINY.heldOut())).confusion().counts()).isDeepEqualTo(md.metrics().confusion());
        // snow is over-represented in training (every other scene snowed on, none-tiles thinned): its prior factor is < 1
        assertThat(md.priorCorrection()[0]).isEqualTo(1.0);
        assertThat(md.priorCorrection()[1]).isBetween(0.01, 0.99);
        // the context stage and the decision factors were fitted on validation scenes of seed 11 (11·10^7 + 9·10^6 + i):
        // neither training nor held out
        assertThat(md.context()).hasSize(4).allSatisfy(round -> {
            assertThat(round.features()).isEqualTo(ContextStage.featureNames(Task.SNOW)).hasSize(2 + 5 + 1);
            assertThat(round.weights()).hasDimensions(2, 9);
        });
        assertThat(md.calibration().sceneSeeds()).isEqualTo("119000000..119000005");
        assertThat(md.calibration().scenes()).isEqualTo(6);
        assertThat(md.calibration().distractorScenes()).isZero();
        assertThat(md.calibration().factors()).hasSize(2).startsWith(1.0);
        assertThat(md.calibration().meanF1After()).isGreaterThanOrEqualTo(md.calibration().meanF1Before());
        assertThat(md.calibration().meanF1TileAlone()).isBetween(0.0, 1.0);
    }

    @Test
    void theSameSeedGivesTheSameMetrics() {
        Trainer.Result again = new Trainer(new PrintStream(OutputStream.nullOutputStream())).train(TINY, dir.resolve("b"));
        ModelMetadata.Metrics a = first.model().metadata().metrics();
        ModelMetadata.Metrics b = again.model().metadata().metrics();
        assertThat(a.perClass().get("snow").support()).isPositive(); // else snow F1 is n/a, and nothing would be compared
        assertThat(b.accuracy()).isCloseTo(a.accuracy(), within(0.01));
        assertThat(b.perClass().get("snow").f1()).isCloseTo(a.perClass().get("snow").f1(), within(0.01));
        assertThat(b.distractorSpecificity()).isCloseTo(a.distractorSpecificity(), within(0.01));
    }

    @Test
    void heldOutSeedsAreNeverTrainingSeeds() {
        assertThat(SceneSets.trainingSeed(SceneSets.MAX_TRAINING_SEED, 9_999_999)).isLessThan(SceneSets.HELD_OUT_BASE);
        assertThatThrownBy(() -> SceneSets.trainingSeed(900, 0)).hasMessageContaining("held out");
        // training scenes stop where the validation scenes start
        assertThat(SceneSets.trainingSeed(7, SceneSets.VALIDATION_FROM - 1)).isLessThan(SceneSets.validationSeed(7, 0));
        assertThatThrownBy(() -> TINY.withScenes(SceneSets.VALIDATION_FROM + 1)).hasMessageContaining("training scenes must be");
    }
}
