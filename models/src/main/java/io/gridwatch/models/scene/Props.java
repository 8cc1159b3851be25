package io.gridwatch.models.scene;

import java.awt.Color;
import java.awt.geom.Arc2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.util.SplittableRandom;

import static io.gridwatch.models.scene.Draw.ellipse;
import static io.gridwatch.models.scene.Draw.jitter;
import static io.gridwatch.models.scene.Draw.pick;
import static io.gridwatch.models.scene.Draw.poly;
import static io.gridwatch.models.scene.Draw.rect;
import static io.gridwatch.models.scene.Draw.shade;

/**
 * Painters of the things placed on a stage, as sprites at a ground point (u, v) with s pixels a
 * metre and k the foreshortening of depth. Upright things stand on (u, v); each painter draws
 * back to front so that the mask ends with what is visible.
 */
final class Props {

    private Props() {
    }

    static final Color[] CLOTHES = {new Color(30, 30, 35), new Color(60, 60, 70), new Color(180, 40, 40), new Color(40, 70, 150),
            new Color(220, 220, 215), new Color(120, 90, 60), new Color(60, 110, 60), new Color(200, 170, 60), new Color(150, 60, 120)};
    static final Color[] VIVID = {new Color(220, 40, 30), new Color(240, 150, 20), new Color(250, 220, 40), new Color(60, 160, 50),
            new Color(140, 30, 120), new Color(230, 90, 110), new Color(120, 200, 60), new Color(200, 60, 20)};
    static final Color[] CANVAS = {new Color(210, 40, 35), new Color(30, 90, 190), new Color(240, 240, 235), new Color(40, 140, 70),
            new Color(240, 190, 30), new Color(230, 110, 30)};

    // ---------------------------------------------------------------- people

    /** A person standing (vendor) or walking (pedestrian): 1.6–1.8 m. */
    static void person(Canvas c, SplittableRandom r, double u, double v, double s, boolean walking, boolean sitting) {
        double hgt = (1.6 + r.nextDouble() * 0.2) * s * (sitting ? 0.72 : 1);
        Color top = jitter(pick(r, CLOTHES), r, 15);
        Color legs = jitter(pick(r, new Color(30, 30, 40), new Color(50, 60, 90), new Color(90, 80, 70), new Color(20, 20, 20)), r, 10);
        Color skin = jitter(new Color(200, 160, 130), r, 20);
        Color hair = jitter(new Color(25, 20, 18), r, 8);
        double w = hgt * 0.26;
        double legTop = v - hgt * (sitting ? 0.30 : 0.47);
        double shoulder = v - hgt * 0.82;
        double stride = walking ? w * (0.25 + r.nextDouble() * 0.35) : w * 0.08;
        double lw = Math.max(1.2, w * 0.33);
        c.stroke(new Line2D.Double(u - w * 0.18, legTop, u - w * 0.18 - stride, v - lw / 2), legs, lw);
        c.stroke(new Line2D.Double(u + w * 0.18, legTop, u + w * 0.18 + stride, v - lw / 2), shade(legs, 0.8), lw);
        if (sitting) {
            c.fill(rect(u - w * 0.45, legTop, w * 0.9, hgt * 0.06), new Color(60, 60, 160));
        }
        Path2D torso = poly(u - w / 2, shoulder, u + w / 2, shoulder, u + w * 0.42, legTop + hgt * 0.03, u - w * 0.42, legTop + hgt * 0.03);
        c.fill(torso, top);
        double swing = walking ? w * 0.3 : 0;
        double aw = Math.max(1, w * 0.22);
        c.stroke(new Line2D.Double(u - w * 0.48, shoulder + aw, u - w * 0.55 - swing, legTop + hgt * 0.02), shade(top, 0.85), aw);
        c.stroke(new Line2D.Double(u + w * 0.48, shoulder + aw, u + w * 0.55 + swing, legTop + hgt * 0.02), shade(top, 0.75), aw);
        double hr = hgt * 0.065;
        c.fill(rect(u - hr * 0.4, shoulder - hr * 0.5, hr * 0.8, hr * 0.7), skin);
        c.fill(ellipse(u, shoulder - hr * 1.2, hr * 0.85, hr), skin);
        c.fill(new Arc2D.Double(u - hr * 0.9, shoulder - hr * 2.25, hr * 1.8, hr * 1.8, 0, 180, Arc2D.CHORD), hair);
        if (r.nextInt(4) == 0) { // a hat or an umbrella-less hood
            c.fill(rect(u - hr * 1.1, shoulder - hr * 2.1, hr * 2.2, hr * 0.5), pick(r, CLOTHES));
        }
    }

