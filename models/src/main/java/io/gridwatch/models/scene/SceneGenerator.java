package io.gridwatch.models.scene;

import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.scene.SceneRecipe.Light;
import io.gridwatch.models.scene.SceneRecipe.Setting;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Procedural, seeded street scenes as a pole-mounted city camera sees them, with a label mask:
 * the training and test data of the tile models, since no labelled footage of Dalian's streets
 * is at hand. The same seed and recipe give the same image, bit for bit, on the same JDK.
 *
 * <p>What is drawn: a street, sidewalk or plaza in perspective; day, dusk, night (street lamps,
 * lit windows), rain or fog; targets — stalls (占道经营), garbage piles and overflowing bins
 * (暴露垃圾/垃圾满溢), standing water with sky and lamp reflections (道路积水), snow cover (道路积雪);
 * distractors — people walking, parked cars, shadows, wet-looking stains, white road markings, tidy
 * bins; then sensor noise, auto exposure and JPEG compression.
 */
public final class SceneGenerator {

    /** Bump when a change alters what a seed draws: the model metadata records it. */
    public static final int VERSION = 2;
    /** Version 2: auto exposure (a dark frame amplified up to this much, noise included), as cameras do at night. */
    static final double AUTO_EXPOSURE_MAX_GAIN = 3.5;
    public static final int WIDTH = 320;
    public static final int HEIGHT = 240;

    /** What an item is; the painter and the label follow from it. */
    enum Kind { STALL, GARBAGE, WATER, PEDESTRIAN, VENDOR, CAR, SHADOW, STAIN, ZEBRA, TIDY_BIN }

    /**
     * One thing on the stage, fixed in the world (ground X, Z in metres); {@code look} seeds its appearance.
     * {@code amount} (0..1] scales how much of it there is — a puddle's size, an overflowing bin's heap — so that a clip
     * can let water collect or garbage pile up; 1 draws it exactly as a still scene does.
     */
    record Item(Kind kind, double x, double z, long look, int variant, double amount) {
        Item(Kind kind, double x, double z, long look, int variant) {
            this(kind, x, z, look, variant, 1.0);
        }

        Item withAmount(double a) {
            return new Item(kind, x, z, look, variant, a);
        }

        Item at(double nx, double nz) {
            return new Item(kind, nx, nz, look, variant, amount);
        }

        SceneClass cls() {
            return switch (kind) {
                case STALL -> SceneClass.STALL;
                case GARBAGE -> SceneClass.GARBAGE;
                case WATER -> SceneClass.WATER;
                default -> SceneClass.NONE;
            };
        }

        boolean flat() {
            return kind == Kind.WATER || kind == Kind.SHADOW || kind == Kind.STAIN || kind == Kind.ZEBRA;
        }
    }

    public Scene generate(long seed, SceneRecipe recipe) {
        Stage stage = new Stage(seed, recipe, WIDTH, HEIGHT);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        List<Item> items = new ArrayList<>();
        List<Rectangle2D> taken = new ArrayList<>();
        for (SceneClass c : recipe.objects()) {
            Item it = placeTarget(stage, r, c, taken);
            if (it != null) {
                items.add(it);
            }
        }
        for (int i = 0; i < recipe.distractors(); i++) {
            Item it = placeDistractor(stage, r, taken);
            if (it != null) {
                items.add(it);
            }
        }
        return render(stage, recipe, items, r.nextLong());
    }

    // ------------------------------------------------------------------------------------ placing

    Item placeTarget(Stage st, SplittableRandom r, SceneClass c, List<Rectangle2D> taken) {
        for (int attempt = 0; attempt < 40; attempt++) {
            double v = st.vh + (0.42 + r.nextDouble() * 0.55) * (st.height - st.vh);
            double z = st.zAtRow(v);
            double[] area = switch (c) {
                case WATER -> st.road != null && r.nextInt(4) != 0 ? st.road : st.walk;
                case GARBAGE -> r.nextInt(3) == 0 && st.walk2 != null ? st.walk2 : st.walk;
                default -> st.walk2 != null && r.nextBoolean() ? st.walk2 : st.walk;
            };
            double half = c == SceneClass.WATER ? 1.2 : 1.0;
            if (area[1] - area[0] < 2 * half + 0.2) {
                continue;
            }
            double x = area[0] + half + r.nextDouble() * (area[1] - area[0] - 2 * half);
            double u = st.u(x, z);
            double s = st.scaleAt(v);
            double w = (c == SceneClass.WATER ? 4.5 : c == SceneClass.STALL ? 3.2 : 2.6) * s;
            double hgt = (c == SceneClass.WATER ? 1.6 * st.tiltAt(v) * 2 : c == SceneClass.STALL ? 2.9 : 1.6) * s;
            if (u - w * 0.3 < 0 || u + w * 0.3 > st.width) {
                continue;
            }
            Rectangle2D box = new Rectangle2D.Double(u - w / 2, v - hgt, w, hgt + 0.3 * s);
            if (taken.stream().anyMatch(t -> t.intersects(box))) {
                continue;
            }
            taken.add(box);
            Kind kind = c == SceneClass.STALL ? Kind.STALL : c == SceneClass.GARBAGE ? Kind.GARBAGE : Kind.WATER;
            int variant = c == SceneClass.STALL ? r.nextInt(4) : c == SceneClass.GARBAGE ? r.nextInt(2) : 0;
            return new Item(kind, x, z, r.nextLong(), variant);
        }
        return null;
    }

