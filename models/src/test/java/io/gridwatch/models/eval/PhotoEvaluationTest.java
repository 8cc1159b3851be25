package io.gridwatch.models.eval;

import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.photos.Wallpapers;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code models evaluate --images} end to end on three small pictures: a generated stall standing on snow (two labels on
 * its pixels), a generated street with distractors only, and a real photograph from Debian's lomiri-wallpapers-20.04
 * package (labelled none: a nuthatch on a tree, a pale path behind it that the first models called snow).
 */
class PhotoEvaluationTest {

    @TempDir
    Path dir;

    @Test
    void aFoundObjectIsRightWhereItsLabelIsElsewhereWhereNotAndFalseWhenTheImageHasNone() {
        LabelledPhotos.Photo p = new LabelledPhotos.Photo("a.jpg", dir.resolve("a.jpg"), List.of(
                new LabelledPhotos.Labelled(SceneClass.STALL, new Box(0.1, 0.5, 0.3, 0.8)),
                new LabelledPhotos.Labelled(SceneClass.SNOW, new Box(0, 0.5, 1, 1))));
        assertThat(PhotoEvaluation.verdict(p, new DetectedObject("stall", 0.9, new Box(0.2, 0.6, 0.4, 0.9)))).isEqualTo(PhotoEvaluation.Verdict.RIGHT);
        assertThat(PhotoEvaluation.verdict(p, new DetectedObject("stall", 0.9, new Box(0.6, 0.1, 0.8, 0.3)))).isEqualTo(PhotoEvaluation.Verdict.ELSEWHERE);
        assertThat(PhotoEvaluation.verdict(p, new DetectedObject("snow", 0.7, new Box(0.0, 0.6, 0.2, 0.9)))).isEqualTo(PhotoEvaluation.Verdict.RIGHT);
        assertThat(PhotoEvaluation.verdict(p, new DetectedObject("water", 0.7, new Box(0.0, 0.6, 0.2, 0.9)))).isEqualTo(PhotoEvaluation.Verdict.FALSE);
        // boxes that only touch do not overlap
        assertThat(PhotoEvaluation.verdict(p, new DetectedObject("stall", 0.9, new Box(0.3, 0.5, 0.5, 0.8)))).isEqualTo(PhotoEvaluation.Verdict.ELSEWHERE);
        var used = new HashSet<String>();
        assertThat(PhotoEvaluation.overlayName("cam/1.png", used)).isEqualTo("cam/1.jpg");
        assertThat(PhotoEvaluation.overlayName("cam/1.jpg", used)).isEqualTo("cam/1-jpg.jpg");
    }

