package io.gridwatch.models.cnn;

import io.gridwatch.models.SceneClass;
import io.gridwatch.models.eval.Calibration;
import io.gridwatch.models.eval.TileScores;
import io.gridwatch.models.photos.PhotoScenes;
import io.gridwatch.models.photos.WallpaperPhotos;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains one task's tile model from scratch on generated scenes (and, given {@link PhotoScenes}, real pictures beside them), fits its context stage and decision
 * factors on validation scenes ({@link #fitDecision}), evaluates it on the held-out scenes and writes
 * it with its metadata. Everything random comes from the seed: the scenes ({@link SceneSets#trainingSeed}
 * and {@link SceneSets#validationSeed}), the tile sampling, the initial weights and the batch order.
 */
public final class Trainer {

    static {
        Nd4jRuntime.init(); // oneDNN, before ND4J loads
    }

    /**
     * @param validationScenes   validation scenes (the common mix, seeds {@link SceneSets#validationSeed}) to fit the context
     *                           stage and the decision factors on
     * @param heldOut            held-out mixed scenes to evaluate on (seeds {@link SceneSets#heldOutSeed})
     * @param distractorScenes   held-out distractor-only scenes (seeds {@link SceneSets#distractorSeed})
     */
    public record Options(Task task, long seed, int scenes, int epochs, int batchSize, double learningRate, double keepNone,
                          int validationScenes, int heldOut, int distractorScenes) {

        public Options {
            if (scenes < 1 || scenes > SceneSets.VALIDATION_FROM) {
                // training scene i is S·10⁷ + i; from VALIDATION_FROM on, the seeds belong to the validation scenes
                throw new IllegalArgumentException("training scenes must be 1.." + SceneSets.VALIDATION_FROM + ", got " + scenes);
            }
            if (validationScenes < 1 || validationScenes > SceneSets.MAX_VALIDATION_SCENES) {
                throw new IllegalArgumentException("validation scenes must be 1.." + SceneSets.MAX_VALIDATION_SCENES + ", got " + validationScenes);
            }
        }

        public static Options defaults(Task task) {
            return switch (task) {
                case OBJECTS -> new Options(task, 7, 40_000, 1, 64, 5e-3, 0.15, VALIDATION_SCENES, 300, 120);
                case SNOW -> new Options(task, 7, 3_600, 1, 64, 5e-3, 0.6, VALIDATION_SCENES, 300, 120);
            };
        }

        public Options withSeed(long s) {
            return new Options(task, s, scenes, epochs, batchSize, learningRate, keepNone, validationScenes, heldOut, distractorScenes);
        }

        public Options withScenes(int n) {
            return new Options(task, seed, n, epochs, batchSize, learningRate, keepNone, validationScenes, heldOut, distractorScenes);
        }

        public Options withEpochs(int n) {
            return new Options(task, seed, scenes, n, batchSize, learningRate, keepNone, validationScenes, heldOut, distractorScenes);
        }

        public Options withValidation(int mixed) {
            return new Options(task, seed, scenes, epochs, batchSize, learningRate, keepNone, mixed, heldOut, distractorScenes);
        }

        public Options withHeldOut(int mixed, int distractors) {
            return new Options(task, seed, scenes, epochs, batchSize, learningRate, keepNone, validationScenes, mixed, distractors);
        }
    }

    /**
     * A trained model: as it came out of training ({@code trained}, no metadata) and as read back from
     * the file it was written to ({@code model}), its held-out scores, where it was written.
     */
    public record Result(TileClassifier trained, TileClassifier model, TileScores heldOut, TileScores distractors, Path file, double seconds) {
    }

    private final PrintStream log;
    /** Real pictures to cut negatives and composites from (issue 13); null: generated scenes only. */
    private final PhotoScenes photos;

    public Trainer(PrintStream log) {
        this(log, null);
    }

    public Trainer(PrintStream log, PhotoScenes photos) {
        this.log = log;
        this.photos = photos;
    }

    /**
     * Scenes on real pictures beside the generated ones ({@link PhotoScenes}), per task: for every {@link #photoEvery}
     * generated scenes one real crop labelled none ({@link PhotoScenes#negative}, scene index i ≡ 0) and one composite
     * of generated targets on a real crop ({@link PhotoScenes#composite}, i ≡ every/2), seeded from the generated
     * scene's seed. The objects model gets one of each every ten scenes of its 28,000; the snow model, trained on 3,600
     * scenes, one of each every two: at one in ten (360 real crops) it still called 17 % of the clean test photos' tiles
     * snow — sky, white walls, pale paving — as the model without real pictures had (14 %). The validation scenes the
     * context stage and the factors are fitted on get the same share, so that the decision learns what real backgrounds
     * look like to the net.
     */
    static int photoEvery(Task task) {
        return task == Task.SNOW ? 2 : 10;
    }

    /** Real scenes for the numbered scenes {@code from..to-1} whose seeds {@code seedOf} gives, in index order. */
    List<Scene> photoScenes(Task task, int from, int to, java.util.function.IntFunction<Long> seedOf) {
        if (photos == null) {
            return List.of();
        }
        int every = photoEvery(task);
        return java.util.stream.IntStream.range(from, to).filter(i -> i % every == 0 || i % every == every / 2)
                .parallel().mapToObj(i -> i % every == 0 ? photos.negative(seedOf.apply(i), task) : photos.composite(seedOf.apply(i), task))
                .toList();
    }

    /** None-tiles of a real crop are the hard negatives: kept 3.5 times as often as a generated scene's (at most all). */
    static double photoKeepNone(double keepNone) {
        return Math.min(1.0, keepNone * 3.5);
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

    /** Scenes are generated, cut into tiles and trained on a chunk at a time, so memory stays small however many scenes. */
    static final int CHUNK_SCENES = 400;

    /** The training tiles of scenes {@code from} (inclusive) to {@code to} (exclusive). */
    public TileSet trainingTiles(Options o, int from, int to) {
        List<Scene> scenes = ScenePool.generate(to - from, i -> SceneSets.trainingSeed(o.seed(), from + i), s -> recipe(o.task(), s));
        TileSet set = new TileSet(o.task());
        for (Scene s : scenes) {
            set.addTrainingTiles(s, new SplittableRandom(s.seed() ^ 0xA5A5A5A5L), o.keepNone());
        }
        for (Scene s : photoScenes(o.task(), from, to, i -> SceneSets.trainingSeed(o.seed(), i))) {
            set.addTrainingTiles(s, new SplittableRandom(s.seed() ^ 0x5A5A5A5AL), s.placed().isEmpty() ? photoKeepNone(o.keepNone()) : o.keepNone());
        }
        return set;
    }

    /**
     * Per class: its share among the training scenes' grid tiles over its share in the training set, scaled so that
     * none gets 1. The trainer thins none-tiles and adds crops around objects, which teaches the net that objects are
     * far commoner than they are in a frame; these factors undo that skew (a prior shift, from training data only).
     */
    static double[] priorCorrection(int[] grid, int[] trained) {
        long g = Arrays.stream(grid).asLongStream().sum();
        long t = Arrays.stream(trained).asLongStream().sum();
        double[] w = new double[grid.length];
        for (int c = 0; c < w.length; c++) {
            w[c] = trained[c] == 0 || grid[c] == 0 ? 1 : ((double) grid[c] / g) / ((double) trained[c] / t);
        }
        double none = w[0];
        for (int c = 0; c < w.length; c++) {
            w[c] = Math.round(w[c] / none * 10000) / 10000.0;
        }
        return w;
    }

    /**
     * Validation scenes by default. 300 were enough for the decision factors alone; the context stage has a few dozen
     * weights a class: mean object F1 on other validation scenes rose by 0.003 from 1,200 to 2,400 fitting scenes, and by
     * 0.0003 more at 4,000 (models/README.md).
     */
    static final int VALIDATION_SCENES = 2_400;

    /**
     * Rounds of the context stage (auto-context, Tu and Bai 2010: each round reads the one before). Measured on the
     * objects net with 1,000 validation scenes it was not fitted on, mean object F1 after the factors: 1 round 0.956,
     * 2 rounds 0.959, 3 rounds 0.960, 4 rounds 0.962 (stall 0.952 → 0.958).
     */
    static final int CONTEXT_ROUNDS = 4;

    /** The context rounds and decision rule of a trained net, as fitted on validation scenes, for its metadata. */
    record Decision(List<ContextStage> context, ModelMetadata.Calibration calibration) {
    }

    /**
     * Fits {@value #CONTEXT_ROUNDS} rounds of the context stage ({@link ContextStage}), each on the output of the one
     * before, and then the decision factors ({@link Calibration}) on validation
     * scenes drawn like the held-out mixed ones (the common mix, in which one scene in five holds distractors only) but
     * from seeds {@link SceneSets#validationSeed} of the training seed: the held-out sets stay untouched until the
     * final measurement. Extra distractor-only scenes were tried and left out: fitted with them, F1 on other validation
     * scenes fell (objects 0.954 → 0.948, snow 0.967 → 0.962) while the specificity stayed where it was (0.999, 0.996).
     * Scenes are drawn and scored {@value #CHUNK_SCENES} at a time.
     */
    Decision fitDecision(Options o, TileClassifier tilesAlone) {
        int total = o.validationScenes();
        List<ContextStage.Frame> frames = new ArrayList<>(total);
        for (int from = 0; from < total; from += CHUNK_SCENES) {
            int n = Math.min(CHUNK_SCENES, total - from);
            int base = from;
            List<Scene> scenes = ScenePool.generate(n, i -> SceneSets.validationSeed(o.seed(), base + i), SceneRecipe::mixed);
            for (Scene s : scenes) {
                frames.add(frame(o.task(), tilesAlone, s));
            }
            for (Scene s : photoScenes(o.task(), base, base + n, i -> SceneSets.validationSeed(o.seed(), i))) {
                frames.add(frame(o.task(), tilesAlone, s));
            }
        }
        long first = SceneSets.validationSeed(o.seed(), 0);
        return decide(o.task(), frames, first + ".." + (first + total - 1), total, log);
    }

    /**
     * Fits {@value #CONTEXT_ROUNDS} rounds of the context stage, each on the output of the one before, and then the decision
     * factors on the last round's probabilities, from frames scored tile by tile with their truth; {@code sceneSeeds} and
     * {@code scenes} say what the frames were, for the metadata. Shared by training and fine-tuning ({@link FineTuner}).
     */
    static Decision decide(Task task, List<ContextStage.Frame> frames, String sceneSeeds, int scenes, PrintStream log) {
        List<ContextStage> rounds = new ArrayList<>();
        List<ContextStage.Frame> revisedFrames = frames;
        for (int k = 0; k < CONTEXT_ROUNDS; k++) {
            ContextStage round = ContextStage.fit(task, revisedFrames);
            rounds.add(round);
            revisedFrames = revisedFrames.stream()
                    .map(f -> new ContextStage.Frame(round.apply(f.probs(), f.cols(), f.rows()), f.cols(), f.rows(), f.truth())).toList();
        }
        List<Integer> truth = new ArrayList<>();
        List<float[]> alone = new ArrayList<>();
        List<float[]> revised = new ArrayList<>();
        for (int n = 0; n < frames.size(); n++) {
            ContextStage.Frame f = frames.get(n);
            for (int i = 0; i < f.probs().length; i++) {
                if (f.truth()[i] != Task.AMBIGUOUS) {
                    truth.add(f.truth()[i]);
                    alone.add(f.probs()[i]);
                    revised.add(revisedFrames.get(n).probs()[i]);
                }
            }
        }
        int[] t = truth.stream().mapToInt(Integer::intValue).toArray();
        float[][] a = alone.toArray(new float[0][]);
        float[][] r = revised.toArray(new float[0][]);
        double[] w = Calibration.fit(t, r);
        double f1Alone = Calibration.meanF1(t, a, ones(w.length));
        double before = Calibration.meanF1(t, r, ones(w.length));
        double after = Calibration.meanF1(t, r, w);
        log.printf(Locale.ROOT, "  %d context rounds and decision factors %s from %d validation scenes (%,d tiles): mean object F1 %.4f tiles alone → "
                + "%.4f with their neighbours → %.4f with the factors%n", rounds.size(), Arrays.toString(w), scenes, t.length, f1Alone, before, after);
        return new Decision(rounds, new ModelMetadata.Calibration(sceneSeeds, scenes, 0, t.length,
                TileScores.round(f1Alone), w, TileScores.round(before), TileScores.round(after)));
    }

    /**
     * A scene's grid tiles scored alone (a classifier without context rounds or factors decides a frame with each tile's
     * prior-corrected scores), with their truth: what the context stage learns from.
     */
    static ContextStage.Frame frame(Task task, TileClassifier tilesAlone, Scene s) {
        TileClassifier.FrameScores fs = tilesAlone.predictFrame(s.image());
        return new ContextStage.Frame(fs.probs(), fs.cols(), fs.rows(), task.labels(s.mask(), s.width(), fs.grid()));
    }

    private static TileSet join(Future<TileSet> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing training scenes", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("drawing training scenes failed: " + e.getCause(), e.getCause());
        }
    }

    private static double[] ones(int n) {
        double[] w = new double[n];
        Arrays.fill(w, 1.0);
        return w;
    }

    /**
     * Trains on {@link Options#scenes()} generated scenes, a chunk of {@value #CHUNK_SCENES} at a time, each chunk's
     * tiles shuffled and passed over {@link Options#epochs()} times: fresh scenes generalise better than more passes
     * over the same ones, and the next chunk is drawn on the other core while the net trains on this one.
     */
    public Result train(Options o, Path outDir) {
        long t0 = System.nanoTime();
        int chunks = (o.scenes() + CHUNK_SCENES - 1) / CHUNK_SCENES;
        log.printf("training %s: seed %d, %d scenes (generator v%d) in %d chunk%s, %d pass%s over each%s%n", o.task().id(), o.seed(), o.scenes(),
                SceneGenerator.VERSION, chunks, chunks == 1 ? "" : "s", o.epochs(), o.epochs() == 1 ? "" : "es",
                photos == null ? "" : String.format(Locale.ROOT, "; and on %d real pictures: a real crop and a composite every %d scenes", photos.size(),
                        photoEvery(o.task())));
        TileSet first = trainingTiles(o, 0, Math.min(o.scenes(), CHUNK_SCENES));
        NormalizerStandardize norm = new NormalizerStandardize();
        norm.fit(new TileBatches(first, 256, o.seed(), false)); // training tiles only (the first chunk's)
        int perChunk = (first.size() + o.batchSize() - 1) / o.batchSize();
        long planned = (long) perChunk * chunks * o.epochs();
        MultiLayerNetwork net = TileNet.create(o.task(), o.seed(), o.learningRate(), (int) planned);
        int[] counts = new int[o.task().classes().size()];
        int[] grid = new int[o.task().classes().size()];
        try (ProgressBar pb = new ProgressBarBuilder().setTaskName("  " + o.task().id()).setInitialMax(planned)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(log)).setUpdateIntervalMillis(500)
                .showSpeed().build()) {
            // the next chunk's scenes are drawn on the second core while the net trains on this one with one OpenMP
            // thread (./gridwatch sets OMP_NUM_THREADS=1); the tiles and their order are the same whatever the timing
            ExecutorService drawer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "scene-drawer");
                t.setDaemon(true);
                return t;
            });
            Future<TileSet> next = null;
            try {
                for (int c = 0; c < chunks; c++) {
                    TileSet set = c == 0 ? first : join(next);
                    if (c + 1 < chunks) {
                        int from = (c + 1) * CHUNK_SCENES;
                        next = drawer.submit(() -> trainingTiles(o, from, Math.min(o.scenes(), from + CHUNK_SCENES)));
                    }
                    int[] cc = set.counts();
                    int[] gc = set.gridCounts();
                    for (int i = 0; i < cc.length; i++) {
                        counts[i] += cc[i];
                        grid[i] += gc[i];
                    }
                    TileBatches batches = new TileBatches(set, o.batchSize(), o.seed() * 1_000 + c, true);
                    batches.setPreProcessor(norm);
                    for (int e = 0; e < o.epochs(); e++) {
                        batches.reset();
                        while (batches.hasNext()) {
                            net.fit(batches.next());
                            pb.step();
                        }
                    }
                    pb.setExtraMessage(String.format(Locale.ROOT, " chunk %d/%d loss %.3f", c + 1, chunks, net.score()));
                }
            } finally {
                drawer.shutdownNow();
            }
        }
        Map<String, Integer> tiles = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) {
            tiles.put(o.task().classes().get(c).id(), counts[c]);
        }
        log.printf("  trained on %,d tiles %s (%.0f s)%n", Arrays.stream(counts).sum(), tiles, (System.nanoTime() - t0) / 1e9);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        double[] prior = priorCorrection(grid, counts);
        Decision decision = fitDecision(o, new TileClassifier(o.task(), net, norm, null, prior, null, null));
        TileClassifier draft = new TileClassifier(o.task(), net, norm, null, prior, decision.context(), decision.calibration().factors());
        TileScores held = TileScores.ofScenes(draft, ScenePool.heldOut(o.heldOut()));
        TileScores distract = TileScores.ofScenes(draft, ScenePool.distractorsOnly(o.distractorScenes()));
        ModelMetadata.Metrics metrics = held.metrics(distract);
        List<String> classes = new ArrayList<>(o.task().classes().stream().map(SceneClass::id).toList());
        double[] mean = norm.getMean().toDoubleVector();
        double[] std = norm.getStd().toDoubleVector();
        Path zip = TileClassifier.save(outDir, o.task(), net, norm, bytes -> new ModelMetadata(o.task().id(), classes, o.task().id() + ".zip",
                bytes, net.numParams(), SceneGenerator.VERSION,
                new ModelMetadata.Input(Tiles.SIZE, Tiles.SIZE, 3, "RGB", "NCHW", "0..255", Tiles.WORK_WIDTH, Tiles.STRIDE),
                new ModelMetadata.Normalisation("per-channel standardisation, fitted on the training tiles", mean, std), prior, decision.context(),
                decision.calibration(),
                new ModelMetadata.Training(o.seed(), o.seed() + "·10^7 + 0.." + (o.scenes() - 1), o.scenes(), tiles, o.epochs(), o.batchSize(),
                        o.learningRate(), Math.round(trainSeconds * 10) / 10.0, Nd4j.getEnvironment().maxMasterThreads(), realPictures(o)),
                new ModelMetadata.HeldOut("9·10^9 + 0.." + (o.heldOut() - 1), o.heldOut(), "9.5·10^9 + 0.." + (o.distractorScenes() - 1),
                        o.distractorScenes()),
                metrics, "gridwatch models train --task " + o.task().id() + " --seed " + o.seed() + " --scenes " + o.scenes()
                        + " --epochs " + o.epochs()));
        TileClassifier model = TileClassifier.load(outDir, o.task());
        double seconds = (System.nanoTime() - t0) / 1e9;
        log.printf("  %s: accuracy %.4f, distractor specificity %.4f; written %s (%.0f s)%n", o.task().id(), metrics.accuracy(),
                metrics.distractorSpecificity(), zip, seconds);
        return new Result(draft, model, held, distract, zip, seconds);
    }

    /** What real pictures the model learned from, for its metadata; null for generated scenes only. */
    private ModelMetadata.RealPictures realPictures(Options o) {
        if (photos == null) {
            return null;
        }
        int per = (o.scenes() + photoEvery(o.task()) - 1) / photoEvery(o.task());
        List<WallpaperPhotos.Entry> train = WallpaperPhotos.manifest(WallpaperPhotos.Use.TRAIN);
        return new ModelMetadata.RealPictures("models/src/main/resources/io/gridwatch/models/photos/wallpapers.csv (use train)",
                WallpaperPhotos.manifestSha256(), WallpaperPhotos.packages(train), photos.size(), per, per,
                "none-tiles of real crops kept with p=" + photoKeepNone(o.keepNone()) + "; scene i ≡ 0 (mod " + photoEvery(o.task()) + ") a real crop, ≡ "
                        + photoEvery(o.task()) / 2 + " a composite; "
                        + "the same share among the validation scenes");
    }
}