    Item placeDistractor(Stage st, SplittableRandom r, List<Rectangle2D> taken) {
        boolean sunny = st.light == Light.DAY || st.light == Light.DUSK;
        for (int attempt = 0; attempt < 40; attempt++) {
            int p = r.nextInt(100);
            Kind kind = p < 38 ? Kind.PEDESTRIAN : p < 56 ? Kind.CAR : p < 68 ? Kind.SHADOW : p < 82 ? Kind.STAIN : p < 92 ? Kind.ZEBRA : Kind.TIDY_BIN;
            if ((kind == Kind.CAR || kind == Kind.ZEBRA) && st.road == null) {
                kind = Kind.STAIN;
            }
            if (kind == Kind.SHADOW && !sunny) {
                kind = Kind.PEDESTRIAN;
            }
            double v = st.vh + (0.3 + r.nextDouble() * 0.75) * (st.height - st.vh);
            double z = st.zAtRow(Math.min(v, st.height + 30));
            double x;
            switch (kind) {
                case CAR -> {
                    boolean left = r.nextBoolean() || st.setting == Setting.SIDEWALK;
                    x = left && st.road[0] > st.walk[0] - 1 ? st.road[0] + 1.2 : st.road[1] - 1.2;
                    z = Math.max(z, st.nearZ() + 1);
                }
                case ZEBRA -> x = 0;
                case PEDESTRIAN -> {
                    double[] a = st.road != null && r.nextInt(4) == 0 ? st.road : (st.walk2 != null && r.nextBoolean() ? st.walk2 : st.walk);
                    x = a[0] + 0.3 + r.nextDouble() * Math.max(0.1, a[1] - a[0] - 0.6);
                }
                default -> {
                    double[] a = st.road != null && r.nextBoolean() ? st.road : st.walk;
                    x = a[0] + 0.5 + r.nextDouble() * Math.max(0.1, a[1] - a[0] - 1);
                }
            }
            double vv = st.v(0, z);
            double s = st.scaleAt(vv);
            double u = st.u(x, z);
            if (kind != Kind.ZEBRA && (u < -10 || u > st.width + 10)) {
                continue;
            }
            double w = (kind == Kind.CAR ? 2.2 : kind == Kind.PEDESTRIAN ? 0.7 : 1.5) * s;
            double hgt = (kind == Kind.CAR ? 1.6 : kind == Kind.PEDESTRIAN ? 1.8 : 0.6) * s;
            Rectangle2D box = new Rectangle2D.Double(u - w / 2, vv - hgt, w, hgt);
            if (kind != Kind.SHADOW && kind != Kind.ZEBRA && taken.stream().anyMatch(t -> t.intersects(box))) {
                continue;
            }
            if (kind == Kind.CAR || kind == Kind.STAIN || kind == Kind.TIDY_BIN) {
                taken.add(kind == Kind.CAR ? new Rectangle2D.Double(u - w, vv - hgt * 1.2, w * 2, hgt * 1.5) : box);
            }
            return new Item(kind, x, z, r.nextLong(), r.nextInt(4));
        }
        return null;
    }

    // ------------------------------------------------------------------------------------ rendering

    private static int flatOrder(Item i) {
        return switch (i.kind()) {
            case ZEBRA -> 0;
            case STAIN -> 1;
            case WATER -> 2;
            default -> 3;
        };
    }

