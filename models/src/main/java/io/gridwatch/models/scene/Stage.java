package io.gridwatch.models.scene;

import io.gridwatch.models.scene.SceneRecipe.Light;
import io.gridwatch.models.scene.SceneRecipe.Setting;

import java.awt.Color;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fixed part of a camera view: a pole-mounted camera (height, tilt, heading), the setting's
 * ground areas and facades, the light, street lamps and windows. A video clip keeps one stage
 * for all its frames; only the items on it change.
 *
 * <p>Perspective: a ground point {@code X} metres to the side and {@code Z} metres ahead appears at
 * {@code u = vpx + f·X/Z}, {@code v = vh + f·h/Z}; so at image row {@code v} one metre spans
 * {@code (v − vh)/h} pixels across and a metre of depth {@code (v − vh)/f} times that.
 */
final class Stage {

    final int width;
    final int height;
    final Setting setting;
    final Light light;
    final boolean snow;
    /** focal length (px), camera height (m), horizon row, vanishing point column. */
    final double f;
    final double h;
    final double vh;
    final double vpx;
    /** ground X ranges (m): walkable areas (sidewalk, plaza) and the carriageway (null where none). */
    final double[] walk;
    final double[] road;
    final double[] walk2;
    final Color skyTop;
    final Color skyHorizon;
    final List<double[]> lamps = new ArrayList<>();      // {X, Z}
    final List<Rectangle2D> windows = new ArrayList<>(); // image rectangles, lit at night
    final long seed;

    Stage(long seed, SceneRecipe recipe, int width, int height) {
        this.seed = seed;
        this.width = width;
        this.height = height;
        SplittableRandom r = new SplittableRandom(seed);
        Setting[] settings = Setting.values();
        this.setting = recipe.setting() != null ? recipe.setting() : settings[r.nextInt(settings.length)];
        this.snow = recipe.snow();
        Light drawn = pickLight(r);
        Light l = recipe.light() != null ? recipe.light() : drawn;
        this.light = snow && l == Light.RAIN ? Light.FOG : l;
        this.f = 330 + r.nextDouble() * 60;
        this.h = 5.5 + r.nextDouble() * 2.5;
        this.vh = height * (0.14 + r.nextDouble() * 0.14);
        this.vpx = width * (0.35 + r.nextDouble() * 0.30);
        switch (setting) {
            case STREET -> {
                double c = -2.5 + r.nextDouble() * 5;
                double w = 7 + r.nextDouble() * 5;
                road = new double[] {c - w / 2, c + w / 2};
                walk = new double[] {road[0] - 3 - r.nextDouble() * 2.5, road[0]};
                walk2 = new double[] {road[1], road[1] + 3 + r.nextDouble() * 2.5};
            }
            case SIDEWALK -> {
                boolean left = r.nextBoolean();
                double ww = 6 + r.nextDouble() * 4;
                double off = -1.5 + r.nextDouble() * 3;
                if (left) {
                    walk = new double[] {off - ww / 2, off + ww / 2};
                    road = new double[] {walk[1], walk[1] + 8};
                } else {
                    walk = new double[] {off - ww / 2, off + ww / 2};
                    road = new double[] {walk[0] - 8, walk[0]};
                }
                walk2 = null;
            }
            default -> {
                walk = new double[] {-40, 40};
                road = null;
                walk2 = null;
            }
        }
        Color[] sky = skyColors(this.light, r);
        skyTop = sky[0];
        skyHorizon = sky[1];
        double z0 = nearZ();
        for (double z = z0 + r.nextDouble() * 8; z < 70; z += 14 + r.nextDouble() * 10) {
            if (road != null) {
                lamps.add(new double[] {road[0] - 0.4, z});
                if (setting == Setting.STREET && r.nextBoolean()) {
                    lamps.add(new double[] {road[1] + 0.4, z + 6});
                }
            } else {
                lamps.add(new double[] {-8 + r.nextDouble() * 16, z});
            }
        }
    }

    private static Light pickLight(SplittableRandom r) {
        int p = r.nextInt(100);
        return p < 40 ? Light.DAY : p < 55 ? Light.DUSK : p < 75 ? Light.NIGHT : p < 90 ? Light.RAIN : Light.FOG;
    }

    private static Color[] skyColors(Light light, SplittableRandom r) {
        int j = r.nextInt(20);
        return switch (light) {
            case DAY -> new Color[] {new Color(110 + j, 160 + j, 225), new Color(200, 215 + j / 2, 230)};
            case DUSK -> new Color[] {new Color(70, 80 + j, 140), new Color(235, 150 + j, 90)};
            case NIGHT -> new Color[] {new Color(14, 16, 30 + j), new Color(60 + j, 55, 60)};
            case RAIN -> new Color[] {new Color(120 + j, 125 + j, 130 + j), new Color(160 + j, 163 + j, 165 + j)};
            case FOG -> new Color[] {new Color(190 + j, 192 + j, 195 + j), new Color(205 + j, 207 + j, 208 + j)};
        };
    }

    /** Depth (m) of the bottom image row. */
    double nearZ() {
        return f * h / (height - vh);
    }

    double u(double x, double z) {
        return vpx + f * x / z;
    }

    double v(double y, double z) {
        return vh + f * (h - y) / z;
    }

    /** Ground depth (m) seen at image row v (below the horizon). */
    double zAtRow(double v) {
        return f * h / (v - vh);
    }

    /** Ground X (m) seen at pixel (u, v). */
    double xAt(double u, double v) {
        return (u - vpx) * zAtRow(v) / f;
    }

    /** Pixels per metre across, at image row v. */
    double scaleAt(double v) {
        return (v - vh) / h;
    }

    /** Foreshortening of ground depth at row v: a metre of depth spans this fraction of a metre across. */
    double tiltAt(double v) {
        return (v - vh) / f;
    }

    /** A ground quadrilateral X∈[x1,x2], Z∈[z1,z2]. */
    Path2D groundQuad(double x1, double x2, double z1, double z2) {
        Path2D p = new Path2D.Double();
        p.moveTo(u(x1, z1), v(0, z1));
        p.lineTo(u(x2, z1), v(0, z1));
        p.lineTo(u(x2, z2), v(0, z2));
        p.lineTo(u(x1, z2), v(0, z2));
        p.closePath();
        return p;
    }

    /** A vertical wall at X, Z∈[z1,z2], Y∈[y1,y2]. */
    Path2D wall(double x, double z1, double z2, double y1, double y2) {
        Path2D p = new Path2D.Double();
        p.moveTo(u(x, z1), v(y1, z1));
        p.lineTo(u(x, z2), v(y1, z2));
        p.lineTo(u(x, z2), v(y2, z2));
        p.lineTo(u(x, z1), v(y2, z1));
        p.closePath();
        return p;
    }

    /** A wall facing the camera at depth Z, X∈[x1,x2], Y∈[y1,y2]. */
    Path2D front(double x1, double x2, double z, double y1, double y2) {
        Path2D p = new Path2D.Double();
        p.moveTo(u(x1, z), v(y1, z));
        p.lineTo(u(x2, z), v(y1, z));
        p.lineTo(u(x2, z), v(y2, z));
        p.lineTo(u(x1, z), v(y2, z));
        p.closePath();
        return p;
    }

    /** Sky colour at an image row (negative rows: above the frame, as a reflection sees them). */
    Color skyAt(double row) {
        double t = Math.max(0, Math.min(1, (row + vh) / (2 * vh)));
        return Draw.mix(skyTop, skyHorizon, t);
    }
}
