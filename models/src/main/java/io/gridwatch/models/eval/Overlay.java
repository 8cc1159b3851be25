package io.gridwatch.models.eval;

import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.detect.CnnTileDetector;
import io.gridwatch.models.tiles.Tiles;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.TexturePaint;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The overlay picture of one evaluated photo: the frame the models saw, twice its size; the tiles called a class shaded
 * in the class's colour (snow hatched); the labelled boxes dashed; the found boxes solid with their class, score and verdict; a footer
 * with the image's line.
 */
final class Overlay {

    /** Overlay pixels per working-frame pixel. */
    static final int SCALE = 2;
    static final int FOOTER = 58;

    private Overlay() {
    }

    static Color colour(SceneClass c) {
        return switch (c) {
            case STALL -> new Color(0xE8, 0x3A, 0x3A);
            case GARBAGE -> new Color(0x3C, 0xC8, 0x3C);
            case WATER -> new Color(0x3C, 0x8C, 0xFF);
            case SNOW -> new Color(0xFF, 0x3C, 0xFF); // magenta: white would vanish on snow
            case NONE -> Color.GRAY;
        };
    }

    static BufferedImage draw(BufferedImage work, PhotoEvaluation.ImageResult r, double threshold) {
        int w = work.getWidth() * SCALE;
        int h = work.getHeight() * SCALE;
        BufferedImage out = new BufferedImage(w, h + FOOTER, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.drawImage(work, 0, 0, w, h, null);
            shadeTiles(g, r, work.getWidth(), work.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            List<Rectangle> tags = new ArrayList<>();
            Stroke dashed = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f);
            for (LabelledPhotos.Labelled l : r.photo().boxes()) {
                int[] px = pixels(l.box(), w, h);
                g.setStroke(dashed);
                g.setColor(colour(l.cls()));
                g.drawRect(px[0], px[1], px[2] - px[0] - 1, px[3] - px[1] - 1);
                tag(g, tags, "label " + l.cls().id(), px[0] + 2, px[3] - 3, colour(l.cls()), false);
            }
            g.setStroke(new BasicStroke(3f));
            for (PhotoEvaluation.Found f : r.found()) {
                SceneClass c = SceneClass.of(f.object().label());
                int[] px = pixels(f.object().box(), w, h);
                g.setColor(colour(c));
                g.drawRect(px[0] + 1, px[1] + 1, px[2] - px[0] - 3, px[3] - px[1] - 3);
                tag(g, tags, String.format(Locale.ROOT, "%s %.2f %s", c.id(), f.object().score(), f.verdict().id()), px[0] + 3, px[1] + 3,
                        colour(c), true);
            }
            footer(g, r, threshold, w, h);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Each tile called a class shades the part of the frame nearest its centre (its middle half, out to the frame's
     * edge): stall, garbage and water filled, snow hatched, so that an object on snow shows both.
     */
    private static void shadeTiles(Graphics2D g, PhotoEvaluation.ImageResult r, int fw, int fh) {
        BufferedImage hatch = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        for (int i = 0; i < 8; i++) {
            hatch.setRGB(i, 7 - i, colour(SceneClass.SNOW).getRGB());
            hatch.setRGB((i + 1) % 8, 7 - i, colour(SceneClass.SNOW).getRGB());
        }
        TexturePaint snow = new TexturePaint(hatch, new Rectangle(0, 0, 8, 8));
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.3f));
        int q = Tiles.SIZE / 4;
        for (CnnTileDetector.TileVerdict t : r.tiles()) {
            int x1 = t.x() == 0 ? 0 : t.x() + q;
            int y1 = t.y() == 0 ? 0 : t.y() + q;
            int x2 = t.x() + Tiles.SIZE >= fw ? fw : t.x() + Tiles.SIZE - q;
            int y2 = t.y() + Tiles.SIZE >= fh ? fh : t.y() + Tiles.SIZE - q;
            if (t.cls() == SceneClass.SNOW) {
                g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.6f));
                g.setPaint(snow);
            } else {
                g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.3f));
                g.setPaint(colour(t.cls()));
            }
            g.fillRect(x1 * SCALE, y1 * SCALE, (x2 - x1) * SCALE, (y2 - y1) * SCALE);
        }
        g.setComposite(AlphaComposite.SrcOver);
    }

    private static void footer(Graphics2D g, PhotoEvaluation.ImageResult r, double threshold, int w, int h) {
        g.setColor(Color.BLACK);
        g.fillRect(0, h, w, FOOTER);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.WHITE);
        String labelled = r.labelled().isEmpty() ? "none" : r.labelled().stream().map(SceneClass::id).collect(Collectors.joining(", "));
        String found = r.found().isEmpty() ? "nothing" : r.found().stream()
                .map(f -> String.format(Locale.ROOT, "%s %.2f %s", f.object().label(), f.object().score(), f.verdict().id()))
                .collect(Collectors.joining(", "));
        String missed = r.missed().isEmpty() ? "" : "; missed " + r.missed().stream().map(SceneClass::id).collect(Collectors.joining(", "));
        List<String> lines = wrap(g, r.photo().name() + ": labelled " + labelled + "; found " + found + missed, w - 8, 2);
        for (int i = 0; i < lines.size(); i++) {
            g.drawString(lines.get(i), 4, h + 16 + 15 * i);
        }
        g.setColor(Color.LIGHT_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.drawString(fit(g, String.format(Locale.ROOT, "dashed: labelled; solid: found ≥ %.2f; shaded: tiles; stall red, garbage green, "
                + "water blue, snow magenta hatched", threshold), w - 8), 4, h + 50);
    }

    /** Words into at most {@code max} lines of {@code width} pixels, the last cut with an ellipsis if the text goes on. */
    private static List<String> wrap(Graphics2D g, String text, int width, int max) {
        FontMetrics fm = g.getFontMetrics();
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            String next = line.isEmpty() ? words[i] : line + " " + words[i];
            if (fm.stringWidth(next) <= width || line.isEmpty()) {
                line.setLength(0);
                line.append(next);
                continue;
            }
            if (out.size() == max - 1) {
                out.add(fit(g, line + " " + String.join(" ", java.util.Arrays.copyOfRange(words, i, words.length)), width));
                return out;
            }
            out.add(line.toString());
            line.setLength(0);
            line.append(words[i]);
        }
        out.add(fit(g, line.toString(), width));
        return out;
    }

    /** A label on a dark ground, moved down past the labels already placed so that none hides another. */
    private static void tag(Graphics2D g, List<Rectangle> placed, String text, int x, int y, Color c, boolean below) {
        FontMetrics fm = g.getFontMetrics();
        int tw = fm.stringWidth(text) + 6;
        int th = fm.getHeight();
        Rectangle at = new Rectangle(x, below ? y : y - th, tw, th);
        for (int tries = 0; tries < 20 && placed.stream().anyMatch(at::intersects); tries++) {
            at.translate(0, below ? th : -th);
        }
        placed.add(at);
        g.setColor(new Color(0, 0, 0, 170));
        g.fillRect(at.x, at.y, at.width, at.height);
        g.setColor(c);
        g.drawString(text, at.x + 3, at.y + fm.getAscent());
    }

    private static String fit(Graphics2D g, String s, int width) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (!t.isEmpty() && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }

    private static int[] pixels(Box b, int w, int h) {
        return new int[] {(int) Math.round(b.x1() * w), (int) Math.round(b.y1() * h), (int) Math.round(b.x2() * w), (int) Math.round(b.y2() * h)};
    }
}
