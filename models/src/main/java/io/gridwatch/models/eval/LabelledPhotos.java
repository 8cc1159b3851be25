package io.gridwatch.models.eval;

import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.tiles.Tiles;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Someone's own labelled photos, for measuring the models on real footage. The labels file is a
 * CSV with a header row {@code image,label,x1,y1,x2,y2}, one row per labelled object:
 * <ul>
 *   <li>{@code image}: the file's path relative to the images folder (JPEG or PNG, any size);</li>
 *   <li>{@code label}: {@code stall}, {@code garbage}, {@code water}, {@code snow}, or {@code none} for
 *       "labelled, and none of these is in it" (then the box is left empty);</li>
 *   <li>{@code x1,y1,x2,y2}: the object's box in 0..1 image coordinates, x to the right, y down — the
 *       shape the detectors report. Draw it tight: tiles take their truth from how much of them the
 *       boxes cover, so a loose box makes background count as object.</li>
 * </ul>
 * An image that is not in the file is not evaluated (unlabelled is not "empty"). Every problem is
 * reported with its line number, and none is skipped silently.
 */
public final class LabelledPhotos {

    public static final List<String> HEADER = List.of("image", "label", "x1", "y1", "x2", "y2");

    /** One labelled image: its file and its boxes (none for a {@code none} row). */
    public record Photo(Path file, List<Labelled> boxes) {
    }

    public record Labelled(SceneClass cls, Box box) {
    }

    private LabelledPhotos() {
    }

    public static List<Photo> read(Path imagesDir, Path labelsCsv) {
        Map<String, List<Labelled>> byImage = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(labelsCsv);
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get().parse(in)) {
            if (!csv.getHeaderNames().equals(HEADER)) {
                throw new IllegalArgumentException(labelsCsv + ": header must be " + String.join(",", HEADER) + ", got "
                        + String.join(",", csv.getHeaderNames()));
            }
            for (CSVRecord r : csv) {
                long line = r.getRecordNumber() + 1;
                try {
                    String image = r.get("image");
                    if (image.isEmpty()) {
                        throw new IllegalArgumentException("image is empty");
                    }
                    if (!Files.isRegularFile(imagesDir.resolve(image))) {
                        throw new IllegalArgumentException("no file " + imagesDir.resolve(image));
                    }
                    SceneClass cls = SceneClass.of(r.get("label"));
                    List<Labelled> boxes = byImage.computeIfAbsent(image, k -> new ArrayList<>());
                    if (cls != SceneClass.NONE) {
                        double[] v = new double[4];
                        for (int i = 0; i < 4; i++) {
                            String key = HEADER.get(2 + i);
                            try {
                                v[i] = Double.parseDouble(r.get(key));
                            } catch (NumberFormatException e) {
                                throw new IllegalArgumentException(key + ": '" + r.get(key) + "' is not a number");
                            }
                            if (v[i] < 0 || v[i] > 1) {
                                throw new IllegalArgumentException(key + ": " + v[i] + " is outside 0..1 (boxes are in image fractions)");
                            }
                        }
                        boxes.add(new Labelled(cls, new Box(v[0], v[1], v[2], v[3])));
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(labelsCsv.getFileName() + ":" + line + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in the labels, nothing evaluated:\n  "
                    + String.join("\n  ", problems));
        }
        List<Photo> out = new ArrayList<>();
        byImage.forEach((k, v) -> out.add(new Photo(imagesDir.resolve(k), List.copyOf(v))));
        return out;
    }

    /** The photo scaled to the models' working width, as a frame to cut tiles from. */
    public static BufferedImage frame(Photo p) {
        try {
            BufferedImage img = ImageIO.read(p.file().toFile());
            if (img == null) {
                throw new IllegalArgumentException(p.file() + " is not an image ImageIO can read");
            }
            return Tiles.workFrame(img);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A label mask from the boxes (later rows drawn over earlier ones), the size of the working frame. */
    public static byte[] mask(Photo p, int w, int h) {
        byte[] m = new byte[w * h];
        for (Labelled l : p.boxes()) {
            int x1 = (int) Math.floor(l.box().x1() * w);
            int x2 = (int) Math.ceil(l.box().x2() * w);
            int y1 = (int) Math.floor(l.box().y1() * h);
            int y2 = (int) Math.ceil(l.box().y2() * h);
            for (int y = Math.max(0, y1); y < Math.min(h, y2); y++) {
                for (int x = Math.max(0, x1); x < Math.min(w, x2); x++) {
                    m[y * w + x] = (byte) l.cls().ordinal();
                }
            }
        }
        return m;
    }

    /** The photos as frames to score, each with its label mask from the boxes. */
    public static List<TileScores.LabelledFrame> frames(List<Photo> photos) {
        List<TileScores.LabelledFrame> out = new ArrayList<>();
        for (Photo p : photos) {
            BufferedImage f = frame(p);
            out.add(new TileScores.LabelledFrame(f, mask(p, f.getWidth(), f.getHeight())));
        }
        return out;
    }
}
