package io.gridwatch.models;

import io.gridwatch.models.eval.Calibration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The decision factors fitted on validation tiles, on examples small enough to check by hand. */
class CalibrationTest {

    @Test
    void aTimidClassIsGivenTheFactorThatFindsItWithoutTakingNone() {
        // two classes; the net gives the true positives only 0.30–0.40, the negatives 0.05–0.20:
        // argmax calls everything none (F1 0); any factor that lifts 0.30 over 0.70 and keeps 0.20 under 0.80 is perfect
        float[][] probs = {{0.7f, 0.3f}, {0.65f, 0.35f}, {0.6f, 0.4f}, {0.8f, 0.2f}, {0.9f, 0.1f}, {0.95f, 0.05f}};
        int[] truth = {1, 1, 1, 0, 0, 0};
        assertThat(Calibration.meanF1(truth, probs, new double[] {1, 1})).isZero();
        double[] w = Calibration.fit(truth, probs);
        assertThat(w[0]).isEqualTo(1.0);
        assertThat(w[1] * 0.3 / 0.7).isGreaterThan(1.0);
        assertThat(w[1] * 0.2 / 0.8).isLessThan(1.0);
        assertThat(Calibration.meanF1(truth, probs, w)).isEqualTo(1.0);
    }

    @Test
    void factorsOnlyEverRaiseTheValidationF1AndApplyRenormalises() {
        // three classes where plain argmax is already best: the factors stay where they do no harm
        float[][] probs = {{0.8f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.1f, 0.1f, 0.8f}, {0.4f, 0.35f, 0.25f}};
        int[] truth = {0, 1, 2, 0};
        double[] w = Calibration.fit(truth, probs);
        assertThat(Calibration.meanF1(truth, probs, w)).isEqualTo(1.0);
        float[] p = Calibration.apply(new float[] {0.5f, 0.25f, 0.25f}, new double[] {1, 2, 2});
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1f, within(1e-6f));
        assertThat(p[0]).isCloseTo(1 / 3f, within(1e-6f)); // 0.5 · 1 / (0.5 + 0.25 · 2 + 0.25 · 2)
    }
}
