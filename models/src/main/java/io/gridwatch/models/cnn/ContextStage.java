package io.gridwatch.models.cnn;

import io.gridwatch.models.SceneClass;

import java.util.ArrayList;
import java.util.List;

/**
 * The second stage of a tile model, the neighbourhood (邻域) stage: a tile's class probabilities revised with those of
 * the tiles around it in the same frame. A tile that holds a fifth of a stall's canopy, or the dark edge of a puddle
 * at night, is doubtful alone; beside a tile that is surely a stall or surely water it is much less so, and a lone
 * doubtful tile among clear paving is likelier noise. The CNN sees 64×64 pixels; this stage sees the frame's grid of
 * scores around each tile (its 5×5 neighbourhood of grid tiles, 128×128 pixels at stride 32).
 *
 * <p>A multinomial logistic regression over {@link #featureNames features} of the first-stage (prior-corrected)
 * probabilities: the tile's own log-probabilities; per target class the log of the highest and of the mean probability
 * among the 8 neighbours, the highest among the 4 edge neighbours, the highest in the ring around those (5×5 less
 * 3×3), and the own log-probability times the neighbours' highest; and the tile's row in the frame (0 top, 1 bottom:
 * a pole camera sees the far street high in the frame, small). Fitted on the validation scenes of the training seed,
 * never on held-out scenes; its weights are small enough to live in the model's metadata.
 *
 * <p>A model applies several rounds of it, each fitted on and applied to the output of the round before
 * (auto-context, Tu and Bai 2010): what one round learns about a tile spreads one more ring of neighbours the next.
 *
 * @param weights per class, one weight per feature and then the bias, on standardised features ({@code (x − mean) / std})
 */
public record ContextStage(List<String> features, double[] mean, double[] std, double[][] weights) {

    /** Added to probabilities before their logarithm: a floor of about −9.2. */
    static final double EPS = 1e-4;

    public ContextStage {
        features = List.copyOf(features);
        if (mean.length != features.size() || std.length != features.size()) {
            throw new IllegalArgumentException("context stage: " + features.size() + " features but " + mean.length + " means, " + std.length
                    + " deviations");
        }
        for (double[] w : weights) {
            if (w.length != features.size() + 1) {
                throw new IllegalArgumentException("context stage: " + w.length + " weights a class, expected " + (features.size() + 1));
            }
        }
    }

    /** One frame's first-stage scores: its grid tiles row-major ({@code cols × rows}), each tile's truth or {@link Task#AMBIGUOUS}. */
    public record Frame(float[][] probs, int cols, int rows, int[] truth) {

        public Frame {
            if (probs.length != cols * rows || truth.length != probs.length) {
                throw new IllegalArgumentException("a " + cols + "×" + rows + " grid needs " + cols * rows + " tiles, got " + probs.length + " scores and "
                        + truth.length + " labels");
            }
        }
    }

    /** The names of the features for a task's classes, in the order {@link #features(float[][], int, int, int)} computes them. */
    public static List<String> featureNames(Task task) {
        List<String> n = new ArrayList<>();
        for (SceneClass c : task.classes()) {
            n.add("log p(" + c.id() + ")");
        }
        for (SceneClass c : task.classes().subList(1, task.classes().size())) {
            String id = c.id();
            n.add("log max p(" + id + ") of the 8 neighbours");
            n.add("log mean p(" + id + ") of the 8 neighbours");
            n.add("log max p(" + id + ") of the 4 edge neighbours");
            n.add("log max p(" + id + ") of the 5×5 ring");
            n.add("log p(" + id + ") × log max p(" + id + ") of the 8 neighbours");
        }
        n.add("row (0 top .. 1 bottom)");
        return n;
    }

    /** The features of tile {@code i} of a frame's grid of first-stage probabilities. */
    public static double[] features(float[][] p, int cols, int rows, int i) {
        int k = p[i].length;
        double[] f = new double[k + 5 * (k - 1) + 1];
        int gx = i % cols;
        int gy = i / cols;
        int o = 0;
        for (int c = 0; c < k; c++) {
            f[o++] = Math.log(p[i][c] + EPS);
        }
        for (int c = 1; c < k; c++) {
            double max8 = 0;
            double sum8 = 0;
            int n8 = 0;
            double max4 = 0;
            double ring = 0;
            for (int dy = -2; dy <= 2; dy++) {
                for (int dx = -2; dx <= 2; dx++) {
                    int x = gx + dx;
                    int y = gy + dy;
                    if ((dx == 0 && dy == 0) || x < 0 || y < 0 || x >= cols || y >= rows) {
                        continue;
                    }
                    double q = p[y * cols + x][c];
                    if (Math.abs(dx) == 2 || Math.abs(dy) == 2) {
                        ring = Math.max(ring, q);
                        continue;
                    }
                    max8 = Math.max(max8, q);
                    sum8 += q;
                    n8++;
                    if (dx == 0 || dy == 0) {
                        max4 = Math.max(max4, q);
                    }
                }
            }
            double own = Math.log(p[i][c] + EPS);
            f[o++] = Math.log(max8 + EPS);
            f[o++] = Math.log((n8 == 0 ? 0 : sum8 / n8) + EPS);
            f[o++] = Math.log(max4 + EPS);
            f[o++] = Math.log(ring + EPS);
            f[o++] = own * Math.log(max8 + EPS);
        }
        f[o] = rows <= 1 ? 0.5 : gy / (double) (rows - 1);
        return f;
    }

