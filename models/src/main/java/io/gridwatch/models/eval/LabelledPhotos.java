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
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * Boxes may overlap, and a pixel inside two boxes carries both labels (a stall standing on snow is stall for the objects
 * model and snow for the snow model). An image that is not in the file is not evaluated (unlabelled is not "empty").
 * Every problem is reported with its line number and what to do about it, and none is skipped silently; a UTF-8 byte
 * order mark (as spreadsheets write one) is accepted.
 */
public final class LabelledPhotos {

    public static final List<String> HEADER = List.of("image", "label", "x1", "y1", "x2", "y2");

    /** One labelled image: its name as the labels file gives it, its file, and its boxes (none for a {@code none} row). */
    public record Photo(String name, Path file, List<Labelled> boxes) {
    }

    public record Labelled(SceneClass cls, Box box) {
    }

    private static final String BOM = "\uFEFF";

    private LabelledPhotos() {
    }

    public static List<Photo> read(Path imagesDir, Path labelsCsv) {
        String where = labelsCsv.getFileName().toString();
        List<String> lines = lines(labelsCsv, where);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IllegalArgumentException(where + ": the file is empty; its first line must be the header " + String.join(",", HEADER));
        }
        String header = lines.get(0);
        List<String> names = fields(header).stream().map(f -> f.trim().toLowerCase(Locale.ROOT)).toList();
        if (!names.equals(HEADER)) {
            String sep = otherSeparator(header);
            throw new IllegalArgumentException(where + ":1: " + (sep != null
                    ? "the columns are separated by " + sep + "; this file needs commas (save or export it as CSV with ',' as the field "
                    + "separator and '.' for decimals), header " + String.join(",", HEADER)
                    : "the header must be " + String.join(",", HEADER) + ", got " + visible(header)));
        }
        Map<String, List<Labelled>> byImage = new LinkedHashMap<>();
        Map<String, Integer> noneLine = new LinkedHashMap<>();
        Map<String, Integer> labelLine = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) {
                continue;
            }
            int line = i + 1;
            try {
                List<String> f = fields(text).stream().map(String::trim).toList();
                Row row = row(f, text);
                if (!Files.isRegularFile(imagesDir.resolve(row.image()))) {
                    throw new IllegalArgumentException("no file " + imagesDir.resolve(row.image()));
                }
                List<Labelled> boxes = byImage.computeIfAbsent(row.image(), k -> new ArrayList<>());
                if (row.box() == null) {
                    noneLine.putIfAbsent(row.image(), line);
                } else {
                    labelLine.putIfAbsent(row.image(), line);
                    boxes.add(new Labelled(row.cls(), row.box()));
                }
                if (noneLine.containsKey(row.image()) && labelLine.containsKey(row.image())) {
                    int n = noneLine.get(row.image());
                    int l = labelLine.get(row.image());
                    if (Math.max(n, l) == line) {
                        throw new IllegalArgumentException(row.image() + " is labelled none on line " + n + " and "
                                + byImage.get(row.image()).get(0).cls().id() + " on line " + l + "; none means the image shows none of "
                                + "stall, garbage, water, snow: drop the none row");
                    }
                }
            } catch (IllegalArgumentException e) {
                problems.add(where + ":" + line + ": " + e.getMessage());
            }
        }
        if (problems.isEmpty() && byImage.isEmpty()) {
            problems.add(where + ": no labelled image, only the header");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in the labels, nothing evaluated:\n  "
                    + String.join("\n  ", problems));
        }
        List<Photo> out = new ArrayList<>();
        byImage.forEach((k, v) -> out.add(new Photo(k, imagesDir.resolve(k), List.copyOf(v))));
        return out;
    }

    /** One row: the image, the class and the box (null for {@code none}). */
    private record Row(String image, SceneClass cls, Box box) {
    }

    private static Row row(List<String> f, String text) {
        if (f.size() != HEADER.size() && f.size() != 2) { // image,label alone: a none row, or a class without its box (said below)
            String sep = otherSeparator(text);
            throw new IllegalArgumentException(f.size() + " field" + (f.size() == 1 ? "" : "s") + " where " + HEADER.size() + " belong ("
                    + String.join(",", HEADER) + ")" + (sep != null ? "; the fields are separated by " + sep + ", not by commas" : ""));
        }
        String image = f.get(0);
        if (image.isEmpty()) {
            throw new IllegalArgumentException("image is empty");
        }
        if (f.get(1).isEmpty()) {
            throw new IllegalArgumentException("label is empty (stall, garbage, water, snow, or none)");
        }
        SceneClass cls = SceneClass.of(f.get(1));
        List<String> box = f.size() == 2 ? List.of("", "", "", "") : f.subList(2, 6);
        long given = box.stream().filter(v -> !v.isEmpty()).count();
        if (cls == SceneClass.NONE) {
            if (given > 0) {
                throw new IllegalArgumentException("a none row has a box (" + String.join(",", box) + "); none means the image shows none of "
                        + "stall, garbage, water, snow, so it has no box: give the row the class in the box, or empty x1..y2");
            }
            return new Row(image, cls, null);
        }
        if (given == 0) {
            throw new IllegalArgumentException("a " + cls.id() + " row needs its box x1,y1,x2,y2 (0..1 of the image's width and height) "
                    + "and has none; an image with none of the classes is one row labelled none");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            String key = HEADER.get(2 + i);
            String s = box.get(i);
            if (s.isEmpty()) {
                throw new IllegalArgumentException(key + " is empty; a " + cls.id() + " box needs all four of x1,y1,x2,y2");
            }
            try {
                v[i] = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + s + "' is not a number" + (s.contains(",") ? " (decimals with '.')" : ""));
            }
            if (!(v[i] >= 0 && v[i] <= 1)) {
                throw new IllegalArgumentException(key + ": " + s + " is outside 0..1 (boxes are fractions of the image's width and height, "
                        + "not pixels)");
            }
        }
        if (v[0] >= v[2] || v[1] >= v[3]) {
            throw new IllegalArgumentException("the box " + String.join(",", box) + " has no area: x1 must be left of x2 and y1 above y2 "
                    + "(x1,y1 the top left corner, x2,y2 the bottom right)");
        }
        return new Row(image, cls, new Box(v[0], v[1], v[2], v[3]));
    }

    /** The file's lines, UTF-8 (a byte order mark dropped); an encoding problem is named with its line. */
    private static List<String> lines(Path file, String where) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE) || (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF))) {
            throw new IllegalArgumentException(where + ": the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8 CSV");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int line = 1;
            String lenient = new String(bytes, StandardCharsets.UTF_8);
            int bad = lenient.indexOf('\uFFFD');
            for (int i = 0; i < bad; i++) {
                line += lenient.charAt(i) == '\n' ? 1 : 0;
            }
            throw new IllegalArgumentException(where + ":" + line + ": the file is not UTF-8 (a spreadsheet may have saved it as GBK or "
                    + "another local encoding); save it as 'CSV UTF-8'");
        }
        if (text.startsWith(BOM)) {
            text = text.substring(1);
        }
        return text.lines().toList();
    }

    /** The fields of one line (double quotes as in RFC 4180). */
    private static List<String> fields(String line) {
        try (CSVParser p = CSVFormat.DEFAULT.parse(new java.io.StringReader(line))) {
            List<CSVRecord> records = p.getRecords();
            return records.isEmpty() ? List.of() : records.get(0).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read the line as CSV: " + e.getMessage());
        }
    }

    /** Which separator a line uses instead of commas, if it plainly does: {@code ';'} or a tab. */
    private static String otherSeparator(String line) {
        if (line.contains(",") && fields(line).size() >= 2) {
            return null;
        }
        return line.contains(";") ? "';'" : line.contains("\t") ? "tabs" : null;
    }

    /** A header as the user wrote it, invisible characters shown. */
    private static String visible(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format(Locale.ROOT, "\\u%04X", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return "'" + sb + "'";
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

    /**
     * What each pixel of a {@code w × h} frame of the photo shows, as {@link TileScores.LabelledFrame#classBits()}: every
     * box sets its class's bit on the pixels it covers, so a pixel inside a stall's box and a snow box carries both.
     */
    public static byte[] classBits(Photo p, int w, int h) {
        byte[] m = new byte[w * h];
        for (Labelled l : p.boxes()) {
            byte bit = TileScores.bit(l.cls());
            int x1 = (int) Math.floor(l.box().x1() * w);
            int x2 = (int) Math.ceil(l.box().x2() * w);
            int y1 = (int) Math.floor(l.box().y1() * h);
            int y2 = (int) Math.ceil(l.box().y2() * h);
            for (int y = Math.max(0, y1); y < Math.min(h, y2); y++) {
                for (int x = Math.max(0, x1); x < Math.min(w, x2); x++) {
                    m[y * w + x] |= bit;
                }
            }
        }
        return m;
    }

    /** The photo as a frame to score, with what each pixel shows. */
    public static TileScores.LabelledFrame labelled(Photo p) {
        BufferedImage f = frame(p);
        return new TileScores.LabelledFrame(f, classBits(p, f.getWidth(), f.getHeight()));
    }

    /** The photos as frames to score, each with what each pixel shows. */
    public static List<TileScores.LabelledFrame> frames(List<Photo> photos) {
        return photos.stream().map(LabelledPhotos::labelled).toList();
    }
}
