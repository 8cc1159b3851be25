package io.gridwatch.models.eval;

import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.detect.CnnTileDetector;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The models measured on someone's labelled photos ({@link LabelledPhotos}), as {@code gridwatch models evaluate --images}
 * does it: per image a line of what was found, where and with what score, and an overlay picture; tile figures per model
 * and image-level figures over all of them. Everything goes into the report folder under the {@link #PREFIX}, beside
 * (never over) the generated-scene report.
 */
public final class PhotoEvaluation {

    /** The start of every file name of the photo report. */
    public static final String PREFIX = "photos-";
    /** The folder of the overlay pictures, in the report folder. */
    public static final String OVERLAYS = PREFIX + "overlays";

    /** What was made of one found object: the image holds its class where it was found, holds it elsewhere, or does not. */
    public enum Verdict {
        RIGHT, ELSEWHERE, FALSE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One object the detector reported, and its verdict against the labels. */
    public record Found(DetectedObject object, Verdict verdict) {
    }

    /** One image: its labels, what was found, the labelled classes nothing was found of, and where its overlay went. */
    public record ImageResult(LabelledPhotos.Photo photo, Set<SceneClass> labelled, List<Found> found, Set<SceneClass> missed,
                              List<CnnTileDetector.TileVerdict> tiles, Path overlay) {

        /** The line printed for the image. */
        public String line() {
            StringBuilder sb = new StringBuilder(photo.name()).append(": labelled ")
                    .append(labelled.isEmpty() ? "none" : labelled.stream().map(SceneClass::id).collect(Collectors.joining(", ")))
                    .append("; found ");
            if (found.isEmpty()) {
                sb.append("nothing");
            }
            sb.append(found.stream().map(f -> String.format(Locale.ROOT, "%s %.2f at %s (%s)", f.object().label(), f.object().score(),
                    boxText(f.object().box()), f.verdict().id())).collect(Collectors.joining(", ")));
            if (!missed.isEmpty()) {
                sb.append("; missed ").append(missed.stream().map(SceneClass::id).collect(Collectors.joining(", ")));
            }
            return sb.toString();
        }
    }

    /** The whole evaluation: per image, tile scores per model, and the image-level table. */
    public record Result(List<ImageResult> images, Map<Task, TileScores> tiles, SceneLevel imageLevel, Path summary) {
    }

    private final TileClassifier objects;
    private final TileClassifier snow;
    private final double threshold;

    public PhotoEvaluation(TileClassifier objects, TileClassifier snow, double threshold) {
        this.objects = objects;
        this.snow = snow;
        this.threshold = threshold;
    }

    /** Evaluates the photos, prints as it goes and writes the report into {@code dir}. */
    public Result run(List<LabelledPhotos.Photo> photos, String title, Path dir, PrintStream out) {
        ReportWriter report = new ReportWriter(dir, PREFIX, title);
        out.println(report.title());
        Path overlays = dir.resolve(OVERLAYS);
        clearOverlays(overlays);
        CnnTileDetector detector = new CnnTileDetector(objects, snow, threshold);
        Map<Task, List<TileScores>> perTask = new LinkedHashMap<>();
        SceneLevel level = new SceneLevel();
        List<ImageResult> images = new ArrayList<>();
        Set<String> overlayNames = new HashSet<>();
        StringBuilder lines = new StringBuilder(String.format(Locale.ROOT, "per image (threshold %.2f; a box is x1,y1,x2,y2 in 0..1 of the image; "
                + "right: where a box of that label is, elsewhere: the label is in the image but not there, false: not in the image):%n",
                threshold));
        out.print(lines);
        for (LabelledPhotos.Photo p : photos) {
            TileScores.LabelledFrame frame = LabelledPhotos.labelled(p);
            for (TileClassifier m : List.of(objects, snow)) {
                perTask.computeIfAbsent(m.task(), k -> new ArrayList<>()).add(TileScores.ofFrames(m, List.of(frame)));
            }
            List<CnnTileDetector.TileVerdict> tiles = detector.tiles(frame.work());
            List<DetectedObject> found = CnnTileDetector.merge(tiles, frame.work().getWidth(), frame.work().getHeight());
            Set<SceneClass> labelled = EnumSet.noneOf(SceneClass.class);
            p.boxes().forEach(b -> labelled.add(b.cls()));
            level.add(labelled, found);
            List<Found> judged = found.stream().map(d -> new Found(d, verdict(p, d))).toList();
            Set<SceneClass> missed = EnumSet.copyOf(labelled);
            found.forEach(d -> missed.remove(SceneClass.of(d.label())));
            Path overlay = overlays.resolve(overlayName(p.name(), overlayNames));
            ImageResult r = new ImageResult(p, labelled, judged, missed, tiles, overlay);
            writeOverlay(r, frame, overlay);
            images.add(r);
            String line = "  " + r.line() + "\n";
            lines.append(line);
            out.print(line);
        }
        out.println();
        report.note(lines.toString());
        Map<Task, TileScores> scores = new LinkedHashMap<>();
        perTask.forEach((t, list) -> scores.put(t, TileScores.concat(t, list)));
        for (Task t : List.of(Task.OBJECTS, Task.SNOW)) {
            out.print(report.add(t.id(), scores.getOrDefault(t, TileScores.concat(t, List.of())), null));
            out.println();
        }
        String imageLevel = level.toText("image level") + clean(images, perTask, report);
        report.note(imageLevel);
        out.print(imageLevel);
        report.put("image_level", level.toMap());
        report.put("threshold", threshold);
        writeImagesCsv(report.file("images.csv"), dir, images);
        report.finish();
        out.println("report: " + dir + " (" + PREFIX + "summary.txt, " + PREFIX + "metrics.json, " + PREFIX + "images.csv, " + PREFIX
                + "<task>-confusion.csv, " + PREFIX + "<task>-pr.png; overlays in " + OVERLAYS + "/)");
        return new Result(List.copyOf(images), scores, level, report.file("summary.txt"));
    }

    /**
     * The images labelled none, the false alarms' own figure: how many had any class reported (and which), and the share
     * of their tiles each model called a class. Put into metrics.json as {@code clean_images}.
     */
    private static String clean(List<ImageResult> images, Map<Task, List<TileScores>> perTask, ReportWriter report) {
        int n = 0;
        int any = 0;
        Map<SceneClass, Integer> per = new java.util.EnumMap<>(SceneClass.class);
        Map<Task, long[]> tiles = new LinkedHashMap<>(); // per model: tiles called a class, tiles
        for (int i = 0; i < images.size(); i++) {
            ImageResult r = images.get(i);
            if (!r.labelled().isEmpty()) {
                continue;
            }
            n++;
            any += r.found().isEmpty() ? 0 : 1;
            r.found().stream().map(f -> SceneClass.of(f.object().label())).distinct().forEach(c -> per.merge(c, 1, Integer::sum));
            for (Map.Entry<Task, List<TileScores>> e : perTask.entrySet()) {
                TileScores t = e.getValue().get(i);
                long[] c = tiles.computeIfAbsent(e.getKey(), k -> new long[2]);
                for (int k = 0; k < t.size(); k++) {
                    c[0] += t.predicted(k) == 0 ? 0 : 1;
                }
                c[1] += t.size();
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("images", n);
        json.put("with_a_class_reported", any);
        json.put("share", n == 0 ? null : Figures.json(any / (double) n));
        json.put("per_class", per.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().id(), Map.Entry::getValue, (a, b) -> a,
                LinkedHashMap::new)));
        Map<String, Object> tileJson = new LinkedHashMap<>();
        tiles.forEach((t, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("called_a_class", c[0]);
            m.put("tiles", c[1]);
            tileJson.put(t.id(), m);
        });
        json.put("tiles", tileJson);
        report.put("clean_images", json);
        if (n == 0) {
            return "clean images (labelled none): none among these\n";
        }
        return String.format(Locale.ROOT, "clean images (labelled none): %d; with a class reported: %d (%.1f %%)%s; their tiles called a class: %s%n",
                n, any, 100.0 * any / n, per.isEmpty() ? "" : " — " + per.entrySet().stream().map(e -> e.getKey().id() + " " + e.getValue())
                        .collect(Collectors.joining(", ")),
                tiles.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %d of %d (%.1f %%)", e.getKey().id(), e.getValue()[0], e.getValue()[1],
                        e.getValue()[1] == 0 ? 0 : 100.0 * e.getValue()[0] / e.getValue()[1])).collect(Collectors.joining(", ")));
    }

    /** Right where a labelled box of its class overlaps it; elsewhere where the class is labelled but not there; else false. */
    static Verdict verdict(LabelledPhotos.Photo p, DetectedObject d) {
        SceneClass c = SceneClass.of(d.label());
        List<Box> same = p.boxes().stream().filter(b -> b.cls() == c).map(LabelledPhotos.Labelled::box).toList();
        if (same.isEmpty()) {
            return Verdict.FALSE;
        }
        return same.stream().anyMatch(b -> overlaps(b, d.box())) ? Verdict.RIGHT : Verdict.ELSEWHERE;
    }

    private static boolean overlaps(Box a, Box b) {
        return Math.min(a.x2(), b.x2()) > Math.max(a.x1(), b.x1()) && Math.min(a.y2(), b.y2()) > Math.max(a.y1(), b.y1());
    }

    static String boxText(Box b) {
        return String.format(Locale.ROOT, "[%.2f,%.2f,%.2f,%.2f]", b.x1(), b.y1(), b.x2(), b.y2());
    }

    /** The overlay's path under the overlays folder: the image's own path with .jpg for its extension, kept apart if two collide. */
    static String overlayName(String image, Set<String> used) {
        String name = image.replace('\\', '/');
        int dot = name.lastIndexOf('.');
        String base = dot > name.lastIndexOf('/') ? name.substring(0, dot) : name;
        String out = base + ".jpg";
        if (!used.add(out)) {
            out = name.replace('.', '-') + ".jpg";
            used.add(out);
        }
        return out;
    }

    /** Overlays of an earlier run would pass for this run's: the folder is this report's alone, emptied of its pictures first. */
    private static void clearOverlays(Path overlays) {
        if (!Files.isDirectory(overlays)) {
            return;
        }
        try (Stream<Path> s = Files.walk(overlays)) {
            for (Path f : s.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".jpg")).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeOverlay(ImageResult r, TileScores.LabelledFrame frame, Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(Overlay.draw(frame.work(), r, threshold), "jpg", file.toFile())) {
                throw new IllegalStateException("no JPEG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row per found object, per missed class, and one for an image with neither: image,labelled,class,score,x1,y1,x2,y2,verdict. */
    private static void writeImagesCsv(Path file, Path dir, List<ImageResult> images) {
        StringBuilder sb = new StringBuilder("image,labelled,class,score,x1,y1,x2,y2,verdict,overlay\n");
        for (ImageResult r : images) {
            String name = csv(r.photo().name());
            String labelled = r.labelled().isEmpty() ? "none" : r.labelled().stream().map(SceneClass::id).collect(Collectors.joining(";"));
            String overlay = csv(dir.relativize(r.overlay()).toString());
            for (Found f : r.found()) {
                Box b = f.object().box();
                sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%s,%s%n", name, labelled, f.object().label(), f.object().score(),
                        b.x1(), b.y1(), b.x2(), b.y2(), f.verdict().id(), overlay));
            }
            for (SceneClass c : r.missed()) {
                sb.append(String.format(Locale.ROOT, "%s,%s,%s,,,,,,missed,%s%n", name, labelled, c.id(), overlay));
            }
            if (r.found().isEmpty() && r.missed().isEmpty()) {
                sb.append(String.format(Locale.ROOT, "%s,%s,,,,,,,nothing,%s%n", name, labelled, overlay));
            }
        }
        try {
            Files.writeString(file, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