    /** Second-stage probabilities of every tile of a frame's grid. */
    public float[][] apply(float[][] p, int cols, int rows) {
        if (p.length != cols * rows) {
            throw new IllegalArgumentException("a " + cols + "×" + rows + " grid needs " + cols * rows + " tiles, got " + p.length);
        }
        float[][] out = new float[p.length][];
        for (int i = 0; i < p.length; i++) {
            if (p[i].length != weights.length) {
                throw new IllegalArgumentException("context stage for " + weights.length + " classes, scores have " + p[i].length);
            }
            out[i] = softmax(features(p, cols, rows, i));
        }
        return out;
    }

    private float[] softmax(double[] f) {
        double[] x = new double[f.length];
        for (int j = 0; j < f.length; j++) {
            x[j] = (f[j] - mean[j]) / std[j];
        }
        double[] z = new double[weights.length];
        softmax(weights, x, z);
        float[] out = new float[z.length];
        for (int c = 0; c < z.length; c++) {
            out[c] = (float) z[c];
        }
        return out;
    }

    /** Class probabilities {@code z} = softmax(w·x + bias) of one standardised feature vector {@code x}. */
    private static void softmax(double[][] w, double[] x, double[] z) {
        int n = x.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < z.length; c++) {
            double s = w[c][n];
            for (int j = 0; j < n; j++) {
                s += w[c][j] * x[j];
            }
            z[c] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
        }
        for (int c = 0; c < z.length; c++) {
            z[c] /= sum;
        }
    }

    static final int ITERATIONS = 600;
    static final double LEARNING_RATE = 0.05;
    static final double L2 = 1e-4;

    /**
     * Fits the stage on the unambiguous tiles of the frames (every tile, ambiguous ones too, counts as a neighbour):
     * standardised features, then {@link #softmaxRegression}.
     */
    public static ContextStage fit(Task task, List<Frame> frames) {
        int k = task.classes().size();
        List<double[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (Frame fr : frames) {
            for (int i = 0; i < fr.probs().length; i++) {
                if (fr.truth()[i] != Task.AMBIGUOUS) {
                    xs.add(features(fr.probs(), fr.cols(), fr.rows(), i));
                    ys.add(fr.truth()[i]);
                }
            }
        }
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("no unambiguous tiles to fit the context stage on");
        }
        int n = xs.get(0).length;
        double[] mean = new double[n];
        double[] std = new double[n];
        for (double[] x : xs) {
            for (int j = 0; j < n; j++) {
                mean[j] += x[j] / xs.size();
            }
        }
        for (double[] x : xs) {
            for (int j = 0; j < n; j++) {
                std[j] += (x[j] - mean[j]) * (x[j] - mean[j]) / xs.size();
            }
        }
        for (int j = 0; j < n; j++) {
            std[j] = Math.max(1e-6, Math.sqrt(std[j]));
        }
        double[][] x = new double[xs.size()][];
        for (int r = 0; r < x.length; r++) {
            x[r] = new double[n];
            for (int j = 0; j < n; j++) {
                x[r][j] = (xs.get(r)[j] - mean[j]) / std[j];
            }
        }
        int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
        double[][] weights = softmaxRegression(x, y, k);
        return new ContextStage(featureNames(task), mean, std, weights);
    }

    /**
     * Multinomial logistic regression: weights (a row a class, the bias last) minimising the mean cross-entropy plus
     * {@value #L2} × the squared weights, by {@value #ITERATIONS} full-batch Adam steps of {@value #LEARNING_RATE} from
     * zero: a convex problem of a few dozen weights, so no seed and the same answer every time (Deeplearning4j's
     * mini-batch fit of a lone output layer took minutes here and went astray).
     */
    static double[][] softmaxRegression(double[][] x, int[] y, int k) {
        int n = x.length == 0 ? 0 : x[0].length;
        double[][] w = new double[k][n + 1];
        double[][] m = new double[k][n + 1];
        double[][] v = new double[k][n + 1];
        double[] z = new double[k];
        for (int it = 1; it <= ITERATIONS; it++) {
            double[][] g = new double[k][n + 1];
            for (int r = 0; r < x.length; r++) {
                softmax(w, x[r], z);
                for (int c = 0; c < k; c++) {
                    double d = z[c] - (y[r] == c ? 1 : 0);
                    for (int j = 0; j < n; j++) {
                        g[c][j] += d * x[r][j];
                    }
                    g[c][n] += d;
                }
            }
            double b1 = 1 - Math.pow(0.9, it);
            double b2 = 1 - Math.pow(0.999, it);
            for (int c = 0; c < k; c++) {
                for (int j = 0; j <= n; j++) {
                    double gj = g[c][j] / x.length + (j < n ? 2 * L2 * w[c][j] : 0);
                    m[c][j] = 0.9 * m[c][j] + 0.1 * gj;
                    v[c][j] = 0.999 * v[c][j] + 0.001 * gj * gj;
                    w[c][j] -= LEARNING_RATE * (m[c][j] / b1) / (Math.sqrt(v[c][j] / b2) + 1e-8);
                }
            }
        }
        return w;
    }
}