    // ---------------------------------------------------------------- stalls (占道经营)

    /** A street stall: one of umbrella + table, canopy + table, tricycle cart, goods on a tarp; often a vendor. */
    static String stall(Canvas c, SplittableRandom r, double u, double v, double s, double k, int variant) {
        boolean vendor = r.nextInt(4) != 0;
        double vendorDx = (r.nextBoolean() ? -1 : 1) * (0.5 + r.nextDouble() * 0.5) * s;
        String kind;
        switch (variant) {
            case 0 -> {
                kind = "umbrella stall";
                if (vendor) {
                    person(c, r, u + vendorDx, v - 0.9 * s * k, s, false, r.nextBoolean());
                }
                table(c, r, u, v, s, k);
                umbrella(c, r, u + (r.nextDouble() - 0.5) * 0.6 * s, v - 0.3 * s * k, s);
            }
            case 1 -> {
                kind = "canopy stall";
                canopy(c, r, u, v, s, k, () -> {
                    if (vendor) {
                        person(c, r, u + vendorDx * 0.6, v - 1.6 * s * k, s, false, false);
                    }
                    table(c, r, u, v, s, k);
                });
            }
            case 2 -> {
                kind = "cart stall";
                if (vendor) {
                    person(c, r, u + vendorDx * 1.4, v - 0.3 * s * k, s, false, false);
                }
                cart(c, r, u, v, s, k);
            }
            default -> {
                kind = "goods on a tarp";
                tarp(c, r, u, v, s, k);
                if (vendor) {
                    person(c, r, u + vendorDx * 1.3, v - 1.0 * s * k, s, false, true);
                }
                if (r.nextBoolean()) {
                    umbrella(c, r, u + vendorDx, v - 1.0 * s * k, s);
                }
            }
        }
        if (r.nextInt(3) == 0) {
            crates(c, r, u + (r.nextBoolean() ? 1 : -1) * 1.1 * s, v + 0.2 * s * k, s);
        }
        return kind;
    }

    private static void umbrella(Canvas c, SplittableRandom r, double u, double v, double s) {
        double top = v - (2.0 + r.nextDouble() * 0.3) * s;
        double rad = (1.0 + r.nextDouble() * 0.3) * s;
        c.stroke(new Line2D.Double(u, v, u, top), new Color(200, 200, 200), Math.max(1, 0.05 * s));
        Color a = pick(r, CANVAS);
        Color b = r.nextBoolean() ? new Color(245, 245, 240) : pick(r, CANVAS);
        int segs = 6 + r.nextInt(3);
        double dh = rad * 0.5;
        for (int i = 0; i < segs; i++) { // the dome as pie slices of a half ellipse, lit from above
            Color col = i % 2 == 0 ? a : b;
            double light = 0.8 + 0.35 * Math.sin(Math.PI * (i + 0.5) / segs);
            c.fill(new Arc2D.Double(u - rad, top - dh, 2 * rad, 2 * dh, 180.0 * i / segs, 180.0 / segs, Arc2D.PIE), shade(col, light));
        }
        double sc = rad / segs;
        for (int i = 0; i < segs; i++) { // the scalloped hem
            c.fill(new Arc2D.Double(u - rad + 2 * sc * i, top - sc * 0.5, 2 * sc, sc, 180, 180, Arc2D.CHORD), i % 2 == 0 ? a : b);
        }
        c.fill(ellipse(u, top - dh, Math.max(1, 0.05 * s), Math.max(1, 0.05 * s)), new Color(230, 230, 230));
    }

