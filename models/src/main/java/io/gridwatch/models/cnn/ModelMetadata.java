package io.gridwatch.models.cnn;

import java.util.List;
import java.util.Map;

/**
 * What is known about a model file, written beside it as JSON: the data it was trained on
 * (generator version and scene seeds), its input and normalisation, how it was trained and its
 * measured figures. Enough to retrain it and to check that a retrained one matches.
 */
public record ModelMetadata(String task, List<String> classes, String modelFile, long fileBytes, long parameters,
                            int generatorVersion, Input input, Normalisation normalisation, double[] priorCorrection,
                            Calibration calibration, Training training, HeldOut heldOut, Metrics metrics, String command) {

    /** What the net takes: 64×64 tiles cut from frames scaled to {@code frameWidth}, RGB, NCHW, 0..255 before normalisation. */
    public record Input(int width, int height, int channels, String channelOrder, String layout, String range,
                        int frameWidth, int stride) {
    }

    /*
     * priorCorrection: per class, the factor the net's probabilities are multiplied by (then renormalised): the share
     * of the class among the training scenes' grid tiles over its share in the (thinned, object-rich) training set.
     * Derived from training data only; it undoes the sampling the trainer itself did.
     */

    /**
     * The decision rule fitted on validation scenes (seeds from the training seed's own range, never the held-out
     * sets): per class a factor on the prior-corrected probability ({@link io.gridwatch.models.eval.Calibration}),
     * and the validation tiles' mean object-class F1 before and after. Absent (null) in models made before it.
     */
    public record Calibration(String sceneSeeds, int scenes, int distractorScenes, int tiles, double[] factors, double meanF1Before,
                              double meanF1After) {
    }

    /** Per-channel standardisation fitted on the training tiles only: (x − mean) / std, channels R, G, B. */
    public record Normalisation(String type, double[] mean, double[] std) {
    }

    public record Training(long seed, String sceneSeeds, int scenes, Map<String, Integer> tiles, int epochs, int batchSize,
                           double learningRate, double seconds, int threads) {
    }

    public record HeldOut(String sceneSeeds, int scenes, String distractorSceneSeeds, int distractorScenes) {
    }

    public record Metrics(Map<String, ClassMetrics> perClass, double accuracy, int tiles, double distractorSpecificity,
                          int distractorTiles, long[][] confusion) {
    }

    public record ClassMetrics(double precision, double recall, double f1, int support, double averagePrecision) {
    }
}
