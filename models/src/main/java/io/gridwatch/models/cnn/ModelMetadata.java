package io.gridwatch.models.cnn;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What is known about a model file, written beside it as JSON: the data it was trained on
 * (generator version and scene seeds), its input and normalisation, how it was trained and its
 * measured figures. Enough to retrain it and to check that a retrained one matches.
 *
 * @param priorCorrection per class, the factor the net's probabilities are multiplied by (then renormalised): the share
 *                        of the class among the training scenes' grid tiles over its share in the (thinned, object-rich)
 *                        training set. Derived from training data only; it undoes the sampling the trainer itself did.
 * @param context         the rounds of the neighbourhood stage ({@link ContextStage}), each revising every tile's
 *                        probabilities with those of the tiles around it, the first from the prior-corrected ones, each
 *                        next from the round before; fitted on the {@link Calibration} validation scenes; null in models
 *                        made before it (then the factors apply to the prior-corrected probabilities directly)
 * @param fineTuning      for a model fine-tuned on labelled photos ({@link FineTuner}): the photos, their split and how;
 *                        null (and not written) for a model trained from scratch on generated scenes
 */
public record ModelMetadata(String task, List<String> classes, String modelFile, long fileBytes, long parameters,
                            int generatorVersion, Input input, Normalisation normalisation, double[] priorCorrection,
                            List<ContextStage> context, Calibration calibration, Training training, HeldOut heldOut, Metrics metrics, String command,
                            @JsonInclude(JsonInclude.Include.NON_NULL) FineTuning fineTuning) {

    /** A model trained from scratch on generated scenes (no fine-tuning). */
    public ModelMetadata(String task, List<String> classes, String modelFile, long fileBytes, long parameters,
                         int generatorVersion, Input input, Normalisation normalisation, double[] priorCorrection,
                         List<ContextStage> context, Calibration calibration, Training training, HeldOut heldOut, Metrics metrics, String command) {
        this(task, classes, modelFile, fileBytes, parameters, generatorVersion, input, normalisation, priorCorrection, context, calibration,
                training, heldOut, metrics, command, null);
    }

    /** What the net takes: 64×64 tiles cut from frames scaled to {@code frameWidth}, RGB, NCHW, 0..255 before normalisation. */
    public record Input(int width, int height, int channels, String channelOrder, String layout, String range,
                        int frameWidth, int stride) {
    }

    /**
     * The validation scenes the context stage and the decision rule were fitted on (seeds from the training seed's own
     * range, never the held-out sets), the decision rule itself: per class a factor on the context stage's probability
     * ({@link io.gridwatch.models.eval.Calibration}); and the validation tiles' mean object-class F1 with each tile
     * alone (prior correction only), after the context rounds, and after the factors. {@code distractorScenes}: extra
     * distractor-only scenes among them (0 since the context stage: see {@code Trainer.fitDecision}).
     */
    public record Calibration(String sceneSeeds, int scenes, int distractorScenes, int tiles, Double meanF1TileAlone, double[] factors,
                              double meanF1Before, double meanF1After) {
    }

    /** Per-channel standardisation fitted on the training tiles only: (x − mean) / std, channels R, G, B. */
    public record Normalisation(String type, double[] mean, double[] std) {
    }

    /** @param realPictures the real pictures trained on beside the generated scenes (issue 13); null: generated scenes only */
    public record Training(long seed, String sceneSeeds, int scenes, Map<String, Integer> tiles, int epochs, int batchSize,
                           double learningRate, double seconds, int threads, RealPictures realPictures) {
    }

    /**
     * Real pictures in training (models/DATA.md): the manifest they are listed in and its SHA-256, the Debian packages
     * and versions, how many pictures, and how many real-crop and composite scenes were drawn from them.
     */
    public record RealPictures(String manifest, String manifestSha256, Map<String, String> packages, int pictures, int negativeScenes,
                               int compositeScenes, String sampling) {
    }

    public record HeldOut(String sceneSeeds, int scenes, String distractorSceneSeeds, int distractorScenes) {
    }

    /** Tile figures; a figure that is not defined (no tiles, no distractor scenes) is null, written "n/a" in reports. */
    public record Metrics(Map<String, ClassMetrics> perClass, Double accuracy, int tiles, Double distractorSpecificity,
                          int distractorTiles, long[][] confusion) {
    }

    /**
     * One class's tile figures; null where not defined ({@code io.gridwatch.models.eval.ConfusionMatrix}): recall, F1 and
     * average precision of a class with no examples, precision of a class never predicted.
     */
    public record ClassMetrics(Double precision, Double recall, Double f1, int support, Double averagePrecision) {
    }
}