    private static void table(Canvas c, SplittableRandom r, double u, double v, double s, double k) {
        double w = (1.2 + r.nextDouble() * 0.6) * s;
        double hgt = 0.75 * s;
        double depth = 0.7 * s * k;
        Color top = jitter(pick(r, new Color(180, 150, 110), new Color(200, 200, 200), new Color(90, 140, 200)), r, 15);
        Color cloth = jitter(pick(r, CANVAS), r, 20);
        c.fill(poly(u - w / 2, v - hgt - depth, u + w / 2, v - hgt - depth, u + w / 2, v - hgt, u - w / 2, v - hgt), top);
        if (r.nextBoolean()) {
            c.fill(rect(u - w / 2, v - hgt, w, hgt * 0.95), cloth);
        } else {
            double lw = Math.max(1, 0.05 * s);
            c.stroke(new Line2D.Double(u - w / 2 + lw, v - hgt, u - w / 2 + lw, v), new Color(90, 90, 90), lw);
            c.stroke(new Line2D.Double(u + w / 2 - lw, v - hgt, u + w / 2 - lw, v), new Color(90, 90, 90), lw);
            c.fill(rect(u - w / 2, v - hgt, w, hgt * 0.12), shade(top, 0.7));
        }
        goods(c, r, u, v - hgt - depth / 2, w * 0.9, depth + 0.25 * s, s);
    }

    /** Goods heaped on a surface centred at (u, vTop): fruit, vegetables, boxes, bright packets. */
    private static void goods(Canvas c, SplittableRandom r, double u, double vTop, double w, double depth, double s) {
        int n = 10 + r.nextInt(14);
        for (int i = 0; i < n; i++) {
            double x = u + (r.nextDouble() - 0.5) * w;
            double y = vTop + (r.nextDouble() - 0.7) * depth;
            double sz = (0.08 + r.nextDouble() * 0.14) * s;
            Color col = jitter(pick(r, VIVID), r, 25);
            if (r.nextInt(3) == 0) {
                c.fill(rect(x - sz, y - sz, sz * 2, sz * 1.4), col);
                c.fill(rect(x - sz, y - sz, sz * 2, sz * 0.35), shade(col, 1.25));
            } else {
                c.fill(ellipse(x, y, sz, sz * 0.85), col);
                c.fill(ellipse(x - sz * 0.3, y - sz * 0.3, sz * 0.3, sz * 0.25), shade(col, 1.4));
            }
        }
    }

    /** A folding canopy (3 m tent): back legs and roof, then what stands under it, then the front legs and valance. */
    private static void canopy(Canvas c, SplittableRandom r, double u, double v, double s, double k, Runnable under) {
        double w = (2.5 + r.nextDouble() * 0.6) * s;
        double hgt = 2.3 * s;
        double d = 2.5 * s * k;
        double lw = Math.max(1, 0.05 * s);
        Color leg = new Color(170, 170, 175);
        Color cloth = jitter(pick(r, CANVAS), r, 15);
        c.stroke(new Line2D.Double(u - w / 2 * 0.85, v - d, u - w / 2 * 0.85, v - d - hgt * 0.9), leg, lw);
        c.stroke(new Line2D.Double(u + w / 2 * 0.85, v - d, u + w / 2 * 0.85, v - d - hgt * 0.9), leg, lw);
        c.fill(poly(u - w / 2 * 0.85, v - d - hgt * 0.9, u + w / 2 * 0.85, v - d - hgt * 0.9, u + w / 2, v - hgt,
                u - w / 2, v - hgt, u, v - hgt - 0.6 * s - d / 2), shade(cloth, 0.8));
        under.run();
        c.stroke(new Line2D.Double(u - w / 2, v, u - w / 2, v - hgt), leg, lw * 1.2);
        c.stroke(new Line2D.Double(u + w / 2, v, u + w / 2, v - hgt), leg, lw * 1.2);
        c.fill(rect(u - w / 2, v - hgt - 0.05 * s, w, 0.3 * s), cloth);
        c.fill(rect(u - w / 2, v - hgt + 0.2 * s, w, 0.05 * s), shade(cloth, 0.7));
    }

