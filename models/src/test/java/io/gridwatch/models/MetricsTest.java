package io.gridwatch.models;

import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.eval.ConfusionMatrix;
import io.gridwatch.models.eval.PrCurve;
import io.gridwatch.models.eval.TileScores;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Evaluation numbers recomputed from predictions on examples small enough to check by hand. */
class MetricsTest {

    @Test
    void confusionMatrixFromPredictions() {
        // truth:     none none none none stall stall stall garbage water water
        // predicted: none none stall none stall stall none garbage water garbage
        int[] truth = {0, 0, 0, 0, 1, 1, 1, 2, 3, 3};
        int[] pred = {0, 0, 1, 0, 1, 1, 0, 2, 3, 2};
        float[][] probs = new float[truth.length][];
        for (int i = 0; i < truth.length; i++) {
            probs[i] = new float[4];
            probs[i][pred[i]] = 0.7f;
            probs[i][(pred[i] + 1) % 4] = 0.3f;
        }
        TileScores s = new TileScores(Task.OBJECTS, truth, probs);
        ConfusionMatrix m = s.confusion();
        assertThat(m.count(0, 0)).isEqualTo(3);
        assertThat(m.count(0, 1)).isEqualTo(1);
        assertThat(m.count(1, 0)).isEqualTo(1);
        assertThat(m.count(3, 2)).isEqualTo(1);
        assertThat(m.total()).isEqualTo(10);
        // stall: 2 right of 3 predicted, 2 found of 3 → P = R = F1 = 2/3
        assertThat(m.precision(1)).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.recall(1)).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.f1(1)).isCloseTo(2 / 3.0, within(1e-12));
        // garbage: predicted twice, right once; the one garbage tile found → P 0.5, R 1, F1 2/3
        assertThat(m.precision(2)).isEqualTo(0.5);
        assertThat(m.recall(2)).isEqualTo(1.0);
        assertThat(m.f1(2)).isCloseTo(2 / 3.0, within(1e-12));
        // water: P 1, R 0.5
        assertThat(m.precision(3)).isEqualTo(1.0);
        assertThat(m.recall(3)).isEqualTo(0.5);
        assertThat(m.accuracy()).isEqualTo(0.7);
        assertThat(m.toCsv()).startsWith("truth,none,stall,garbage,water\nnone,3,1,0,0\n");
        assertThat(s.metrics(null).perClass().get("stall").f1()).isEqualTo(0.6667);
    }

    @Test
    void aClassWithNoExamplesIsNotAvailableNotOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // no water tile among the truth; one tile called water (a false alarm), garbage never predicted
        int[] truth = {0, 0, 1, 1, 2};
        int[] pred = {0, 3, 1, 1, 0};
        float[][] probs = new float[truth.length][];
        for (int i = 0; i < truth.length; i++) {
            probs[i] = new float[4];
            probs[i][pred[i]] = 0.8f;
            probs[i][(pred[i] + 1) % 4] = 0.2f;
        }
        TileScores s = new TileScores(Task.OBJECTS, truth, probs);
        ConfusionMatrix m = s.confusion();
        assertThat(m.recall(3)).isNaN();
        assertThat(m.f1(3)).isNaN();
        assertThat(m.precision(3)).isEqualTo(0.0); // it was called, wrongly
        assertThat(s.prCurve(3).averagePrecision()).isNaN();
        assertThat(m.precision(2)).isNaN(); // never predicted: nothing to be precise about
        assertThat(m.recall(2)).isEqualTo(0.0);
        assertThat(m.f1(2)).isEqualTo(0.0);
        var water = s.metrics(null).perClass().get("water");
        assertThat(water.recall()).isNull();
        assertThat(water.f1()).isNull();
        assertThat(water.averagePrecision()).isNull();
        assertThat(water.support()).isZero();
        assertThat(s.metrics(null).distractorSpecificity()).isNull();
        // the report says n/a where the figure is not defined, and JSON null
        io.gridwatch.models.eval.ReportWriter w = new io.gridwatch.models.eval.ReportWriter(dir, "p-", "t");
        String text = w.add("objects", s, null);
        assertThat(text).containsPattern("water +0\\.0000 +n/a +n/a +n/a +0\n").containsPattern("garbage +n/a +0\\.0000 +0\\.0000 ");
        w.finish();
        String json = java.nio.file.Files.readString(dir.resolve("p-metrics.json"));
        assertThat(json.replaceAll("\\s", "")).contains("\"water\":{\"precision\":0.0,\"recall\":null,\"f1\":null,\"support\":0,\"average_precision\":null}");
        // the decision factors are fitted on the classes that have examples only
        assertThat(io.gridwatch.models.eval.Calibration.meanF1(truth, probs, new double[] {1, 1, 1, 1}))
                .isCloseTo((1.0 + 0.0) / 2, within(1e-12));
    }

    @Test
    void specificityIsTheShareCalledNone() {
        int[] truth = new int[200];
        float[][] probs = new float[200][];
        for (int i = 0; i < 200; i++) {
            probs[i] = i < 3 ? new float[] {0.2f, 0.8f} : new float[] {0.9f, 0.1f};
        }
        assertThat(new TileScores(Task.SNOW, truth, probs).shareNone()).isEqualTo(197 / 200.0);
    }

    @Test
    void prCurveAndAveragePrecision() {
        // scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.1 (neg): at 0.9 P=1 R=.5; at 0.8 P=.5 R=.5; at 0.7 P=2/3 R=1
        PrCurve pr = new PrCurve(new double[] {0.1, 0.7, 0.9, 0.8}, new boolean[] {false, true, true, false});
        List<PrCurve.Point> p = pr.points();
        assertThat(p.get(0)).isEqualTo(new PrCurve.Point(0.9, 1.0, 0.5));
        assertThat(p.get(1).precision()).isEqualTo(0.5);
        assertThat(p.get(2).precision()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(p.get(2).recall()).isEqualTo(1.0);
        // AP = 0.5·1 + 0·0.5 + 0.5·2/3
        assertThat(pr.averagePrecision()).isCloseTo(0.5 + 1 / 3.0, within(1e-12));
    }

    @Test
    void tileTruthFollowsCoverage() {
        int total = 64 * 64;
        int[] count = new int[5];
        count[0] = total;
        assertThat(Task.OBJECTS.label(count, total)).isZero();
        count[SceneClass.STALL.ordinal()] = (int) (0.25 * total);
        assertThat(Task.OBJECTS.label(count, total)).isEqualTo(1);
        count[SceneClass.GARBAGE.ordinal()] = (int) (0.05 * total); // two classes in one tile: left out
        assertThat(Task.OBJECTS.label(count, total)).isEqualTo(Task.AMBIGUOUS);
        int[] little = new int[5];
        little[SceneClass.WATER.ordinal()] = (int) (0.05 * total); // a sliver: neither water nor clearly none
        assertThat(Task.OBJECTS.label(little, total)).isEqualTo(Task.AMBIGUOUS);
        int[] snow = new int[5];
        snow[SceneClass.SNOW.ordinal()] = total / 2;
        snow[SceneClass.STALL.ordinal()] = total / 4;
        assertThat(Task.SNOW.label(snow, total)).isEqualTo(1); // snow under a stall is still snow
    }
}