    Scene render(Stage st, SceneRecipe recipe, List<Item> items, long noiseSeed) {
        Canvas c = new Canvas(st.width, st.height);
        SplittableRandom bg = new SplittableRandom(st.seed * 31 + 7);
        List<Rectangle2D> windows = new ArrayList<>();
        drawBackground(c, st, bg, windows);
        List<Scene.Placed> placed = new ArrayList<>();
        List<Item> flat = items.stream().filter(Item::flat).sorted(Comparator.comparingInt(SceneGenerator::flatOrder)).toList();
        // flat things in a fixed order: markings, stains, water, then snow (over all), shadows last
        for (Item it : flat) {
            if (it.kind() != Kind.SHADOW) {
                drawItem(c, st, it, placed);
            }
        }
        reflectWater(c, st);
        if (st.snow) {
            drawSnow(c, st, new SplittableRandom(st.seed * 17 + 3));
        }
        for (Item it : flat) {
            if (it.kind() == Kind.SHADOW) {
                drawItem(c, st, it, placed);
            }
        }
        List<Item> upright = new ArrayList<>(items.stream().filter(i -> !i.flat()).toList());
        for (double[] lamp : st.lamps) {
            upright.add(new Item(null, lamp[0], lamp[1], 0, 0));
        }
        upright.sort(Comparator.comparingDouble((Item i) -> -i.z()).thenComparingDouble(Item::x));
        for (Item it : upright) {
            if (it.kind() == null) {
                drawLampPost(c, st, it);
            } else {
                drawItem(c, st, it, placed);
            }
        }
        byte[] mask = c.maskBytes();
        BufferedImage lit = light(c, st, mask, windows, new SplittableRandom(noiseSeed));
        c.dispose();
        return new Scene(st.seed, recipe, st.setting, st.light, lit, mask, List.copyOf(placed));
    }

    private void drawBackground(Canvas c, Stage st, SplittableRandom r, List<Rectangle2D> windows) {
        c.mask(0);
        double zn = st.nearZ() * 0.7;
        double zf = 400;
        Color paver = Draw.jitter(Draw.pick(r, new Color(150, 140, 130), new Color(165, 120, 105), new Color(130, 130, 135),
                new Color(180, 170, 150)), r, 10);
        Color asphalt = Draw.jitter(new Color(78, 78, 82), r, 10);
        // facades first; the ground hides their feet
        switch (st.setting) {
            case STREET -> {
                facade(c, st, r, st.walk[0], windows);
                facade(c, st, r, st.walk2[1], windows);
            }
            case SIDEWALK -> {
                boolean roadRight = st.road[0] >= st.walk[1] - 0.01;
                facade(c, st, r, roadRight ? st.walk[0] : st.walk[1], windows);
                facade(c, st, r, roadRight ? st.road[1] + 4 : st.road[0] - 4, windows);
            }
            default -> {
                double zb = 70 + r.nextDouble() * 40;
                double x = -120;
                while (x < 120) {
                    double w = 15 + r.nextDouble() * 25;
                    double hb = 12 + r.nextDouble() * 30;
                    Color col = Draw.jitter(Draw.pick(r, new Color(190, 185, 175), new Color(150, 150, 160), new Color(200, 170, 140)), r, 15);
                    c.fill(st.front(x, x + w, zb + r.nextDouble() * 20, 0, hb), col);
                    x += w;
                }
            }
        }
        if (st.setting == Setting.PLAZA) {
            c.fill(st.groundQuad(-300, 300, zn, zf), paver);
            pavers(c, st, r, -60, 60, paver, 1.5 + r.nextDouble());
        } else {
            c.fill(st.groundQuad(st.road[0], st.road[1], zn, zf), asphalt);
            c.fill(st.groundQuad(st.walk[0], st.walk[1], zn, zf), paver);
            pavers(c, st, r, st.walk[0], st.walk[1], paver, 0.6 + r.nextDouble() * 0.4);
            if (st.walk2 != null) {
                c.fill(st.groundQuad(st.walk2[0], st.walk2[1], zn, zf), paver);
                pavers(c, st, r, st.walk2[0], st.walk2[1], paver, 0.6 + r.nextDouble() * 0.4);
            }
            Color curb = new Color(185, 185, 180);
            c.fill(st.groundQuad(st.road[0] - 0.18, st.road[0], zn, zf), curb);
            c.fill(st.groundQuad(st.road[1], st.road[1] + 0.18, zn, zf), curb);
            roadMarkings(c, st, r);
        }
    }

