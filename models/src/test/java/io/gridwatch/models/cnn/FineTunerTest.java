package io.gridwatch.models.cnn;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.json.Json;
import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.detect.CnnTileDetector;
import io.gridwatch.models.eval.ConfusionMatrix;
import io.gridwatch.models.eval.LabelledPhotos;
import io.gridwatch.models.eval.TileScores;
import io.gridwatch.models.photos.WallpaperPhotos;
import io.gridwatch.models.photos.Wallpapers;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;
import io.gridwatch.models.tiles.Tiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The fine-tune round trip ({@code gridwatch models train --images}) on a small labelled set: generated stalls, snow and
 * quiet streets as {@code models generate} writes them, and crops of a real photograph, labelled none, that the committed
 * snow model calls snow all over: {@code Grey} of Debian's plasma-workspace-wallpapers (grey water and sky; a package of the
 * wallpaper manifest's training side, models/DATA.md, fetched on first use — the test-side packages and opencv-doc's pictures
 * are kept for the evaluations).
 */
class FineTunerTest {

    /** Crops of the photograph, three quarters of its width and height, at these offsets (fractions of it), labelled none. */
    static final double[][] CROPS = {{0, 0}, {0.25, 0}, {0, 0.25}, {0.25, 0.25}, {0.17, 0.18}};
    /** A crop none of them is: where fine-tuning should have moved the model. */
    static final double[] PROBE = {0.13, 0.03};

    @TempDir
    static Path dir;

    static Path images;
    static Path labels;
    static List<LabelledPhotos.Photo> photos;
    static FineTuner.Result first;
    static FineTuner.Result again;
    static String printed;
    static final FineTuner.Options OPTIONS = FineTuner.Options.defaults().withEpochs(2).withCheckScenes(2).withRefitScenes(10);

