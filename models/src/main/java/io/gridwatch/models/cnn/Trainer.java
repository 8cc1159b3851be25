package io.gridwatch.models.cnn;

import io.gridwatch.models.SceneClass;
import io.gridwatch.models.eval.TileScores;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;
import io.gridwatch.models.tiles.ScenePool;
import io.gridwatch.models.tiles.SceneSets;
import io.gridwatch.models.tiles.TileBatches;
import io.gridwatch.models.tiles.TileSet;
import io.gridwatch.models.tiles.Tiles;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains one task's tile model from scratch on generated scenes, evaluates it on the held-out
 * scenes and writes it with its metadata. Everything random comes from the seed: the scenes
 * ({@link SceneSets#trainingSeed}), the tile sampling, the initial weights and the batch order.
 */
public final class Trainer {

    /**
     * @param heldOut            held-out mixed scenes to evaluate on (seeds {@link SceneSets#heldOutSeed})
     * @param distractorScenes   held-out distractor-only scenes (seeds {@link SceneSets#distractorSeed})
     */
    public record Options(Task task, long seed, int scenes, int epochs, int batchSize, double learningRate, double keepNone,
                          int heldOut, int distractorScenes) {

        public static Options defaults(Task task) {
            return switch (task) {
                case OBJECTS -> new Options(task, 7, 900, 4, 64, 3e-3, 0.12, 300, 120);
                case SNOW -> new Options(task, 7, 300, 3, 64, 3e-3, 0.25, 300, 120);
            };
        }

        public Options withSeed(long s) {
            return new Options(task, s, scenes, epochs, batchSize, learningRate, keepNone, heldOut, distractorScenes);
        }

        public Options withScenes(int n) {
            return new Options(task, seed, n, epochs, batchSize, learningRate, keepNone, heldOut, distractorScenes);
        }

        public Options withEpochs(int n) {
            return new Options(task, seed, scenes, n, batchSize, learningRate, keepNone, heldOut, distractorScenes);
        }

        public Options withHeldOut(int mixed, int distractors) {
            return new Options(task, seed, scenes, epochs, batchSize, learningRate, keepNone, mixed, distractors);
        }
    }

    /** A trained model, its held-out scores and where it was written. */
    public record Result(TileClassifier model, TileScores heldOut, TileScores distractors, Path file, double seconds) {
    }

    private final PrintStream log;

    public Trainer(PrintStream log) {
        this.log = log;
    }

    /**
     * The training recipe of scene {@code sceneSeed}: the common mix, and for the snow task every
     * other scene under snow, so that snow is not rare in its training set.
     */
    static SceneRecipe recipe(Task task, long sceneSeed) {
        SceneRecipe r = SceneRecipe.mixed(sceneSeed);
        if (task == Task.SNOW && sceneSeed % 2 == 0 && !r.snow()) {
            return new SceneRecipe(null, null, r.objects().stream().filter(c -> c != SceneClass.WATER).toList(), true, r.distractors());
        }
        return r;
    }

    public TileSet trainingTiles(Options o) {
        List<Scene> scenes = ScenePool.generate(o.scenes(), i -> SceneSets.trainingSeed(o.seed(), i), s -> recipe(o.task(), s));
        TileSet set = new TileSet(o.task());
        for (Scene s : scenes) {
            set.addTrainingTiles(s, new SplittableRandom(s.seed() ^ 0xA5A5A5A5L), o.keepNone());
        }
        return set;
    }

    public Result train(Options o, Path outDir) {
        long t0 = System.nanoTime();
        log.printf("training %s: seed %d, %d scenes (generator v%d), %d epochs%n", o.task().id(), o.seed(), o.scenes(),
                SceneGenerator.VERSION, o.epochs());
        TileSet set = trainingTiles(o);
        int[] counts = set.counts();
        Map<String, Integer> tiles = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) {
            tiles.put(o.task().classes().get(c).id(), counts[c]);
        }
        log.printf("  %,d training tiles %s from %d scenes (%.0f s)%n", set.size(), tiles, o.scenes(), (System.nanoTime() - t0) / 1e9);

        NormalizerStandardize norm = new NormalizerStandardize();
        norm.fit(new TileBatches(set, 256, o.seed(), false)); // training tiles only
        MultiLayerNetwork net = TileNet.create(o.task(), o.seed(), o.learningRate());
        TileBatches batches = new TileBatches(set, o.batchSize(), o.seed(), true);
        batches.setPreProcessor(norm);
        batches.reset();
        try (ProgressBar pb = new ProgressBarBuilder().setTaskName("  " + o.task().id()).setInitialMax((long) o.epochs() * batches.batches())
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(log)).setUpdateIntervalMillis(500)
                .showSpeed().build()) {
            for (int e = 0; e < o.epochs(); e++) {
                if (e > 0) {
                    batches.reset();
                }
                while (batches.hasNext()) {
                    net.fit(batches.next());
                    pb.step();
                }
                pb.setExtraMessage(String.format(" epoch %d loss %.3f", e + 1, net.score()));
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        TileClassifier draft = new TileClassifier(o.task(), net, norm, null);
        TileScores held = TileScores.ofScenes(draft, ScenePool.heldOut(o.heldOut()));
        TileScores distract = TileScores.ofScenes(draft, ScenePool.distractorsOnly(o.distractorScenes()));
        ModelMetadata.Metrics metrics = held.metrics(distract);
        List<String> classes = new ArrayList<>(o.task().classes().stream().map(SceneClass::id).toList());
        double[] mean = norm.getMean().toDoubleVector();
        double[] std = norm.getStd().toDoubleVector();
        Path zip = TileClassifier.save(outDir, o.task(), net, norm, bytes -> new ModelMetadata(o.task().id(), classes, o.task().id() + ".zip",
                bytes, net.numParams(), SceneGenerator.VERSION,
                new ModelMetadata.Input(Tiles.SIZE, Tiles.SIZE, 3, "RGB", "NCHW", "0..255", Tiles.WORK_WIDTH, Tiles.STRIDE),
                new ModelMetadata.Normalisation("per-channel standardisation, fitted on the training tiles", mean, std),
                new ModelMetadata.Training(o.seed(), o.seed() + "·10^7 + 0.." + (o.scenes() - 1), o.scenes(), tiles, o.epochs(), o.batchSize(),
                        o.learningRate(), Math.round(trainSeconds * 10) / 10.0, Nd4j.getEnvironment().maxMasterThreads()),
                new ModelMetadata.HeldOut("9·10^9 + 0.." + (o.heldOut() - 1), o.heldOut(), "9.5·10^9 + 0.." + (o.distractorScenes() - 1),
                        o.distractorScenes()),
                metrics, "gridwatch models train --task " + o.task().id() + " --seed " + o.seed() + " --scenes " + o.scenes()
                        + " --epochs " + o.epochs()));
        TileClassifier model = TileClassifier.load(outDir, o.task());
        double seconds = (System.nanoTime() - t0) / 1e9;
        log.printf("  %s: accuracy %.4f, distractor specificity %.4f; written %s (%.0f s)%n", o.task().id(), metrics.accuracy(),
                metrics.distractorSpecificity(), zip, seconds);
        return new Result(model, held, distract, zip, seconds);
    }
}
