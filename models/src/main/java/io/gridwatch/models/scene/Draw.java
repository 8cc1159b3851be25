package io.gridwatch.models.scene;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.SplittableRandom;

/** Small drawing helpers shared by the painters: colours and blob outlines. */
final class Draw {

    private Draw() {
    }

    static Color mix(Color a, Color b, double t) {
        return new Color(clamp(a.getRed() + (b.getRed() - a.getRed()) * t), clamp(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                clamp(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }

    static Color shade(Color c, double k) {
        return new Color(clamp(c.getRed() * k), clamp(c.getGreen() * k), clamp(c.getBlue() * k), c.getAlpha());
    }

    static Color alpha(Color c, double a) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), clamp(a * 255));
    }

    static Color jitter(Color c, SplittableRandom r, int amount) {
        return new Color(clamp(c.getRed() + r.nextInt(-amount, amount + 1)), clamp(c.getGreen() + r.nextInt(-amount, amount + 1)),
                clamp(c.getBlue() + r.nextInt(-amount, amount + 1)));
    }

    static Color pick(SplittableRandom r, Color... cs) {
        return cs[r.nextInt(cs.length)];
    }

    static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    static Rectangle2D rect(double x, double y, double w, double h) {
        return new Rectangle2D.Double(x, y, w, h);
    }

    static Ellipse2D ellipse(double cx, double cy, double rx, double ry) {
        return new Ellipse2D.Double(cx - rx, cy - ry, 2 * rx, 2 * ry);
    }

    /** An irregular closed blob around (cx, cy): radii rx, ry, bumps by {@code rough} (0..1), smooth curves. */
    static Path2D blob(SplittableRandom r, double cx, double cy, double rx, double ry, double rough, int points) {
        double[] px = new double[points];
        double[] py = new double[points];
        double phase = r.nextDouble() * Math.PI * 2;
        for (int i = 0; i < points; i++) {
            double a = phase + i * 2 * Math.PI / points;
            double k = 1 - rough / 2 + rough * r.nextDouble();
            px[i] = cx + Math.cos(a) * rx * k;
            py[i] = cy + Math.sin(a) * ry * k;
        }
        Path2D p = new Path2D.Double();
        p.moveTo((px[points - 1] + px[0]) / 2, (py[points - 1] + py[0]) / 2);
        for (int i = 0; i < points; i++) {
            int n = (i + 1) % points;
            p.quadTo(px[i], py[i], (px[i] + px[n]) / 2, (py[i] + py[n]) / 2);
        }
        p.closePath();
        return p;
    }

    static Path2D poly(double... xy) {
        Path2D p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }
}