    @BeforeAll
    static void fineTuneTwice() throws Exception {
        images = Files.createDirectories(dir.resolve("images"));
        StringBuilder csv = new StringBuilder("image,label,x1,y1,x2,y2\n");
        SceneGenerator gen = new SceneGenerator();
        for (int i = 0; i < 3; i++) {
            Scene s = gen.generate(9_800_000_000L + i, SceneRecipe.of(SceneClass.STALL).withLight(SceneRecipe.Light.DAY));
            ImageIO.write(s.image(), "png", images.resolve("stall-" + i + ".png").toFile());
            for (Scene.Placed t : s.targets()) {
                csv.append(row("stall-" + i + ".png", t.cls().id(), t.box()));
            }
            Scene w = gen.generate(9_800_000_100L + i, SceneRecipe.distractorsOnly(2).withLight(SceneRecipe.Light.DAY).withSnow(true));
            ImageIO.write(w.image(), "png", images.resolve("snow-" + i + ".png").toFile());
            csv.append(row("snow-" + i + ".png", "snow", new Box(0, snowTop(w), 1, 1)));
        }
        for (int i = 0; i < 2; i++) {
            Scene q = gen.generate(9_800_000_200L + i, SceneRecipe.distractorsOnly(3).withLight(SceneRecipe.Light.DAY));
            ImageIO.write(q.image(), "png", images.resolve("quiet-" + i + ".png").toFile());
            csv.append("quiet-").append(i).append(".png,none,,,,\n");
        }
        BufferedImage grey = photo();
        Files.createDirectories(images.resolve("real"));
        for (int i = 0; i < CROPS.length; i++) {
            ImageIO.write(crop(grey, CROPS[i]), "jpg", images.resolve("real/grey-" + i + ".jpg").toFile());
            csv.append("real/grey-").append(i).append(".jpg,none\n");
        }
        labels = Files.writeString(dir.resolve("labels.csv"), csv);
        photos = LabelledPhotos.read(images, labels);
        Path report = Files.createDirectories(dir.resolve("report"));
        Files.writeString(report.resolve("summary.txt"), "the generated-scene report");
        Files.writeString(report.resolve("photos-summary.txt"), "the photo report");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            first = new FineTuner(out).run(photos, labels, committed(), "committed", OPTIONS, dir.resolve("tuned"), report, "test");
        }
        printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        again = new FineTuner(new PrintStream(java.io.OutputStream.nullOutputStream())).run(photos, labels, committed(), "committed", OPTIONS,
                dir.resolve("tuned-again"), Files.createDirectories(dir.resolve("report-again")), "test");
    }

    @Test
    void theSplitIsByImageStratifiedAndTheSameForTheSameSeedWhateverTheRowOrder() {
        FineTuner.Split s = first.split();
        Set<String> train = names(s.train());
        Set<String> held = names(s.heldOut());
        assertThat(train).doesNotContainAnyElementsOf(held);
        Set<String> all = new HashSet<>(train);
        all.addAll(held);
        assertThat(all).isEqualTo(names(photos));
        // every class with two or more images has one held out and one to train on
        for (String prefix : List.of("stall-", "snow-", "real/")) {
            assertThat(train).as(prefix).anyMatch(n -> n.startsWith(prefix));
        }
        assertThat(held).anyMatch(n -> n.startsWith("stall-"));
        assertThat(held).anyMatch(n -> n.startsWith("snow-"));
        assertThat(held).anyMatch(n -> n.startsWith("quiet-") || n.startsWith("real/"));
        assertThat(train).anyMatch(n -> n.startsWith("stall-")).anyMatch(n -> n.startsWith("snow-"));
        // 0.25 of each stratum: 3 stall → 1, 3 snow → 1, 7 none → 2
        assertThat(held).hasSize(4);

        List<LabelledPhotos.Photo> shuffled = new ArrayList<>(photos);
        Collections.shuffle(shuffled, new Random(1));
        assertThat(FineTuner.split(shuffled, 0.25, OPTIONS.seed())).isEqualTo(s);
        assertThat(again.split()).isEqualTo(s);
        boolean differs = false;
        for (long seed = 1; seed < 10 && !differs; seed++) {
            differs = !FineTuner.split(photos, 0.25, seed).equals(s);
        }
        assertThat(differs).as("another seed, another split").isTrue();
    }

    @Test
    void theMetadataListsEveryImageWithItsHashAndSplitAndTheData() throws Exception {
        Set<String> held = names(first.split().heldOut());
        for (Task t : Task.values()) {
            JsonNode md = Json.mapper().readTree(dir.resolve("tuned").resolve(t.id() + ".json").toFile());
            JsonNode ft = md.get("fine_tuning");
            assertThat(ft).as(t.id() + ".json fine_tuning").isNotNull();
            assertThat(ft.get("labels_sha256").asText()).isEqualTo(FineTuner.sha256(labels));
            assertThat(ft.get("seed").asLong()).isEqualTo(OPTIONS.seed());
            assertThat(ft.get("epochs").asInt()).isEqualTo(OPTIONS.epochs());
            assertThat(ft.get("start_model").asText()).isEqualTo("committed");
            assertThat(md.get("command").asText()).isEqualTo("test");
            assertThat(ft.get("images")).hasSize(photos.size());
            for (JsonNode i : ft.get("images")) {
                LabelledPhotos.Photo p = photos.stream().filter(x -> x.name().equals(i.get("name").asText())).findFirst().orElseThrow();
                assertThat(i.get("sha256").asText()).isEqualTo(FineTuner.sha256(p.file()));
                assertThat(i.get("split").asText()).isEqualTo(held.contains(p.name()) ? FineTuning.HELD_OUT : FineTuning.TRAIN);
            }
            assertThat(ft.get("train_images").asInt() + ft.get("held_out_images").asInt()).isEqualTo(photos.size());
            int photoTiles = 0;
            for (JsonNode n : ft.get("photo_tiles")) {
                photoTiles += n.asInt();
            }
            int generated = 0;
            for (JsonNode n : ft.get("generated_tiles")) {
                generated += n.asInt();
            }
            assertThat(generated).as("half the tiles generated").isCloseTo(photoTiles, within(photoTiles / 50 + 2));
        }
        // a model trained from scratch writes no fine_tuning at all
        assertThat(Json.mapper().readTree(TileClassifier.class.getResourceAsStream(TileClassifier.RESOURCE_DIR + "snow.json")).has("fine_tuning")).isFalse();
    }

    @Test
    void theFineTunedModelLoadsBackGivesTheSameOutputsAndTheSameSeedGivesTheSameModel() throws Exception {
        BufferedImage probe = Tiles.workFrame(crop(photo(), PROBE));
        for (Task t : Task.values()) {
            float[][] trained = first.trained().get(t).predictFrame(probe).probs();
            float[][] loaded = TileClassifier.load(dir.resolve("tuned"), t).predictFrame(probe).probs();
            float[][] twice = again.tuned().get(t).predictFrame(probe).probs();
            for (int i = 0; i < trained.length; i++) {
                assertThat(loaded[i]).as(t.id() + " tile " + i + " read back").containsExactly(trained[i], org.assertj.core.data.Offset.offset(1e-6f));
                assertThat(twice[i]).as(t.id() + " tile " + i + " same seed").containsExactly(trained[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
            assertThat(TileClassifier.load(dir.resolve("tuned"), t).net().params().equalsWithEps(first.start().get(t).net().params(), 1e-6))
                    .as(t.id() + " moved").isFalse();
        }
    }

    @Test
    void theComparisonReportHoldsFiguresRecomputedFromPredictions() throws Exception {
        Path report = dir.resolve("report");
        JsonNode m = Json.mapper().readTree(report.resolve(FineTuner.PREFIX + "metrics.json").toFile());
        List<TileScores.LabelledFrame> held = LabelledPhotos.frames(first.split().heldOut());
        for (String side : List.of("start", "tuned")) {
            Map<Task, TileClassifier> models = side.equals("start") ? first.start() : first.tuned();
            for (Task t : Task.values()) {
                ConfusionMatrix cm = TileScores.ofFrames(models.get(t), held).confusion();
                for (int c = 1; c < t.classes().size(); c++) {
                    JsonNode f1 = m.get(side).get("tile_f1").get(t.classes().get(c).id());
                    if (Double.isNaN(cm.f1(c))) {
                        assertThat(f1.isNull()).as(side + " " + t.classes().get(c).id()).isTrue();
                    } else {
                        assertThat(f1.asDouble()).as(side + " " + t.classes().get(c).id()).isCloseTo(cm.f1(c), within(1e-4));
                    }
                }
                assertThat(m.get(side + "-" + t.id()).get("tiles").asInt()).isEqualTo((int) cm.total());
            }
            CnnTileDetector det = new CnnTileDetector(models.get(Task.OBJECTS), models.get(Task.SNOW), OPTIONS.threshold());
            int clean = 0;
            int withClass = 0;
            int snowFound = 0;
            for (int i = 0; i < held.size(); i++) {
                BufferedImage w = held.get(i).work();
                List<DetectedObject> found = CnnTileDetector.merge(det.tiles(w), w.getWidth(), w.getHeight());
                boolean labelledSnow = first.split().heldOut().get(i).boxes().stream().anyMatch(b -> b.cls() == SceneClass.SNOW);
                snowFound += labelledSnow && found.stream().anyMatch(d -> d.label().equals("snow")) ? 1 : 0;
                if (first.split().heldOut().get(i).boxes().isEmpty()) {
                    clean++;
                    withClass += found.isEmpty() ? 0 : 1;
                }
            }
            assertThat(m.get(side).get("clean_images").get("images").asInt()).isEqualTo(clean);
            assertThat(m.get(side).get("clean_images").get("with_a_class_reported").asInt()).as(side).isEqualTo(withClass);
            assertThat(m.get(side).get("image_level").get("snow").get("found").asInt()).as(side).isEqualTo(snowFound);
            assertThat(m.get(side).get("generated_held_out_f1").get("stall")).isNotNull();
        }
        String summary = Files.readString(report.resolve(FineTuner.PREFIX + "summary.txt"));
        assertThat(summary).contains(first.comparison()).contains("clean images with any class reported");
        assertThat(printed).contains(first.comparison());
        assertThat(report.resolve(FineTuner.PREFIX + "tuned-snow-confusion.csv")).isRegularFile();
        // the generated-scene report and the photo report in the same folder are left as they were
        assertThat(Files.readString(report.resolve("summary.txt"))).isEqualTo("the generated-scene report");
        assertThat(Files.readString(report.resolve("photos-summary.txt"))).isEqualTo("the photo report");
    }

    @Test
    void fineTuningMovesTheModelTowardTheLabelsOnACropItNeverSaw() throws Exception {
        BufferedImage probe = Tiles.workFrame(crop(photo(), PROBE));
        double before = meanSnow(first.start().get(Task.SNOW), probe);
        double after = meanSnow(first.tuned().get(Task.SNOW), probe);
        System.out.printf(Locale.ROOT, "probe crop: mean snow probability %.3f committed, %.3f fine-tuned%n", before, after);
        // the committed model of 2026-11-28 calls the grey water and sky snow (mean 0.9 or so, issue 13); a start model that no
        // longer does leaves nothing to move here (the likelihood test below still holds)
        assumeThat(before).as("the committed model calls the grey picture snow").isGreaterThan(0.2);
        assertThat(after).as("after fine-tuning on other crops of the photo labelled none").isLessThan(before / 2);
    }

    @Test
    void theFineTunedModelsGiveTheTrainingImagesLabelsAHigherLikelihood() {
        List<TileScores.LabelledFrame> train = LabelledPhotos.frames(first.split().train());
        for (Task t : Task.values()) {
            double before = logLikelihood(TileScores.ofFrames(first.start().get(t), train));
            double after = logLikelihood(TileScores.ofFrames(first.tuned().get(t), train));
            System.out.printf(Locale.ROOT, "%s: mean log-likelihood of the training images' tile labels %.4f committed, %.4f fine-tuned%n", t.id(),
                    before, after);
            assertThat(after).as(t.id()).isGreaterThan(before);
        }
    }

    private static double logLikelihood(TileScores s) {
        double sum = 0;
        for (int i = 0; i < s.size(); i++) {
            sum += Math.log(Math.max(1e-6, s.probs()[i][s.truth()[i]]));
        }
        return sum / s.size();
    }

    private static double meanSnow(TileClassifier snow, BufferedImage work) {
        float[][] p = snow.predictFrame(work).probs();
        double s = 0;
        for (float[] row : p) {
            s += row[1];
        }
        return s / p.length;
    }

    private static Map<Task, TileClassifier> committed() {
        Map<Task, TileClassifier> m = new EnumMap<>(Task.class);
        for (Task t : Task.values()) {
            m.put(t, TileClassifier.committed(t));
        }
        return m;
    }

    private static Set<String> names(List<LabelledPhotos.Photo> ps) {
        Set<String> s = new HashSet<>();
        ps.forEach(p -> s.add(p.name()));
        return s;
    }

    private static BufferedImage photo;

    /** The plasma-workspace-wallpapers photograph {@code Grey}, fetched on first use (as the other models tests' wallpapers are). */
    private static synchronized BufferedImage photo() throws java.io.IOException {
        if (photo == null) {
            WallpaperPhotos.Entry e = WallpaperPhotos.manifest().stream().filter(x -> x.path().contains("/wallpapers/Grey/")).findFirst()
                    .orElseThrow(() -> new AssertionError("no Grey in the wallpaper manifest"));
            assertThat(e.use()).as("a picture of the training side").isEqualTo(WallpaperPhotos.Use.TRAIN);
            Path file = WallpaperPhotos.files(List.of(e), Wallpapers.CACHE, new PrintStream(java.io.OutputStream.nullOutputStream())).get(e);
            photo = ImageIO.read(file.toFile());
        }
        return photo;
    }

    /** Three quarters of the picture's width and height from {@code at} (fractions), at 640 px across. */
    private static BufferedImage crop(BufferedImage img, double[] at) {
        int w = img.getWidth() * 3 / 4;
        int h = img.getHeight() * 3 / 4;
        BufferedImage out = new BufferedImage(640, 640 * h / w, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img.getSubimage((int) (at[0] * img.getWidth()), (int) (at[1] * img.getHeight()), w, h), 0, 0, out.getWidth(), out.getHeight(), null);
        g.dispose();
        return out;
    }

    private static String row(String image, String label, Box b) {
        return String.format(Locale.ROOT, "%s,%s,%.4f,%.4f,%.4f,%.4f%n", image, label, b.x1(), b.y1(), b.x2(), b.y2());
    }

    /** The top of the snow in a generated scene, as a fraction of its height. */
    private static double snowTop(Scene s) {
        for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
                if (s.classAt(x, y) == SceneClass.SNOW) {
                    return y / (double) s.height();
                }
            }
        }
        throw new AssertionError("no snow in scene " + s.seed());
    }
}