    private void facade(Canvas c, Stage st, SplittableRandom r, double x, List<Rectangle2D> windows) {
        double z = st.nearZ() * 0.7;
        while (z < 160) {
            double len = 12 + r.nextDouble() * 20;
            double hb = 10 + r.nextDouble() * 25;
            Color col = Draw.jitter(Draw.pick(r, new Color(200, 195, 185), new Color(170, 160, 150), new Color(150, 155, 165),
                    new Color(210, 180, 150), new Color(120, 110, 105)), r, 12);
            c.fill(st.wall(x, z, z + len, 0, hb), col);
            Color sign = Draw.pick(r, new Color(200, 30, 30), new Color(30, 60, 160), new Color(230, 190, 40), new Color(240, 240, 240));
            c.fill(st.wall(x, z + 0.5, z + len - 0.5, 3.0, 3.8), sign);
            c.fill(st.wall(x, z + 0.8, z + len - 0.8, 0.2, 2.8), new Color(60, 70, 80));
            for (double y = 5; y < hb - 1.5; y += 3) {
                for (double wz = z + 1; wz < z + len - 1.5; wz += 2.5) {
                    Path2D win = st.wall(x, wz, wz + 1.2, y, y + 1.5);
                    c.fill(win, new Color(70, 85, 100));
                    windows.add(win.getBounds2D());
                }
            }
            z += len;
        }
    }

    private void pavers(Canvas c, Stage st, SplittableRandom r, double x1, double x2, Color paver, double step) {
        Color line = Draw.shade(paver, 0.78);
        double zn = st.nearZ() * 0.7;
        for (double x = Math.ceil(x1 / step) * step; x < x2; x += step) {
            c.stroke(new Line2D.Double(st.u(x, zn), st.v(0, zn), st.u(x, 120), st.v(0, 120)), line, 0.7);
        }
        for (double z = zn; z < 60; z += step) {
            c.stroke(new Line2D.Double(st.u(x1, z), st.v(0, z), st.u(x2, z), st.v(0, z)), line, Math.min(1.2, 0.06 * st.f / z));
        }
    }

    /** White road markings (a distractor of the snow and water classes): lane dashes and edge lines. */
    private void roadMarkings(Canvas c, Stage st, SplittableRandom r) {
        Color white = new Color(225, 225, 220);
        double zn = st.nearZ() * 0.7;
        double w = st.road[1] - st.road[0];
        int lanes = Math.max(1, (int) Math.round(w / 3.5));
        double off = r.nextDouble() * 9;
        for (int l = 1; l < lanes; l++) {
            double x = st.road[0] + w * l / lanes;
            for (double z = zn + off; z < 150; z += 9) {
                c.fill(st.groundQuad(x - 0.08, x + 0.08, z, z + 3), white);
            }
        }
        c.fill(st.groundQuad(st.road[0] + 0.3, st.road[0] + 0.45, zn, 200), white);
        c.fill(st.groundQuad(st.road[1] - 0.45, st.road[1] - 0.3, zn, 200), white);
    }

    private void drawLampPost(Canvas c, Stage st, Item lamp) {
        c.mask(0);
        double u = st.u(lamp.x(), lamp.z());
        double v = st.v(0, lamp.z());
        double top = st.v(7, lamp.z());
        double s = st.scaleAt(v);
        c.stroke(new Line2D.Double(u, v, u, top), new Color(90, 95, 100), Math.max(0.8, 0.15 * s));
        c.fill(Draw.ellipse(u + 0.5 * s * Math.signum(-lamp.x() + 1e-9), top, 0.45 * s, 0.12 * s), new Color(120, 120, 125));
    }

