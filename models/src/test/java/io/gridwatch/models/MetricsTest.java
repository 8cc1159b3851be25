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
