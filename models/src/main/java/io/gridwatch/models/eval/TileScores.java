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

    /**
     * A frame at the models' working width ({@link Tiles#workFrame}) and what each of its pixels shows: a set of
     * {@link SceneClass}es, bit {@code 1 << ordinal} each ({@link #bit}); no bit is none. A pixel may carry two
     * classes — a stall standing on snow is stall for the objects model and snow for the snow model.
     */
    public record LabelledFrame(BufferedImage work, byte[] classBits) {

        public LabelledFrame {
            if (classBits.length != work.getWidth() * work.getHeight()) {
                throw new IllegalArgumentException("labels of " + classBits.length + " pixels for a " + work.getWidth() + "×" + work.getHeight() + " frame");
            }
        }

        /** A generated scene's frame, from its label mask (one {@link SceneClass} ordinal a pixel: what is visible there). */
        public static LabelledFrame ofMask(BufferedImage work, byte[] mask) {
            byte[] bits = new byte[mask.length];
            for (int i = 0; i < mask.length; i++) {
                bits[i] = mask[i] == 0 ? 0 : bit(SceneClass.values()[mask[i]]);
            }
            return new LabelledFrame(work, bits);
        }

        /**
         * The truth of each grid tile for a task ({@link Task#label(int[], int)} over the pixels that carry each class),
         * or {@link Task#AMBIGUOUS}.
         */
        public int[] labels(Task task, List<int[]> grid) {
            int w = work.getWidth();
            int[] out = new int[grid.size()];
            for (int i = 0; i < out.length; i++) {
                int[] count = new int[SceneClass.values().length];
                int x = grid.get(i)[0];
                int y = grid.get(i)[1];
                for (int ty = 0; ty < Tiles.SIZE; ty++) {
                    int row = (y + ty) * w + x;
                    for (int tx = 0; tx < Tiles.SIZE; tx++) {
                        int b = classBits[row + tx];
                        if (b == 0) {
                            count[0]++;
                            continue;
                        }
                        for (int c = 1; c < count.length; c++) {
                            if ((b & (1 << c)) != 0) {
                                count[c]++;
                            }
                        }
                    }
                }
                out[i] = task.label(count, Tiles.SIZE * Tiles.SIZE);
            }
            return out;
        }
    }

    /** The bit of a class in {@link LabelledFrame#classBits()}. */
    public static byte bit(SceneClass c) {
        if (c == SceneClass.NONE) {
            throw new IllegalArgumentException("none has no bit: a pixel with no class is none");
        }
        return (byte) (1 << c.ordinal());
    }

    /** Every unambiguous grid tile of the frames, each decided by the model with its neighbours ({@link TileClassifier#predictFrame}). */
    public static TileScores ofFrames(TileClassifier model, List<LabelledFrame> frames) {
        Task task = model.task();
        List<Integer> truth = new ArrayList<>();
        List<float[]> probs = new ArrayList<>();
        for (LabelledFrame f : frames) {
            TileClassifier.FrameScores fs = model.predictFrame(f.work());
            int[] labels = f.labels(task, fs.grid());
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
        return ofFrames(model, scenes.stream().map(s -> LabelledFrame.ofMask(s.image(), s.mask())).toList());
    }

    /** The tiles of several sets of one task, one after the other. */
    public static TileScores concat(Task task, List<TileScores> parts) {
        int n = parts.stream().mapToInt(TileScores::size).sum();
        int[] truth = new int[n];
        float[][] probs = new float[n][];
        int k = 0;
        for (TileScores p : parts) {
            if (p.task() != task) {
                throw new IllegalArgumentException("tiles of " + p.task().id() + " among " + task.id());
            }
            System.arraycopy(p.truth(), 0, truth, k, p.size());
            System.arraycopy(p.probs(), 0, probs, k, p.size());
            k += p.size();
        }
        return new TileScores(task, truth, probs);
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
        return truth.length == 0 ? Double.NaN : (double) none / truth.length;
    }

    /** The metrics block of a model's metadata and of an evaluation report; figures that are not defined are null. */
    public ModelMetadata.Metrics metrics(TileScores distractors) {
        ConfusionMatrix m = confusion();
        Map<String, ModelMetadata.ClassMetrics> per = new LinkedHashMap<>();
        for (int c = 0; c < task.classes().size(); c++) {
            per.put(task.classes().get(c).id(), new ModelMetadata.ClassMetrics(Figures.json(m.precision(c)), Figures.json(m.recall(c)),
                    Figures.json(m.f1(c)), (int) m.support(c), Figures.json(prCurve(c).averagePrecision())));
        }
        return new ModelMetadata.Metrics(per, Figures.json(m.accuracy()), size(), distractors == null ? null : Figures.json(distractors.shareNone()),
                distractors == null ? 0 : distractors.size(), m.counts());
    }

    public static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