    private void drawItem(Canvas c, Stage st, Item it, List<Scene.Placed> placed) {
        SplittableRandom r = new SplittableRandom(it.look());
        double v = st.v(0, it.z());
        double u = st.u(it.x(), it.z());
        double s = st.scaleAt(v);
        double k = st.tiltAt(v);
        c.beginItem();
        String kind;
        switch (it.kind()) {
            case STALL -> {
                c.mask(SceneClass.STALL.ordinal());
                kind = Props.stall(c, r, u, v, s, k, it.variant());
            }
            case GARBAGE -> {
                c.mask(SceneClass.GARBAGE.ordinal());
                kind = Props.garbage(c, r, u, v, s, k, it.variant(), it.amount());
            }
            case WATER -> {
                c.mask(SceneClass.WATER.ordinal());
                double rx = (1.4 + r.nextDouble() * 1.6) * s * it.amount();
                double ry = rx * k * (0.6 + r.nextDouble() * 0.6);
                Path2D puddle = Draw.blob(r, u, v, rx, Math.max(3, ry), 0.55, 11);
                c.fill(puddle, new Color(1, 2, 3)); // a marker colour: reflectWater paints these pixels
                if (r.nextBoolean()) {
                    c.fill(Draw.blob(r, u + rx * (r.nextBoolean() ? 0.8 : -0.8), v + ry * 0.2, rx * 0.5, Math.max(2, ry * 0.6), 0.5, 9),
                            new Color(1, 2, 3));
                }
                kind = "standing water";
            }
            case PEDESTRIAN, VENDOR -> {
                c.mask(0);
                Props.person(c, r, u, v, s, it.kind() == Kind.PEDESTRIAN, false);
                kind = it.kind() == Kind.PEDESTRIAN ? "pedestrian" : "person standing";
            }
            case CAR -> {
                c.mask(0);
                Props.car(c, r, st, it.x(), it.z());
                kind = "parked car";
            }
            case TIDY_BIN -> {
                c.mask(0);
                Props.bin(c, r, u, v, s, 0.6 * s, 1.0 * s);
                kind = "tidy bin";
            }
            case SHADOW -> {
                c.mask(Canvas.KEEP);
                Color dark = new Color(0, 0, 10, 70 + r.nextInt(60));
                if (it.variant() % 2 == 0) { // the shadow of a building or a wall: a long band
                    double x1 = st.road != null ? st.road[0] - 2 : -10;
                    c.fill(st.groundQuad(x1, x1 + 4 + r.nextDouble() * 8, it.z(), it.z() + 2 + r.nextDouble() * 6), dark);
                } else { // a tree's crown
                    for (int i = 0; i < 4 + r.nextInt(4); i++) {
                        c.fill(Draw.blob(r, u + (r.nextDouble() - 0.5) * 3 * s, v + (r.nextDouble() - 0.5) * 2 * s * k, 1.2 * s,
                                Math.max(2, 1.2 * s * k), 0.6, 9), dark);
                    }
                }
                kind = "shadow";
            }
            case STAIN -> {
                c.mask(Canvas.KEEP);
                double rx = (0.6 + r.nextDouble() * 1.4) * s;
                Color stain = new Color(20 + r.nextInt(25), 18 + r.nextInt(15), 15, 60 + r.nextInt(70));
                c.fill(Draw.blob(r, u, v, rx, Math.max(2, rx * k * (0.5 + r.nextDouble())), 0.8, 10), stain);
                for (int i = 0; i < 3; i++) {
                    c.fill(Draw.blob(r, u + (r.nextDouble() - 0.5) * rx * 1.5, v + (r.nextDouble() - 0.5) * rx * k, rx * 0.3,
                            Math.max(1, rx * k * 0.3), 0.8, 7), Draw.alpha(stain, stain.getAlpha() / 300.0));
                }
                kind = "wet-looking stain";
            }
            default -> { // ZEBRA: a crossing over the whole road
                c.mask(Canvas.KEEP);
                Color white = new Color(230, 230, 225);
                for (double x = st.road[0] + 0.6; x < st.road[1] - 0.6; x += 1.0) {
                    c.fill(st.groundQuad(x, x + 0.5, it.z(), it.z() + 3.5), white);
                }
                c.fill(st.groundQuad(st.road[0] + 0.5, st.road[1] - 0.5, it.z() - 1.2, it.z() - 0.8), white);
                kind = "road markings";
            }
        }
        Rectangle2D b = c.endItem();
        if (b != null) {
            Rectangle2D vis = b.createIntersection(new Rectangle2D.Double(0, 0, st.width, st.height));
            if (!vis.isEmpty()) {
                placed.add(new Scene.Placed(it.cls(), kind,
                        Box.ofPixels(vis.getMinX(), vis.getMinY(), vis.getMaxX(), vis.getMaxY(), st.width, st.height)));
            }
        }
        c.mask(0);
    }