    @Test
    void everyImageGetsALineAndAnOverlayAndThePhotoReportLeavesTheSceneReportAlone() throws Exception {
        Path photo = Wallpapers.file("Kleiber_by_Lukas_Baubkus.jpg"); // fetched on first use (a wallpaper package)
        Path images = Files.createDirectories(dir.resolve("images"));
        SceneGenerator gen = new SceneGenerator();
        Scene stallOnSnow = gen.generate(9_600_000_101L, SceneRecipe.of(SceneClass.STALL).withLight(SceneRecipe.Light.DAY).withSnow(true));
        Scene quiet = gen.generate(9_600_000_700L, SceneRecipe.distractorsOnly(3).withLight(SceneRecipe.Light.DAY));
        ImageIO.write(stallOnSnow.image(), "png", images.resolve("stall-on-snow.png").toFile());
        ImageIO.write(quiet.image(), "png", images.resolve("quiet.png").toFile());
        Files.createDirectories(images.resolve("real"));
        Files.copy(photo, images.resolve("real/kleiber.jpg"));
        Box stall = stallOnSnow.targets().get(0).box();
        Path csv = Files.writeString(dir.resolve("labels.csv"), String.format(Locale.ROOT, """
                image,label,x1,y1,x2,y2
                stall-on-snow.png,snow,0,%.4f,1,1
                stall-on-snow.png,stall,%.4f,%.4f,%.4f,%.4f
                quiet.png,none,,,,
                real/kleiber.jpg,none
                """, snowTop(stallOnSnow), stall.x1(), stall.y1(), stall.x2(), stall.y2()));
        Path report = Files.createDirectories(dir.resolve("report"));
        Files.writeString(report.resolve("summary.txt"), "the generated-scene report");
        Files.writeString(report.resolve("metrics.json"), "{}");
        Files.createDirectories(report.resolve(PhotoEvaluation.OVERLAYS));
        Files.writeString(report.resolve(PhotoEvaluation.OVERLAYS).resolve("from-an-earlier-run.jpg"), "x");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PhotoEvaluation.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = new PhotoEvaluation(TileClassifier.committed(Task.OBJECTS), TileClassifier.committed(Task.SNOW), 0.5)
                    .run(LabelledPhotos.read(images, csv), "test photos", report, out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);

        // a line per image: what was found, where, with what score, and the verdict
        assertThat(r.images()).hasSize(3);
        for (PhotoEvaluation.ImageResult i : r.images()) {
            assertThat(printed).contains("  " + i.line() + "\n");
            for (PhotoEvaluation.Found f : i.found()) {
                assertThat(i.line()).contains(String.format(Locale.ROOT, "%s %.2f at %s (%s)", f.object().label(), f.object().score(),
                        PhotoEvaluation.boxText(f.object().box()), f.verdict().id()));
            }
        }
        PhotoEvaluation.ImageResult first = r.images().get(0);
        assertThat(first.line()).startsWith("stall-on-snow.png: labelled stall, snow; found ");
        assertThat(first.found()).as(first.line()).anyMatch(f -> f.object().label().equals("stall") && f.verdict() == PhotoEvaluation.Verdict.RIGHT);
        assertThat(first.found()).as(first.line()).anyMatch(f -> f.object().label().equals("snow") && f.verdict() == PhotoEvaluation.Verdict.RIGHT);
        assertThat(r.images().get(2).line()).startsWith("real/kleiber.jpg: labelled none; found ");
        assertThat(r.images().get(2).found()).allMatch(f -> f.verdict() == PhotoEvaluation.Verdict.FALSE);

        // the stall's tiles count for both models: tiles of the objects model that are stall, of the snow model that are snow
        assertThat(r.tiles().get(Task.OBJECTS).confusion().support(1)).isPositive();
        assertThat(r.tiles().get(Task.SNOW).confusion().support(1)).isPositive();
        // no garbage and no water among the labels: n/a, not 1.0
        assertThat(r.imageLevel().of(SceneClass.WATER).recall(1)).isNaN();
        String summary = Files.readString(report.resolve("photos-summary.txt"));
        assertThat(summary).containsPattern("\n  water +\\S+ +n/a +n/a +n/a +0\n").containsPattern("\n  garbage +\\d+ +0 +\\d+ +\\S+ +n/a +n/a\n")
                .contains("stall-on-snow.png: labelled stall, snow");
        assertThat(Files.readString(report.resolve("photos-metrics.json"))).contains("\"image_level\"").contains("\"clean_images\"");
        // the clean images (labelled none): how many had a class reported, the false alarms' own figure
        long cleanWithClass = r.images().stream().filter(i -> i.labelled().isEmpty() && !i.found().isEmpty()).count();
        assertThat(printed).contains(String.format(Locale.ROOT, "clean images (labelled none): 2; with a class reported: %d (%.1f %%)",
                cleanWithClass, 50.0 * cleanWithClass));

        // the generated-scene report in the same folder is untouched; the earlier run's overlay is gone
        assertThat(Files.readString(report.resolve("summary.txt"))).isEqualTo("the generated-scene report");
        assertThat(Files.readString(report.resolve("metrics.json"))).isEqualTo("{}");
        assertThat(report.resolve(PhotoEvaluation.OVERLAYS).resolve("from-an-earlier-run.jpg")).doesNotExist();

        // an overlay per image, twice the working frame, with the found stall's box drawn in the stall's colour
        Path overlay = report.resolve(PhotoEvaluation.OVERLAYS).resolve("stall-on-snow.jpg");
        assertThat(first.overlay()).isEqualTo(overlay);
        assertThat(report.resolve(PhotoEvaluation.OVERLAYS).resolve("quiet.jpg")).isRegularFile();
        assertThat(report.resolve(PhotoEvaluation.OVERLAYS).resolve("real/kleiber.jpg")).isRegularFile();
        BufferedImage o = ImageIO.read(overlay.toFile());
        assertThat(o.getWidth()).isEqualTo(640);
        assertThat(o.getHeight()).isEqualTo(480 + Overlay.FOOTER);
        Box found = first.found().stream().filter(f -> f.object().label().equals("stall")).findFirst().orElseThrow().object().box();
        int x = (int) Math.round((found.x1() + found.x2()) / 2 * 640);
        int y = (int) Math.round(found.y2() * 480) - 2; // on the bottom edge of the solid box
        int rgb = o.getRGB(x, y);
        assertThat(new int[] {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255}).as("overlay pixel at %d,%d", x, y)
                .satisfies(c -> assertThat(c[0]).isGreaterThan(170), c -> assertThat(c[1]).isLessThan(110), c -> assertThat(c[2]).isLessThan(110));

        // the per-image CSV: a row per found object, per missed class, one for an image with neither
        List<String> rows = Files.readAllLines(report.resolve("photos-images.csv"));
        assertThat(rows.get(0)).isEqualTo("image,labelled,class,score,x1,y1,x2,y2,verdict,overlay");
        long expected = r.images().stream().mapToLong(i -> Math.max(1, i.found().size() + i.missed().size())).sum();
        assertThat(rows).hasSize(1 + (int) expected);
        assertThat(rows).anyMatch(l -> l.startsWith("stall-on-snow.png,stall;snow,stall,") && l.endsWith(",right,photos-overlays/stall-on-snow.jpg"));
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