    private static void cart(Canvas c, SplittableRandom r, double u, double v, double s, double k) {
        double w = (1.4 + r.nextDouble() * 0.4) * s;
        double bh = 0.55 * s;
        double lift = 0.35 * s;
        double d = 0.8 * s * k;
        Color body = jitter(pick(r, new Color(40, 90, 170), new Color(200, 200, 205), new Color(60, 140, 80), new Color(170, 60, 40)), r, 15);
        double wr = 0.28 * s;
        c.fill(ellipse(u - w * 0.35, v - wr, wr, wr), new Color(25, 25, 25));
        c.fill(ellipse(u + w * 0.35, v - wr, wr, wr), new Color(25, 25, 25));
        c.fill(ellipse(u - w * 0.35, v - wr, wr * 0.45, wr * 0.45), new Color(150, 150, 150));
        c.fill(ellipse(u + w * 0.35, v - wr, wr * 0.45, wr * 0.45), new Color(150, 150, 150));
        c.fill(poly(u - w / 2, v - lift - bh - d, u + w / 2, v - lift - bh - d, u + w / 2, v - lift - bh, u - w / 2, v - lift - bh),
                shade(body, 1.2));
        c.fill(rect(u - w / 2, v - lift - bh, w, bh), body);
        c.fill(rect(u - w / 2, v - lift - bh, w, bh * 0.15), shade(body, 0.7));
        goods(c, r, u, v - lift - bh - d / 2, w * 0.9, d + 0.3 * s, s);
        if (r.nextBoolean()) {
            double top = v - lift - bh - 1.3 * s;
            c.stroke(new Line2D.Double(u - w / 2, v - lift - bh, u - w / 2, top), new Color(180, 180, 180), Math.max(1, 0.04 * s));
            c.stroke(new Line2D.Double(u + w / 2, v - lift - bh, u + w / 2, top), new Color(180, 180, 180), Math.max(1, 0.04 * s));
            c.fill(poly(u - w * 0.6, top + 0.2 * s, u + w * 0.6, top + 0.2 * s, u + w / 2, top - 0.15 * s, u - w / 2, top - 0.15 * s),
                    jitter(pick(r, CANVAS), r, 15));
        }
    }

    private static void tarp(Canvas c, SplittableRandom r, double u, double v, double s, double k) {
        double w = (1.8 + r.nextDouble() * 0.8) * s;
        double d = (1.2 + r.nextDouble() * 0.5) * s * k;
        Color col = jitter(pick(r, new Color(40, 80, 200), new Color(200, 60, 40), new Color(60, 60, 60), new Color(220, 200, 150)), r, 15);
        c.fill(poly(u - w / 2, v, u + w / 2, v, u + w / 2 * 0.92, v - d, u - w / 2 * 0.92, v - d), col);
        goods(c, r, u, v - d * 0.3, w * 0.85, d * 1.2, s * 0.9);
    }

