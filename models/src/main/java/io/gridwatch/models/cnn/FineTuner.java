package io.gridwatch.models.cnn;

import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.detect.CnnTileDetector;
import io.gridwatch.models.eval.Calibration;
import io.gridwatch.models.eval.ConfusionMatrix;
import io.gridwatch.models.eval.Figures;
import io.gridwatch.models.eval.LabelledPhotos;
import io.gridwatch.models.eval.ReportWriter;
import io.gridwatch.models.eval.SceneLevel;
import io.gridwatch.models.eval.TileScores;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneRecipe;
import io.gridwatch.models.tiles.SceneSets;
import io.gridwatch.models.tiles.ScenePool;
import io.gridwatch.models.tiles.TileBatches;
import io.gridwatch.models.tiles.TileSet;
import io.gridwatch.models.tiles.Tiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Fine-tunes both tile models on a city's own labelled frames ({@code gridwatch models train --images DIR --labels CSV}) and
 * says how the result does against the model it started from on that city's held-out frames.
 * <p>
 * The photos are split <b>by image</b> (tiles of one frame overlap and share its light and camera, so tiles of one image on
 * both sides would flatter the result), stratified by each image's rarest class, from the seed. Training tiles come from the
 * training images with the evaluation's own tile truth ({@link TileScores.LabelledFrame#labels}: a pixel may carry two
 * labels): every grid tile, tiles at random offsets and crops around each box, mirrored at random, drawn afresh each epoch;
 * images labelled none give the hard negatives. A share of generated-scene tiles ({@link Trainer#trainingTiles}) is mixed
 * into every epoch so that what the net knew about generated scenes is rehearsed rather than forgotten, at a tenth of the
 * from-scratch learning rate, with the first convolution and its batch normalisation left as they were (few photos
 * should not re-learn edges and colours). The normaliser and the prior correction are kept; the context stage and the
 * decision factors are fitted again ({@link #refit}) on validation scenes and the training images, since the tuned net calls
 * classes at other rates than the one they were fitted for (kept, at 4 epochs stall F1 on generated scenes fell from 0.93 to 0.72, its
 * precision to 0.58; re-fitted, 0.87; models/README.md, "Fine-tuning on a city's own frames").
 * Everything random comes from the seed.
 */
public final class FineTuner {

    static {
        Nd4jRuntime.init(); // oneDNN, before ND4J loads
    }

    /** The start of every file name of the fine-tune report (beside the generated-scene and the {@code photos-} report). */
    public static final String PREFIX = "finetune-";

    /**
     * @param holdout        share of each stratum's images held out for the comparison (0..1, exclusive)
     * @param epochs         passes, each over freshly drawn tiles of the training images and freshly generated scenes' tiles
     * @param learningRate   Adam's rate, constant (the from-scratch rate is 5·10⁻³)
     * @param freezeFirst    leave the first convolution and its batch normalisation as they were
     * @param generatedShare the share of generated-scene tiles in each epoch's tiles (0: photos only)
     * @param checkScenes    held-out generated scenes (mixed, seeds 9·10⁹ + i) both models are measured on, to see that the
     *                       fine-tuned one did not forget; 0 skips it
     * @param threshold      the detector's threshold for the image-level figures (as {@code evaluate --threshold})
     * @param refitScenes    re-fit the context stage and the decision factors of the fine-tuned net on this many validation
     *                       scenes (the training seed's own, never held out) together with the training images; 0 keeps the
     *                       start model's
     */
    public record Options(long seed, double holdout, int epochs, double learningRate, int batchSize, boolean freezeFirst, double generatedShare,
                          int checkScenes, double threshold, int refitScenes) {

        public Options {
            if (!(holdout > 0 && holdout < 1)) {
                throw new IllegalArgumentException("--holdout must be between 0 and 1 (the share of images held out), got " + holdout);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
            }
            if (!(generatedShare >= 0 && generatedShare < 1)) {
                throw new IllegalArgumentException("the generated share must be 0..1 (exclusive), got " + generatedShare);
            }
            if (seed < 0 || seed > io.gridwatch.models.tiles.SceneSets.MAX_TRAINING_SEED) {
                throw new IllegalArgumentException("--seed must be 0.." + io.gridwatch.models.tiles.SceneSets.MAX_TRAINING_SEED + ", got " + seed);
            }
        }

        public static Options defaults() {
            return new Options(7, 0.25, 2, 5e-4, 64, true, 0.5, 100, 0.5, 300);
        }

        public Options withSeed(long s) {
            return new Options(s, holdout, epochs, learningRate, batchSize, freezeFirst, generatedShare, checkScenes, threshold, refitScenes);
        }

        public Options withHoldout(double h) {
            return new Options(seed, h, epochs, learningRate, batchSize, freezeFirst, generatedShare, checkScenes, threshold, refitScenes);
        }

        public Options withEpochs(int n) {
            return new Options(seed, holdout, n, learningRate, batchSize, freezeFirst, generatedShare, checkScenes, threshold, refitScenes);
        }

        public Options withGeneratedShare(double share) {
            return new Options(seed, holdout, epochs, learningRate, batchSize, freezeFirst, share, checkScenes, threshold, refitScenes);
        }

        public Options withCheckScenes(int n) {
            return new Options(seed, holdout, epochs, learningRate, batchSize, freezeFirst, generatedShare, n, threshold, refitScenes);
        }

        public Options withThreshold(double t) {
            return new Options(seed, holdout, epochs, learningRate, batchSize, freezeFirst, generatedShare, checkScenes, t, refitScenes);
        }

        public Options withRefitScenes(int n) {
            return new Options(seed, holdout, epochs, learningRate, batchSize, freezeFirst, generatedShare, checkScenes, threshold, n);
        }

        public Options withFreezeFirst(boolean f) {
            return new Options(seed, holdout, epochs, learningRate, batchSize, f, generatedShare, checkScenes, threshold, refitScenes);
        }
    }

    /** The photos split by image: those trained on and those held out for the comparison, each in name order. */
    public record Split(List<LabelledPhotos.Photo> train, List<LabelledPhotos.Photo> heldOut) {
    }

    /** One model's figures on the held-out photos (and, if measured, on held-out generated scenes). */
    public record Side(Map<Task, TileScores> tiles, SceneLevel imageLevel, int cleanImages, int cleanWithAClass, Map<SceneClass, Integer> cleanPerClass,
                       Map<Task, TileScores> generated) {
    }

    /**
     * The split, both models (the fine-tuned ones as read back from their files, and as they came out of training), their figures
     * side by side, where the models and the report went.
     */
    public record Result(Split split, Map<Task, TileClassifier> start, Map<Task, TileClassifier> tuned, Map<Task, TileClassifier> trained,
                         Side before, Side after, Path out,
                         Path summary, String comparison) {
    }

    private final PrintStream log;

    public FineTuner(PrintStream log) {
        this.log = log;
    }

    /**
     * Splits by image, stratified by each image's rarest class (over the whole set; {@code none} for an image labelled none):
     * a stratum of n ≥ 2 images holds out round(n·holdout) of them, at least one and never all; a stratum of one image trains.
     * Then every class with at least two images gets one held out and keeps one for training, moving an image where the
     * strata did not already do so (an image's class may sit in another class's stratum). Deterministic per seed, and the
     * same whatever the order of the labels file's rows (images are taken in name order before the shuffle).
     */
    public static Split split(List<LabelledPhotos.Photo> photos, double holdout, long seed) {
        List<LabelledPhotos.Photo> sorted = new ArrayList<>(photos);
        sorted.sort(Comparator.comparing(LabelledPhotos.Photo::name));
        Map<SceneClass, Integer> imagesOf = new EnumMap<>(SceneClass.class);
        for (LabelledPhotos.Photo p : sorted) {
            classes(p).forEach(c -> imagesOf.merge(c, 1, Integer::sum));
        }
        Map<SceneClass, List<LabelledPhotos.Photo>> strata = new EnumMap<>(SceneClass.class);
        for (LabelledPhotos.Photo p : sorted) {
            SceneClass stratum = classes(p).stream().min(Comparator.comparing((SceneClass c) -> imagesOf.get(c)).thenComparing(Enum::ordinal))
                    .orElse(SceneClass.NONE);
            strata.computeIfAbsent(stratum, k -> new ArrayList<>()).add(p);
        }
        Random r = new Random(seed * 31 + 13);
        Set<String> held = new java.util.HashSet<>();
        List<LabelledPhotos.Photo> order = new ArrayList<>();
        for (List<LabelledPhotos.Photo> s : strata.values()) {
            Collections.shuffle(s, r);
            order.addAll(s);
            int n = s.size();
            int k = n < 2 ? 0 : (int) Math.max(1, Math.min(n - 1, Math.round(n * holdout)));
            s.subList(0, k).forEach(p -> held.add(p.name()));
        }
        for (SceneClass c : imagesOf.keySet()) {
            if (imagesOf.get(c) < 2) {
                continue;
            }
            List<LabelledPhotos.Photo> with = order.stream().filter(p -> classes(p).contains(c)).toList();
            if (with.stream().noneMatch(p -> held.contains(p.name()))) {
                held.add(with.get(with.size() - 1).name());
            }
            if (with.stream().allMatch(p -> held.contains(p.name()))) {
                held.remove(with.get(with.size() - 1).name());
            }
        }
        if (held.isEmpty() || held.size() == sorted.size()) {
            throw new IllegalArgumentException("fine-tuning needs at least two labelled images (one to train on, one held out to compare "
                    + "on), got " + sorted.size());
        }
        return new Split(sorted.stream().filter(p -> !held.contains(p.name())).toList(), sorted.stream().filter(p -> held.contains(p.name())).toList());
    }

    /** The classes an image is labelled with; empty for none. */
    static Set<SceneClass> classes(LabelledPhotos.Photo p) {
        Set<SceneClass> s = EnumSet.noneOf(SceneClass.class);
        p.boxes().forEach(b -> s.add(b.cls()));
        return s;
    }

    /**
     * One epoch's tiles of labelled frames for a task: every grid tile, eight at random offsets and five crops around each
     * box (its centre anywhere in the box, ±12 px), each mirrored at random; tiles the truth leaves ambiguous are skipped.
     */
    public static TileSet photoTiles(Task task, List<TileScores.LabelledFrame> frames, List<LabelledPhotos.Photo> photos, SplittableRandom r) {
        TileSet set = new TileSet(task);
        for (int f = 0; f < frames.size(); f++) {
            TileScores.LabelledFrame frame = frames.get(f);
            int w = frame.work().getWidth();
            int h = frame.work().getHeight();
            List<int[]> spots = new ArrayList<>(Tiles.grid(w, h));
            for (int i = 0; i < 8; i++) {
                spots.add(new int[] {r.nextInt(w - Tiles.SIZE + 1), r.nextInt(h - Tiles.SIZE + 1)});
            }
            for (LabelledPhotos.Labelled b : photos.get(f).boxes()) {
                for (int i = 0; i < 5; i++) {
                    double cx = (b.box().x1() + (b.box().x2() - b.box().x1()) * r.nextDouble()) * w;
                    double cy = (b.box().y1() + (b.box().y2() - b.box().y1()) * r.nextDouble()) * h;
                    int x = (int) Math.max(0, Math.min(w - Tiles.SIZE, cx - Tiles.SIZE / 2.0 + r.nextInt(-12, 13)));
                    int y = (int) Math.max(0, Math.min(h - Tiles.SIZE, cy - Tiles.SIZE / 2.0 + r.nextInt(-12, 13)));
                    spots.add(new int[] {x, y});
                }
            }
            int[] labels = frame.labels(task, spots);
            for (int i = 0; i < spots.size(); i++) {
                if (labels[i] != Task.AMBIGUOUS) {
                    set.add(Tiles.cut(frame.work(), spots.get(i)[0], spots.get(i)[1], r.nextBoolean()), labels[i]);
                }
            }
        }
        return set;
    }

    /**
     * Fine-tunes both models from {@code start}, writes them with their metadata to {@code out}, measures both on the held-out
     * images (and generated scenes) and writes the comparison into {@code reportDir} ({@value #PREFIX}* files).
     *
     * @param startName {@code committed} or the folder the start models were read from, for the metadata and the report
     * @param command   the command line, for the metadata
     */
    public Result run(List<LabelledPhotos.Photo> photos, Path labelsCsv, Map<Task, TileClassifier> start, String startName, Options o, Path out,
                      Path reportDir, String command) {
        long t0 = System.nanoTime();
        Split split = split(photos, o.holdout(), o.seed());
        log.printf(Locale.ROOT, "fine-tuning %s on %d labelled images (%s): %d to train on, %d held out (seed %d, holdout %.2f, split by image)%n",
                startName, photos.size(), labelsCsv, split.train().size(), split.heldOut().size(), o.seed(), o.holdout());
        log.println("  held out: " + String.join(", ", split.heldOut().stream().map(LabelledPhotos.Photo::name).toList()));
        List<TileScores.LabelledFrame> trainFrames = LabelledPhotos.frames(split.train());
        List<TileScores.LabelledFrame> heldFrames = LabelledPhotos.frames(split.heldOut());
        List<FineTuning.Image> images = new ArrayList<>();
        Set<String> heldNames = new java.util.HashSet<>(split.heldOut().stream().map(LabelledPhotos.Photo::name).toList());
        for (LabelledPhotos.Photo p : photos.stream().sorted(Comparator.comparing(LabelledPhotos.Photo::name)).toList()) {
            images.add(new FineTuning.Image(p.name(), sha256(p.file()), classes(p).stream().map(SceneClass::id).toList(),
                    heldNames.contains(p.name()) ? FineTuning.HELD_OUT : FineTuning.TRAIN));
        }
        String labelsHash = sha256(labelsCsv);
        List<Scene> check = o.checkScenes() > 0 ? ScenePool.heldOut(o.checkScenes()) : List.of();
        Map<Task, TileClassifier> tuned = new EnumMap<>(Task.class);
        Map<Task, TileClassifier> trained = new EnumMap<>(Task.class);
        for (Task task : Task.values()) {
            TileClassifier draft = tune(task, start.get(task), trainFrames, split, o, out, images, labelsCsv, labelsHash, startName, command, check);
            trained.put(task, draft);
            tuned.put(task, TileClassifier.load(out, task));
        }
        Side before = measure(start, split.heldOut(), heldFrames, check, o.threshold());
        Side after = measure(tuned, split.heldOut(), heldFrames, check, o.threshold());
        ReportWriter report = new ReportWriter(reportDir, PREFIX, String.format(Locale.ROOT,
                "fine-tuned (%s) against the model it started from (%s) on %d held-out images of %s (seed %d, holdout %.2f)", out, startName,
                split.heldOut().size(), labelsCsv, o.seed(), o.holdout()));
        for (Task t : Task.values()) {
            report.add("start-" + t.id(), before.tiles().get(t), null);
            report.add("tuned-" + t.id(), after.tiles().get(t), null);
        }
        String text = comparison(before, after, split, check.size(), startName);
        report.note(text);
        report.put("held_out_images", split.heldOut().stream().map(LabelledPhotos.Photo::name).toList());
        report.put("train_images", split.train().stream().map(LabelledPhotos.Photo::name).toList());
        report.put("threshold", o.threshold());
        report.put("start_model", startName);
        report.put("fine_tuned_model", out.toString());
        report.put("start", sideJson(before));
        report.put("tuned", sideJson(after));
        report.finish();
        log.print(text);
        log.printf(Locale.ROOT, "models: %s (objects.zip, snow.zip with their .json); report: %s (%ssummary.txt, %smetrics.json, "
                + "%s{start,tuned}-<task>-confusion.csv and -pr.png); %.0f s%n", out, reportDir, PREFIX, PREFIX, PREFIX, (System.nanoTime() - t0) / 1e9);
        return new Result(split, start, tuned, trained, before, after, out, report.file("summary.txt"), text);
    }

    /** Which layers stay as they were when {@link Options#freezeFirst()}: the first convolution and its batch normalisation. */
    static final int FROZEN_LAYERS = 2;

    private TileClassifier tune(Task task, TileClassifier start, List<TileScores.LabelledFrame> trainFrames, Split split, Options o, Path out,
                                List<FineTuning.Image> images, Path labelsCsv, String labelsHash, String startName, String command, List<Scene> check) {
        long t1 = System.nanoTime();
        MultiLayerNetwork net = new MultiLayerNetwork(start.net().getLayerWiseConfigurations().clone());
        net.init();
        net.setParams(start.net().params().dup());
        net.setLearningRate(o.learningRate()); // constant, replacing the from-scratch schedule
        List<INDArray> frozen = new ArrayList<>();
        List<String> frozenNames = new ArrayList<>();
        for (int l = 0; o.freezeFirst() && l < FROZEN_LAYERS; l++) {
            frozen.add(net.getLayer(l).params() == null ? null : net.getLayer(l).params().dup());
            frozenNames.add(net.getLayer(l).conf().getLayer().getLayerName());
        }
        Trainer sceneTiles = new Trainer(new PrintStream(java.io.OutputStream.nullOutputStream()));
        Trainer.Options gen = Trainer.Options.defaults(task).withSeed(o.seed());
        int[] photoCounts = new int[task.classes().size()];
        int[] genCounts = new int[task.classes().size()];
        int nextScene = 0;
        for (int e = 0; e < o.epochs(); e++) {
            TileSet photo = photoTiles(task, trainFrames, split.train(), new SplittableRandom(o.seed() * 1_000_003L + e * 7919L + task.ordinal()));
            TileSet epoch = new TileSet(task);
            for (int i = 0; i < photo.size(); i++) {
                epoch.add(photo.tile(i), photo.label(i));
                photoCounts[photo.label(i)]++;
            }
            int wanted = (int) Math.round(photo.size() * o.generatedShare() / (1 - o.generatedShare()));
            int added = 0;
            while (added < wanted) {
                // scenes are drawn a few at a time until the share is met; the same seed draws the same scenes
                TileSet g = sceneTiles.trainingTiles(gen, nextScene, nextScene + 8);
                nextScene += 8;
                for (int i = 0; i < g.size() && added < wanted; i++, added++) {
                    epoch.add(g.tile(i), g.label(i));
                    genCounts[g.label(i)]++;
                }
            }
            TileBatches batches = new TileBatches(epoch, o.batchSize(), o.seed() * 1_000 + e, true);
            batches.setPreProcessor(start.normalizer());
            while (batches.hasNext()) {
                net.fit(batches.next());
                for (int l = 0; l < frozen.size(); l++) {
                    if (frozen.get(l) != null) {
                        net.getLayer(l).params().assign(frozen.get(l));
                    }
                }
            }
            log.printf(Locale.ROOT, "  %s epoch %d/%d: %,d photo tiles %s + %,d generated, loss %.3f%n", task.id(), e + 1, o.epochs(), photo.size(),
                    counts(task, photo.counts()), added, net.score());
        }
        // the saved net is the start model's own configuration with the new weights: nothing of the training set-up travels
        MultiLayerNetwork clean = new MultiLayerNetwork(start.net().getLayerWiseConfigurations().clone());
        clean.init();
        clean.setParams(net.params().dup());
        ModelMetadata sm = start.metadata();
        List<ContextStage> context = sm.context();
        ModelMetadata.Calibration calibration = sm.calibration();
        String decision = "prior correction, context stage and decision factors of the start model, kept";
        if (o.refitScenes() > 0) {
            Trainer.Decision d = refit(task, new TileClassifier(task, clean, start.normalizer(), null, sm.priorCorrection(), null, null), trainFrames,
                    o.seed(), o.refitScenes());
            context = d.context();
            calibration = d.calibration();
            decision = "prior correction of the start model, kept; context stage and decision factors re-fitted on " + o.refitScenes()
                    + " validation scenes (seeds " + calibration.sceneSeeds() + ") and the " + trainFrames.size() + " training images";
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        TileClassifier draft = new TileClassifier(task, clean, start.normalizer(), null, sm.priorCorrection(), context,
                calibration == null ? null : calibration.factors());
        TileScores held = check.isEmpty() ? null : TileScores.ofScenes(draft, check);
        FineTuning ft = new FineTuning(startName, labelsCsv.toString(), labelsHash, o.seed(), o.holdout(), o.epochs(), o.learningRate(), o.batchSize(),
                o.generatedShare(), frozenNames, split.train().size(), split.heldOut().size(), images, counts(task, photoCounts), counts(task, genCounts),
                nextScene == 0 ? "none" : o.seed() + "·10^7 + 0.." + (nextScene - 1), decision, Math.round(seconds * 10) / 10.0);
        List<ContextStage> rounds = context;
        ModelMetadata.Calibration cal = calibration;
        TileClassifier.save(out, task, clean, start.normalizer(), bytes -> new ModelMetadata(sm.task(), sm.classes(), task.id() + ".zip", bytes,
                clean.numParams(), sm.generatorVersion(), sm.input(), sm.normalisation(), sm.priorCorrection(), rounds, cal,
                sm.training(), held == null ? null : new ModelMetadata.HeldOut("9·10^9 + 0.." + (check.size() - 1), check.size(), "none", 0),
                held == null ? null : held.metrics(null), command, ft));
        log.printf(Locale.ROOT, "  %s: written %s (%.0f s)%n", task.id(), out.resolve(task.id() + ".zip"), seconds);
        return draft;
    }

    /**
     * The context stage's rounds and the decision factors fitted again for the fine-tuned net, as {@code Trainer} fits them for a
     * new one ({@value Trainer#CONTEXT_ROUNDS} rounds, each on the one before, then {@link Calibration}), on validation scenes of
     * the seed ({@link SceneSets#validationSeed}: never trained on, never held out) together with the training images: the net
     * now calls none more readily than the one the start model's factors were fitted for, and the city's frames are where it
     * has to hold. The held-out images are not used.
     */
    static Trainer.Decision refit(Task task, TileClassifier tilesAlone, List<TileScores.LabelledFrame> photos, long seed, int scenes) {
        List<ContextStage.Frame> frames = new ArrayList<>();
        for (Scene s : ScenePool.generate(scenes, i -> SceneSets.validationSeed(seed, i), SceneRecipe::mixed)) {
            frames.add(Trainer.frame(task, tilesAlone, s));
        }
        for (TileScores.LabelledFrame f : photos) {
            TileClassifier.FrameScores fs = tilesAlone.predictFrame(f.work());
            frames.add(new ContextStage.Frame(fs.probs(), fs.cols(), fs.rows(), f.labels(task, fs.grid())));
        }
        long first = SceneSets.validationSeed(seed, 0);
        return Trainer.decide(task, frames, first + ".." + (first + scenes - 1) + " and " + photos.size() + " training images", scenes,
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    private static Map<String, Integer> counts(Task task, int[] c) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < c.length; i++) {
            m.put(task.classes().get(i).id(), c[i]);
        }
        return m;
    }

    /** A pair of models on the held-out photos: tile scores per task, the image level, the clean images; and on generated scenes. */
    static Side measure(Map<Task, TileClassifier> m, List<LabelledPhotos.Photo> photos, List<TileScores.LabelledFrame> frames, List<Scene> check,
                        double threshold) {
        Map<Task, TileScores> tiles = new EnumMap<>(Task.class);
        for (Task t : Task.values()) {
            tiles.put(t, TileScores.ofFrames(m.get(t), frames));
        }
        CnnTileDetector det = new CnnTileDetector(m.get(Task.OBJECTS), m.get(Task.SNOW), threshold);
        SceneLevel level = new SceneLevel();
        int clean = 0;
        int cleanAny = 0;
        Map<SceneClass, Integer> per = new EnumMap<>(SceneClass.class);
        for (int i = 0; i < photos.size(); i++) {
            TileScores.LabelledFrame f = frames.get(i);
            List<DetectedObject> found = CnnTileDetector.merge(det.tiles(f.work()), f.work().getWidth(), f.work().getHeight());
            Set<SceneClass> labelled = classes(photos.get(i));
            level.add(labelled, found);
            if (labelled.isEmpty()) {
                clean++;
                cleanAny += found.isEmpty() ? 0 : 1;
                found.stream().map(d -> SceneClass.of(d.label())).distinct().forEach(c -> per.merge(c, 1, Integer::sum));
            }
        }
        Map<Task, TileScores> generated = new EnumMap<>(Task.class);
        if (!check.isEmpty()) {
            for (Task t : Task.values()) {
                generated.put(t, TileScores.ofScenes(m.get(t), check));
            }
        }
        return new Side(tiles, level, clean, cleanAny, per, generated);
    }

    /** The side-by-side table printed and put into the summary. */
    static String comparison(Side before, Side after, Split split, int checkScenes, String startName) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "start (%s) against fine-tuned, on the %d held-out images (never trained on):%n",
                startName, split.heldOut().size()));
        String row = "  %-44s %10s %10s%n";
        sb.append(String.format(Locale.ROOT, row, "", "start", "fine-tuned"));
        for (Task t : Task.values()) {
            ConfusionMatrix b = before.tiles().get(t).confusion();
            ConfusionMatrix a = after.tiles().get(t).confusion();
            for (int c = 1; c < t.classes().size(); c++) {
                sb.append(String.format(Locale.ROOT, row, "tile F1 " + t.classes().get(c).id() + " (" + b.support(c) + " of " + b.total() + " tiles)",
                        Figures.text(b.f1(c)), Figures.text(a.f1(c))));
            }
            sb.append(String.format(Locale.ROOT, row, "tiles of none called a class, " + t.id(), calledShare(b), calledShare(a)));
        }
        for (SceneClass c : List.of(SceneClass.STALL, SceneClass.GARBAGE, SceneClass.WATER, SceneClass.SNOW)) {
            ConfusionMatrix b = before.imageLevel().of(c);
            ConfusionMatrix a = after.imageLevel().of(c);
            sb.append(String.format(Locale.ROOT, row, "image recall " + c.id() + " (" + b.support(1) + " images)", Figures.text(b.recall(1)),
                    Figures.text(a.recall(1))));
            sb.append(String.format(Locale.ROOT, row, "image precision " + c.id(), Figures.text(b.precision(1)), Figures.text(a.precision(1))));
        }
        sb.append(String.format(Locale.ROOT, row, "clean images with any class reported", before.cleanWithAClass() + " of " + before.cleanImages(),
                after.cleanWithAClass() + " of " + after.cleanImages()));
        if (checkScenes > 0) {
            for (Task t : Task.values()) {
                ConfusionMatrix b = before.generated().get(t).confusion();
                ConfusionMatrix a = after.generated().get(t).confusion();
                for (int c = 1; c < t.classes().size(); c++) {
                    sb.append(String.format(Locale.ROOT, row, "generated held-out F1 " + t.classes().get(c).id() + " (" + checkScenes + " scenes)",
                            Figures.text(b.f1(c)), Figures.text(a.f1(c))));
                }
            }
        }
        sb.append("  n/a: not defined here (no examples of the class among these images, or nothing called it)\n");
        return sb.toString();
    }

    private static String calledShare(ConfusionMatrix m) {
        long none = m.support(0);
        long called = none - m.count(0, 0);
        return called + " of " + none;
    }

    /** One side's figures for finetune-metrics.json; a figure that is not defined is null. */
    static Map<String, Object> sideJson(Side s) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> tileF1 = new LinkedHashMap<>();
        for (Task t : Task.values()) {
            ConfusionMatrix m = s.tiles().get(t).confusion();
            for (int c = 1; c < t.classes().size(); c++) {
                tileF1.put(t.classes().get(c).id(), Figures.json(m.f1(c)));
            }
        }
        out.put("tile_f1", tileF1);
        out.put("image_level", s.imageLevel().toMap());
        Map<String, Object> clean = new LinkedHashMap<>();
        clean.put("images", s.cleanImages());
        clean.put("with_a_class_reported", s.cleanWithAClass());
        Map<String, Integer> per = new LinkedHashMap<>();
        s.cleanPerClass().forEach((c, n) -> per.put(c.id(), n));
        clean.put("per_class", per);
        out.put("clean_images", clean);
        if (!s.generated().isEmpty()) {
            Map<String, Object> gen = new LinkedHashMap<>();
            for (Task t : Task.values()) {
                ConfusionMatrix m = s.generated().get(t).confusion();
                for (int c = 1; c < t.classes().size(); c++) {
                    gen.put(t.classes().get(c).id(), Figures.json(m.f1(c)));
                }
            }
            out.put("generated_held_out_f1", gen);
        }
        return out;
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
