package io.gridwatch.models.eval;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The decision rule of a tile model, fitted on validation tiles: per class a factor on its
 * probability, the tile going to the class of highest weighted probability. The factors are
 * chosen to maximise the mean F1 of the object classes (every class but none), one class at a
 * time over a grid of factors from e^−4 to e^4, a few rounds. The trainer fits them on scenes
 * from the training seed's own range that no training step used, never on the held-out sets.
 */
public final class Calibration {

    private static final int ROUNDS = 3;
    private static final double STEP = 0.1;
    private static final double SPAN = 4.0;

    private Calibration() {
    }

    /** Factors {@code w} ({@code w[0] = 1}) for predicting {@code argmax p[c]·w[c]}. */
    public static double[] fit(int[] truth, float[][] probs) {
        int k = probs.length == 0 ? 1 : probs[0].length;
        double[] w = new double[k];
        Arrays.fill(w, 1.0);
        double best = meanF1(truth, probs, w);
        for (int round = 0; round < ROUNDS; round++) {
            boolean moved = false;
            for (int c = 1; c < k; c++) {
                double keep = w[c];
                double bestW = keep;
                for (double t = -SPAN; t <= SPAN + 1e-9; t += STEP) {
                    w[c] = Math.exp(t);
                    double f = meanF1(truth, probs, w);
                    if (f > best + 1e-12) {
                        best = f;
                        bestW = w[c];
                    }
                }
                w[c] = bestW;
                moved |= bestW != keep;
            }
            if (!moved) {
                break;
            }
        }
        for (int c = 0; c < k; c++) {
            w[c] = Math.round(w[c] * 10000) / 10000.0;
        }
        return w;
    }

    /**
     * The mean F1 over classes 1..k−1 of {@code argmax p[c]·w[c]}, through {@link ConfusionMatrix} as every reported F1;
     * a class with no examples (F1 n/a) is left out of the mean, and with none that has any the mean is NaN.
     */
    public static double meanF1(int[] truth, float[][] probs, double[] w) {
        int k = w.length;
        ConfusionMatrix m = new ConfusionMatrix(IntStream.range(0, k).mapToObj(Integer::toString).toList());
        for (int i = 0; i < truth.length; i++) {
            m.add(truth[i], argmax(probs[i], w));
        }
        double sum = 0;
        int defined = 0;
        for (int c = 1; c < k; c++) {
            double f = m.f1(c);
            if (!Double.isNaN(f)) {
                sum += f;
                defined++;
            }
        }
        return defined == 0 ? Double.NaN : sum / defined;
    }

    /** Probabilities times factors, renormalised. */
    public static float[] apply(float[] p, double[] w) {
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            sum += p[c] * w[c];
        }
        float[] out = new float[p.length];
        for (int c = 0; c < p.length; c++) {
            out[c] = (float) (p[c] * w[c] / sum);
        }
        return out;
    }

    static int argmax(float[] p, double[] w) {
        int best = 0;
        double bv = p[0] * w[0];
        for (int c = 1; c < p.length; c++) {
            double v = p[c] * w[c];
            if (v > bv) {
                bv = v;
                best = c;
            }
        }
        return best;
    }
}
