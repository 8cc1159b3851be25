package io.gridwatch.cli;

import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.Detector;
import io.gridwatch.models.DetectorConfig;
import io.gridwatch.models.Detectors;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.ModelMetadata;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneClip;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;
import io.gridwatch.models.scene.SceneRecipe.Light;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The demo's camera-model step: the committed tile models on freshly generated scenes (planted
 * objects and distractor-only ones), and background subtraction on an H.264 time-lapse of a stall
 * set up and taken away. Prints what was expected and what was found; writes the pictures.
 */
final class ModelsDemo {

    /** Demo scenes take seeds from here: no training or held-out set uses this range. */
    static final long SEED_BASE = 9_700_000_000L;

    private final Path dir;
    private final PrintStream out;

    ModelsDemo(Path varDir, PrintStream out) {
        this.dir = varDir.resolve("demo/models");
        this.out = out;
    }

    record Case(String name, SceneRecipe recipe) {
    }

    /** Returns how many of the scenes came out as expected, and the clip's verdict, for the summary. */
    String run() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        for (Task t : Task.values()) {
            ModelMetadata md = TileClassifier.committed(t).metadata();
            String f1 = md.metrics().perClass().entrySet().stream().filter(e -> !e.getKey().equals("none"))
                    .map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue().f1())).collect(Collectors.joining(", "));
            int rounds = md.context() == null ? 0 : md.context().size();
            out.printf(Locale.ROOT, "model %-8s %,7d bytes, %,d parameters, trained on %d generated scenes (seed %d), %s; held-out F1: %s; "
                    + "distractor specificity %.4f%n", t.id(), md.fileBytes(), md.parameters(), md.training().scenes(), md.training().seed(),
                    rounds == 0 ? "each tile alone" : "tiles decided with their neighbours (" + rounds + " context rounds)", f1,
                    md.metrics().distractorSpecificity());
        }
        out.println("(accuracy on real footage is unknown until labelled photos are measured: gridwatch models evaluate --images DIR --labels CSV)");
        out.println();
        List<Case> cases = List.of(
                new Case("a stall, day", SceneRecipe.of(SceneClass.STALL).withLight(Light.DAY)),
                new Case("garbage, dusk", SceneRecipe.of(SceneClass.GARBAGE).withLight(Light.DUSK)),
                new Case("standing water, rain", SceneRecipe.of(SceneClass.WATER).withLight(Light.RAIN)),
                new Case("snow, day", new SceneRecipe(null, Light.DAY, List.of(), true, 3)),
                new Case("a stall and garbage, night", SceneRecipe.of(SceneClass.STALL, SceneClass.GARBAGE).withLight(Light.NIGHT)),
                new Case("distractors only, day", SceneRecipe.distractorsOnly(7).withLight(Light.DAY)),
                new Case("distractors only, night", SceneRecipe.distractorsOnly(7).withLight(Light.NIGHT)),
                new Case("distractors only, fog", SceneRecipe.distractorsOnly(7).withLight(Light.FOG)));
        SceneGenerator g = new SceneGenerator();
        ConsoleTable table = new ConsoleTable("scene", "setting", "expected", "distractors", "detected (score)", "verdict");
        int asExpected = 0;
        try (Detector cnn = Detectors.create(new DetectorConfig.CnnTiles("committed", 0.5))) {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                Scene s = g.generate(SEED_BASE + i, c.recipe());
                List<DetectedObject> found = cnn.detect(s.image(), 0);
                Set<String> expected = new TreeSet<>();
                s.targets().forEach(p -> expected.add(p.cls().id()));
                if (c.recipe().snow()) {
                    expected.add("snow");
                }
                Set<String> got = new TreeSet<>();
                found.forEach(d -> got.add(d.label()));
                boolean ok = got.equals(expected);
                asExpected += ok ? 1 : 0;
                String verdict = ok ? (expected.isEmpty() ? "clean" : "found") : describe(expected, got);
                table.row((i + 1) + ". " + c.name(), s.setting().name().toLowerCase(Locale.ROOT) + "/" + s.light().name().toLowerCase(Locale.ROOT),
                        expected.isEmpty() ? "nothing" : String.join(", ", expected), s.distractors().size(),
                        found.isEmpty() ? "-" : found.stream().map(d -> String.format(Locale.ROOT, "%s %.2f", d.label(), d.score()))
                                .collect(Collectors.joining(", ")), verdict);
                ImageIO.write(annotate(s, found), "png", dir.resolve(String.format(Locale.ROOT, "scene-%d.png", i + 1)).toFile());
            }
        }
        table.print(out);
        out.printf("pictures (truth in green, detections in red): %s/scene-1.png … scene-%d.png%n", dir, cases.size());

        out.println();
        SceneClip clip = SceneClip.of(SEED_BASE + 100, 30, 6, 20, 2); // the background model learns the empty street for its first 10 frames
        Path file = dir.resolve("stall-timelapse.mp4");
        Box stall = clip.write(file);
        List<Integer> reported = new ArrayList<>();
        int[] elsewhere = {0};
        try (Detector bg = Detectors.create(new DetectorConfig.AppearAndStay(60.0, null, null, null))) {
            SceneClip.decode(file, (f, img) -> {
                for (DetectedObject d : bg.detect(img, clip.millisAt(f))) {
                    if (stall != null && d.box().iou(stall) > 0.2) {
                        reported.add(f);
                    } else {
                        elsewhere[0]++;
                    }
                }
            });
        }
        double spf = clip.secondsPerFrame() / 60;
        String clipVerdict = reported.isEmpty() ? "the stall was NOT reported"
                : String.format(Locale.ROOT, "reported from minute %.1f to %.1f", reported.get(0) * spf, reported.get(reported.size() - 1) * spf);
        out.printf(Locale.ROOT, "appear-and-stay (OpenCV MOG2) on %s: %d frames of H.264, %.0f scene-seconds each; a stall set up at minute %.0f "
                        + "and taken away at minute %.0f; %s (60 s to count as staying); %d reports elsewhere (people passing)%n",
                file, clip.frames(), clip.secondsPerFrame(), clip.stallFrom() * spf, clip.stallTo() * spf, clipVerdict, elsewhere[0]);
        out.printf(Locale.ROOT, "models step took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return String.format(Locale.ROOT, "%d of %d scenes as expected; time-lapse stall %s", asExpected, cases.size(), clipVerdict);
    }

    private static String describe(Set<String> expected, Set<String> got) {
        List<String> parts = new ArrayList<>();
        expected.stream().filter(e -> !got.contains(e)).forEach(e -> parts.add("missed " + e));
        got.stream().filter(e -> !expected.contains(e)).forEach(e -> parts.add("false " + e));
        return String.join(", ", parts);
    }

    private static BufferedImage annotate(Scene s, List<DetectedObject> found) {
        int k = 2;
        BufferedImage img = new BufferedImage(s.width() * k, s.height() * k, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(s.image(), 0, 0, img.getWidth(), img.getHeight(), null);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setStroke(new BasicStroke(2));
        for (Scene.Placed p : s.targets()) {
            draw(g, p.box(), new Color(40, 220, 60), p.cls().id(), img, false);
        }
        for (DetectedObject d : found) {
            draw(g, d.box(), new Color(240, 40, 40), String.format(Locale.ROOT, "%s %.2f", d.label(), d.score()), img, true);
        }
        g.dispose();
        return img;
    }

    private static void draw(Graphics2D g, Box b, Color c, String text, BufferedImage img, boolean below) {
        int x = (int) (b.x1() * img.getWidth());
        int y = (int) (b.y1() * img.getHeight());
        int w = (int) ((b.x2() - b.x1()) * img.getWidth());
        int h = (int) ((b.y2() - b.y1()) * img.getHeight());
        g.setColor(c);
        g.drawRect(x, y, w, h);
        g.drawString(text, x + 3, below ? y + h - 4 : y + 12);
    }
}