    private static void crates(Canvas c, SplittableRandom r, double u, double v, double s) {
        Color col = jitter(pick(r, new Color(30, 120, 200), new Color(220, 60, 40), new Color(240, 200, 40), new Color(60, 160, 60)), r, 15);
        double cw = 0.5 * s;
        double ch = 0.3 * s;
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            double y = v - ch * (i + 1);
            c.fill(rect(u - cw / 2, y, cw, ch), col);
            c.stroke(new Line2D.Double(u - cw / 2, y + ch * 0.5, u + cw / 2, y + ch * 0.5), shade(col, 0.6), Math.max(0.8, 0.03 * s));
        }
    }

    // ---------------------------------------------------------------- garbage (暴露垃圾 / 垃圾满溢)

    static final Color[] BAGS = {new Color(20, 20, 22), new Color(35, 40, 35), new Color(230, 230, 225), new Color(50, 90, 170),
            new Color(40, 110, 60), new Color(200, 60, 50), new Color(220, 200, 80)};

    /** @param amount (0..1] how far the heap has grown; 1 is the full heap of a still scene */
    static String garbage(Canvas c, SplittableRandom r, double u, double v, double s, double k, int variant, double amount) {
        if (variant == 0) {
            pile(c, r, u, v, s, k, (1.5 + r.nextDouble() * 1.2) * s * amount, amount);
            return "garbage pile";
        }
        double bw = 0.65 * s;
        double bh = 1.0 * s;
        double bx = u + (r.nextDouble() - 0.5) * 0.4 * s;
        // bags spilled behind and beside the bin first, the bin, then the heap on top and in front
        pile(c, r, bx, v - 0.4 * s * k, s, k, 1.6 * s * amount, amount);
        bin(c, r, bx, v, s, bw, bh);
        int n = (int) Math.round((4 + r.nextInt(5)) * amount);
        for (int i = 0; i < n; i++) {
            double x = bx + (r.nextDouble() - 0.5) * bw * 1.3;
            double y = v - bh - 0.05 * s - r.nextDouble() * 0.35 * s;
            bag(c, r, x, y, (0.22 + r.nextDouble() * 0.15) * s);
        }
        pile(c, r, bx + (r.nextBoolean() ? 0.5 : -0.5) * s, v + 0.15 * s * k, s * 0.8, k, 1.1 * s * amount, amount);
        return "overflowing bin";
    }

    /** A bin, tidy (distractor-free street furniture) or under a heap. */
    static void bin(Canvas c, SplittableRandom r, double u, double v, double s, double bw, double bh) {
        Color col = jitter(pick(r, new Color(40, 120, 60), new Color(40, 80, 160), new Color(110, 110, 115), new Color(220, 120, 30)), r, 12);
        c.fill(poly(u - bw / 2, v - bh, u + bw / 2, v - bh, u + bw * 0.44, v, u - bw * 0.44, v), col);
        c.fill(rect(u - bw * 0.55, v - bh - 0.08 * s, bw * 1.1, 0.1 * s), shade(col, 0.7));
        c.fill(rect(u - bw * 0.2, v - bh * 0.6, bw * 0.4, bh * 0.12), new Color(235, 235, 235));
    }

    private static void pile(Canvas c, SplittableRandom r, double u, double v, double s, double k, double width, double amount) {
        int n = Math.max(1, (int) Math.round((10 + r.nextInt(16)) * amount));
        double depth = width * 0.7 * Math.max(0.25, k);
        for (int i = 0; i < n; i++) {
            double t = (double) i / n; // back to front
            double x = u + (r.nextDouble() - 0.5) * width * (0.6 + 0.4 * Math.sin(Math.PI * t));
            double y = v - depth * (1 - t) - r.nextDouble() * 0.15 * s;
            double sz = (0.16 + r.nextDouble() * 0.2) * s;
            if (r.nextInt(5) == 0) {
                Color box = jitter(new Color(170, 130, 80), r, 20);
                c.fill(poly(x - sz, y, x + sz, y - sz * 0.2, x + sz * 0.9, y - sz * 1.3, x - sz * 1.1, y - sz), box);
            } else {
                bag(c, r, x, y, sz);
            }
        }
        for (int i = 0; i < 6 + r.nextInt(8); i++) { // litter
            double x = u + (r.nextDouble() - 0.5) * width * 1.2;
            double y = v - r.nextDouble() * depth * 1.1;
            c.fill(rect(x, y, Math.max(1, 0.08 * s), Math.max(1, 0.05 * s)), jitter(pick(r, Props.VIVID), r, 30));
        }
    }

    private static void bag(Canvas c, SplittableRandom r, double x, double y, double sz) {
        Color col = jitter(pick(r, BAGS), r, 12);
        Path2D b = Draw.blob(r, x, y - sz * 0.8, sz, sz * 0.85, 0.35, 7);
        c.fill(b, col);
        c.fill(ellipse(x - sz * 0.35, y - sz * 1.1, sz * 0.3, sz * 0.18), shade(col, col.getRed() < 60 ? 2.8 : 1.25));
        c.stroke(new Line2D.Double(x - sz * 0.1, y - sz * 1.6, x + sz * 0.15, y - sz * 1.85), shade(col, 0.8), Math.max(0.8, sz * 0.12));
    }

    // ---------------------------------------------------------------- distractors

    /** A parked car seen from behind along the kerb: 1.8 m wide, 1.5 m tall, 4.5 m long. */
    static void car(Canvas c, SplittableRandom r, Stage st, double x, double z) {
        Color body = jitter(pick(r, new Color(230, 230, 230), new Color(25, 25, 30), new Color(150, 150, 155), new Color(150, 30, 30),
                new Color(30, 60, 130), new Color(190, 180, 160)), r, 10);
        double w = 1.8;
        double len = 4.4;
        double side = x < 0 ? x + w / 2 : x - w / 2; // the side the camera sees
        double zb = z + len;
        // side
        c.fill(st.wall(side, z, zb, 0.25, 0.95), shade(body, 0.8));
        c.fill(st.wall(side, z + 1.0, zb - 0.8, 0.95, 1.45), new Color(40, 50, 60));
        // roof
        Path2D roof = Draw.poly(st.u(x - w / 2 + 0.15, z + 1.0), st.v(1.45, z + 1.0), st.u(x + w / 2 - 0.15, z + 1.0), st.v(1.45, z + 1.0),
                st.u(x + w / 2 - 0.15, zb - 0.8), st.v(1.45, zb - 0.8), st.u(x - w / 2 + 0.15, zb - 0.8), st.v(1.45, zb - 0.8));
        c.fill(roof, shade(body, 1.1));
        // rear
        c.fill(st.front(x - w / 2, x + w / 2, z, 0.25, 0.95), body);
        c.fill(st.front(x - w / 2 + 0.15, x + w / 2 - 0.15, z + 1.0, 0.95, 1.45), new Color(30, 38, 48));
        c.fill(st.front(x - w / 2 + 0.05, x - w / 2 + 0.35, z - 0.01, 0.7, 0.85), new Color(200, 30, 30));
        c.fill(st.front(x + w / 2 - 0.35, x + w / 2 - 0.05, z - 0.01, 0.7, 0.85), new Color(200, 30, 30));
        c.fill(st.front(x - 0.3, x + 0.3, z - 0.01, 0.4, 0.55), new Color(230, 230, 200));
        // wheels
        for (double wz : new double[] {z + 0.8, zb - 0.9}) {
            double uu = st.u(side, wz);
            double vv = st.v(0.32, wz);
            double rr = 0.33 * st.f / wz;
            c.fill(ellipse(uu, vv, rr * 0.45, rr), new Color(20, 20, 20));
        }
        c.fill(st.front(x - w / 2, x - w / 2 + 0.25, z + 0.02, 0, 0.35), new Color(20, 20, 20));
        c.fill(st.front(x + w / 2 - 0.25, x + w / 2, z + 0.02, 0, 0.35), new Color(20, 20, 20));
    }
}
