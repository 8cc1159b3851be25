package io.gridwatch.models.eval;

import io.gridwatch.models.cnn.ModelMetadata;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.tiles.Tiles;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's class probabilities for a set of tiles with known truth; every figure (confusion
 * matrix, precision, recall, F1, PR curves, specificity) is computed from these and nothing else.
 * A tile is predicted as the class of highest probability.
 */
public record TileScores(Task task, int[] truth, float[][] probs) {

    /** A frame at the models' working width ({@link Tiles#workFrame}) and its label mask, one {@link SceneClass} ordinal a pixel. */
    public record LabelledFrame(BufferedImage work, byte[] mask) {

        public LabelledFrame {
            if (mask.length != work.getWidth() * work.getHeight()) {
                throw new IllegalArgumentException("mask of " + mask.length + " pixels for a " + work.getWidth() + "×" + work.getHeight() + " frame");
            }
        }
    }

    /** Every unambiguous grid tile of the frames, each decided by the model with its neighbours ({@link TileClassifier#predictFrame}). */
    public static TileScores ofFrames(TileClassifier model, List<LabelledFrame> frames) {
        Task task = model.task();
        List<Integer> truth = new ArrayList<>();
        List<float[]> probs = new ArrayList<>();
        for (LabelledFrame f : frames) {
            TileClassifier.FrameScores fs = model.predictFrame(f.work());
            int[] labels = task.labels(f.mask(), f.work().getWidth(), fs.grid());
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != Task.AMBIGUOUS) {
                    truth.add(labels[i]);
                    probs.add(fs.probs()[i]);
                }
            }
        }
        return new TileScores(task, truth.stream().mapToInt(Integer::intValue).toArray(), probs.toArray(new float[0][]));
    }

    /** Every unambiguous grid tile of the scenes. */
    public static TileScores ofScenes(TileClassifier model, List<Scene> scenes) {
        return ofFrames(model, scenes.stream().map(s -> new LabelledFrame(s.image(), s.mask())).toList());
    }

    public int size() {
        return truth.length;
    }

    public int predicted(int i) {
        float[] p = probs[i];
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    public ConfusionMatrix confusion() {
        ConfusionMatrix m = new ConfusionMatrix(task.classes().stream().map(io.gridwatch.models.SceneClass::id).toList());
        for (int i = 0; i < truth.length; i++) {
            m.add(truth[i], predicted(i));
        }
        return m;
    }

    public PrCurve prCurve(int c) {
        double[] s = new double[truth.length];
        boolean[] pos = new boolean[truth.length];
        for (int i = 0; i < truth.length; i++) {
            s[i] = probs[i][c];
            pos[i] = truth[i] == c;
        }
        return new PrCurve(s, pos);
    }

    /** Share of tiles predicted as none (class 0): on distractor-only scenes, where every tile is none, the specificity. */
    public double shareNone() {
        long none = 0;
        for (int i = 0; i < truth.length; i++) {
            none += predicted(i) == 0 ? 1 : 0;
        }
        return truth.length == 0 ? 1 : (double) none / truth.length;
    }

    /** The metrics block of a model's metadata and of an evaluation report. */
    public ModelMetadata.Metrics metrics(TileScores distractors) {
        ConfusionMatrix m = confusion();
        Map<String, ModelMetadata.ClassMetrics> per = new LinkedHashMap<>();
        for (int c = 0; c < task.classes().size(); c++) {
            per.put(task.classes().get(c).id(), new ModelMetadata.ClassMetrics(round(m.precision(c)), round(m.recall(c)), round(m.f1(c)),
                    (int) m.support(c), round(prCurve(c).averagePrecision())));
        }
        return new ModelMetadata.Metrics(per, round(m.accuracy()), size(), distractors == null ? Double.NaN : round(distractors.shareNone()),
                distractors == null ? 0 : distractors.size(), m.counts());
    }

    public static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