    /**
     * Standing water mirrors what is above it: a ground pixel at row v sees the direction at row
     * 2·vh − v (the scene flipped about the horizon), which for most of the frame is sky; stains and
     * shadows are only darker ground, which is what tells them apart.
     */
    private void reflectWater(Canvas c, Stage st) {
        int w = st.width;
        int[] px = ((DataBufferInt) c.image.getRaster().getDataBuffer()).getData();
        int[] mk = ((DataBufferInt) c.maskImage.getRaster().getDataBuffer()).getData();
        int waterId = SceneClass.WATER.ordinal() << 16;
        SplittableRandom r = new SplittableRandom(st.seed * 13 + 5);
        double ripple = st.light == Light.RAIN ? 18 : 6;
        double phase = r.nextDouble() * 6;
        int[] copy = px.clone();
        for (int y = 0; y < st.height; y++) {
            int sy = (int) Math.round(2 * st.vh - y);
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if ((mk[i] & 0xFF0000) != waterId) {
                    continue;
                }
                int src;
                if (sy >= 0 && sy < st.height && (copy[sy * w + x] >>> 24) > 0) {
                    src = copy[sy * w + x];
                } else {
                    src = st.skyAt(sy).getRGB();
                }
                double mod = 0.82 + Math.sin(x * 0.35 + y * 1.3 + phase) * ripple / 255.0 + Math.sin(y * 2.1) * ripple / 400.0;
                int rr = Draw.clamp(((src >> 16) & 0xFF) * mod * 0.9 + 12);
                int gg = Draw.clamp(((src >> 8) & 0xFF) * mod * 0.9 + 12);
                int bb = Draw.clamp((src & 0xFF) * mod * 0.92 + 14);
                px[i] = 0xFF000000 | rr << 16 | gg << 8 | bb;
            }
        }
        // a dark wet rim: water's edge darkens the ground around it
        for (int y = 1; y < st.height - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                if ((mk[i] & 0xFF0000) == waterId) {
                    continue;
                }
                if ((mk[i - 1] & 0xFF0000) == waterId || (mk[i + 1] & 0xFF0000) == waterId || (mk[i - w] & 0xFF0000) == waterId
                        || (mk[i + w] & 0xFF0000) == waterId) {
                    int p = px[i];
                    px[i] = 0xFF000000 | (int) (((p >> 16) & 0xFF) * 0.6) << 16 | (int) (((p >> 8) & 0xFF) * 0.6) << 8 | (int) ((p & 0xFF) * 0.6);
                }
            }
        }
    }

    /** Snow lying on the walkways (and on the road unless cleared), with tyre tracks and cleared paths left as ground. */
    private void drawSnow(Canvas c, Stage st, SplittableRandom r) {
        double zn = st.nearZ() * 0.7;
        Color snow = new Color(232 + r.nextInt(15), 236 + r.nextInt(12), 245 + r.nextInt(10));
        c.mask(SceneClass.SNOW.ordinal());
        List<double[]> areas = new ArrayList<>();
        areas.add(st.walk);
        if (st.walk2 != null) {
            areas.add(st.walk2);
        }
        boolean roadCovered = st.road != null && r.nextInt(10) < 6;
        if (roadCovered) {
            areas.add(st.road);
        }
        for (double[] a : areas) {
            c.fill(st.groundQuad(a[0], a[1], zn, 300), snow);
        }
        if (st.road != null && !roadCovered) { // ploughed road: berms along the kerbs
            for (double z = zn; z < 60; z += 1.5 + r.nextDouble()) {
                for (double xe : new double[] {st.road[0] + 0.4, st.road[1] - 0.4}) {
                    double v = st.v(0, z);
                    double s = st.scaleAt(v);
                    c.fill(Draw.blob(r, st.u(xe, z), v, 0.7 * s, Math.max(1.5, 0.7 * s * st.tiltAt(v)), 0.5, 8), snow);
                }
            }
        }
        // texture: bluish hollows and footprints (still snow)
        for (int i = 0; i < 500; i++) {
            double z = zn + r.nextDouble() * 40;
            double[] a = areas.get(r.nextInt(areas.size()));
            double x = a[0] + r.nextDouble() * (a[1] - a[0]);
            double v = st.v(0, z);
            double s = st.scaleAt(v);
            c.fill(Draw.ellipse(st.u(x, z), v, Math.max(0.8, 0.12 * s), Math.max(0.6, 0.12 * s * st.tiltAt(v))),
                    Draw.shade(snow, 0.86 + r.nextDouble() * 0.08));
        }
        c.mask(0);
        Color slush = new Color(95, 95, 100);
        if (roadCovered) {
            double w = st.road[1] - st.road[0];
            int lanes = Math.max(1, (int) Math.round(w / 3.5));
            for (int l = 0; l < lanes; l++) {
                double cx = st.road[0] + w * (l + 0.5) / lanes;
                for (double dx : new double[] {-0.8, 0.8}) {
                    c.fill(st.groundQuad(cx + dx - 0.2, cx + dx + 0.2, zn, 300), slush);
                }
            }
        }
        if (st.setting != Setting.STREET && r.nextBoolean()) { // a shovelled path along the walkway
            double x = st.walk[0] + r.nextDouble() * (st.walk[1] - st.walk[0] - 1.5);
            c.fill(st.groundQuad(x, x + 1.2 + r.nextDouble(), zn, 300), new Color(140, 135, 130));
        }
    }

    // ------------------------------------------------------------------------------------ light and camera

    private BufferedImage light(Canvas c, Stage st, byte[] mask, List<Rectangle2D> windows, SplittableRandom r) {
        int w = st.width;
        int h = st.height;
        int[] px = ((DataBufferInt) c.image.getRaster().getDataBuffer()).getData();
        double[][] lm = lightMap(st);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        for (int y = 0; y < h; y++) { // the sky behind everything
            g.setColor(st.skyAt(y));
            g.fillRect(0, y, w, 1);
        }
        g.drawImage(lit(px, w, h, lm, mask, st.light), 0, 0, null);
        if (st.light == Light.NIGHT || st.light == Light.DUSK) {
            SplittableRandom wr = new SplittableRandom(st.seed * 3 + 1);
            for (Rectangle2D win : windows) {
                if (wr.nextInt(10) < (st.light == Light.NIGHT ? 5 : 2)) {
                    g.setColor(new Color(240, 200, 120, 200));
                    g.fill(win);
                }
            }
            if (st.light == Light.NIGHT) {
                for (double[] lamp : st.lamps) {
                    double u = st.u(lamp[0], lamp[1]);
                    double top = st.v(7, lamp[1]);
                    double s = st.scaleAt(st.v(0, lamp[1]));
                    g.setColor(new Color(255, 235, 180));
                    g.fill(Draw.ellipse(u + 0.5 * s * Math.signum(-lamp[0] + 1e-9), top + 0.1 * s, 0.35 * s, 0.12 * s));
                }
                lampStreaks(out, st, mask);
            }
        }
        if (st.light == Light.RAIN) {
            g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
            int n = 150 + r.nextInt(250);
            double slant = r.nextDouble() * 3 - 1.5;
            for (int i = 0; i < n; i++) {
                double x = r.nextDouble() * w;
                double y = r.nextDouble() * h;
                double len = 5 + r.nextDouble() * 10;
                g.setColor(new Color(210, 210, 220, 50 + r.nextInt(60)));
                g.draw(new Line2D.Double(x, y, x + slant, y + len));
            }
        }
        g.dispose();
        byte[] data = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        if (st.light == Light.FOG) {
            double density = 0.45 + r.nextDouble() * 0.35;
            int fog = 200;
            for (int y = 0; y < h; y++) {
                double a = y <= st.vh ? density : density * Math.pow(1 - (y - st.vh) / (h - st.vh), 0.8);
                for (int i = y * w * 3; i < (y + 1) * w * 3; i++) {
                    data[i] = (byte) Draw.clamp((data[i] & 0xFF) * (1 - a) + fog * a);
                }
            }
        }
        double sigma = switch (st.light) {
            case NIGHT -> 7 + r.nextDouble() * 7;
            case DUSK, RAIN -> 4 + r.nextDouble() * 5;
            default -> 2 + r.nextDouble() * 4;
        };
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) Draw.clamp((data[i] & 0xFF) + r.nextGaussian() * sigma);
        }
        // auto exposure, as every camera has: a dark frame is amplified, its sensor noise with it, before compression
        double mean = 0;
        for (byte b : data) {
            mean += b & 0xFF;
        }
        mean /= data.length;
        double gain = Math.max(1, Math.min(AUTO_EXPOSURE_MAX_GAIN, (95 + r.nextDouble() * 20) / Math.max(1, mean)));
        if (gain > 1.01) {
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) Draw.clamp((data[i] & 0xFF) * gain);
            }
        }
        return jpeg(out, 0.35f + (float) r.nextDouble() * 0.55f);
    }

    /** Per-pixel light (r, g, b factors): ambient of the hour and weather, plus lamp pools at night. */
    private double[][] lightMap(Stage st) {
        double[] amb = switch (st.light) {
            case DAY -> new double[] {1.0, 1.0, 1.0};
            case DUSK -> new double[] {0.82, 0.68, 0.58};
            case NIGHT -> new double[] {0.22, 0.24, 0.32};
            case RAIN -> new double[] {0.68, 0.70, 0.74};
            case FOG -> new double[] {0.92, 0.92, 0.94};
        };
        int n = st.width * st.height;
        double[][] lm = new double[3][n];
        for (int ch = 0; ch < 3; ch++) {
            java.util.Arrays.fill(lm[ch], amb[ch]);
        }
        if (st.light == Light.NIGHT) {
            double[] warm = {0.95, 0.78, 0.5};
            for (double[] lamp : st.lamps) {
                double v0 = st.v(0, lamp[1]);
                double u0 = st.u(lamp[0] + 1.5 * Math.signum(-lamp[0] + 1e-9), lamp[1]);
                double s = st.scaleAt(v0);
                double rx = 6 * s;
                double ry = Math.max(4, 6 * s * st.tiltAt(v0)) + 0.5 * 7 * s;
                double cy = v0 - 2.0 * s;
                for (int y = Math.max(0, (int) (cy - ry)); y < Math.min(st.height, (int) (cy + ry)); y++) {
                    for (int x = Math.max(0, (int) (u0 - rx)); x < Math.min(st.width, (int) (u0 + rx)); x++) {
                        double d = Math.pow((x - u0) / rx, 2) + Math.pow((y - cy) / ry, 2);
                        if (d < 1) {
                            double k = (1 - d) * (1 - d);
                            for (int ch = 0; ch < 3; ch++) {
                                lm[ch][y * st.width + x] += warm[ch] * k;
                            }
                        }
                    }
                }
            }
        }
        return lm;
    }

    private static BufferedImage lit(int[] px, int w, int h, double[][] lm, byte[] mask, Light light) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int[] out = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        byte water = (byte) SceneClass.WATER.ordinal();
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            if ((p >>> 24) == 0) {
                continue;
            }
            double kr = lm[0][i];
            double kg = lm[1][i];
            double kb = lm[2][i];
            if (mask[i] == water) { // water shows the sky, which has its own brightness
                kr = Math.max(kr, 0.9);
                kg = Math.max(kg, 0.9);
                kb = Math.max(kb, 0.9);
            }
            double rr = ((p >> 16) & 0xFF) * kr;
            double gg = ((p >> 8) & 0xFF) * kg;
            double bb = (p & 0xFF) * kb;
            if (light == Light.RAIN) { // rain washes colour out
                double l = (rr + gg + bb) / 3;
                rr = rr * 0.7 + l * 0.3;
                gg = gg * 0.7 + l * 0.3;
                bb = bb * 0.7 + l * 0.3;
            }
            out[i] = 0xFF000000 | Draw.clamp(rr) << 16 | Draw.clamp(gg) << 8 | Draw.clamp(bb);
        }
        return img;
    }

    /** At night water shows each street lamp as a bright vertical streak below it; stains do not. */
    private static void lampStreaks(BufferedImage out, Stage st, byte[] mask) {
        byte water = (byte) SceneClass.WATER.ordinal();
        for (double[] lamp : st.lamps) {
            double s = st.scaleAt(st.v(0, lamp[1]));
            int u = (int) Math.round(st.u(lamp[0], lamp[1]) + 0.5 * s * Math.signum(-lamp[0] + 1e-9));
            int half = Math.max(1, (int) Math.round(0.25 * s));
            for (int y = 0; y < st.height; y++) {
                for (int x = Math.max(0, u - half * 3); x <= Math.min(st.width - 1, u + half * 3); x++) {
                    if (mask[y * st.width + x] != water) {
                        continue;
                    }
                    double k = Math.max(0, 1 - Math.abs(x - u) / (half * 3.0));
                    int p = out.getRGB(x, y);
                    int rr = Draw.clamp(((p >> 16) & 0xFF) + 200 * k);
                    int gg = Draw.clamp(((p >> 8) & 0xFF) + 170 * k);
                    int bb = Draw.clamp((p & 0xFF) + 110 * k);
                    out.setRGB(x, y, 0xFF000000 | rr << 16 | gg << 8 | bb);
                }
            }
        }
    }

    /** JPEG at the given quality and back: the artefacts a camera stream has. */
    public static BufferedImage jpeg(BufferedImage img, float quality) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(ios);
                ImageWriteParam p = writer.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
                writer.write(null, new IIOImage(img, null, null), p);
            } finally {
                writer.dispose();
            }
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
            BufferedImage bgr = new BufferedImage(back.getWidth(), back.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = bgr.createGraphics();
            g.drawImage(back, 0, 0, null);
            g.dispose();
            return bgr;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
