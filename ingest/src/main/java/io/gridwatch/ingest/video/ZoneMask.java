package io.gridwatch.ingest.video;

import java.awt.geom.Path2D;
import java.util.List;

/**
 * Which cells of a small thumbnail lie inside a camera's zones (polygons in 0..1 image
 * coordinates, CONTRACTS §2). The change gate only looks there: a tree moving outside every zone
 * is no reason to analyse a frame.
 */
public final class ZoneMask {

    private final int width;
    private final int height;
    private final boolean[] inside;
    private final int count;

    private ZoneMask(int width, int height, boolean[] inside) {
        this.width = width;
        this.height = height;
        this.inside = inside;
        int n = 0;
        for (boolean b : inside) {
            n += b ? 1 : 0;
        }
        this.count = n;
    }

    /**
     * The cells of a {@code width}×{@code height} grid whose centre lies in one of {@code polygons};
     * no polygon means the whole picture. Each polygon is a list of [x, y] pairs in 0..1, at least three.
     */
    public static ZoneMask of(List<double[][]> polygons, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("mask size must be positive, was " + width + "x" + height);
        }
        boolean[] in = new boolean[width * height];
        if (polygons == null || polygons.isEmpty()) {
            java.util.Arrays.fill(in, true);
            return new ZoneMask(width, height, in);
        }
        for (int z = 0; z < polygons.size(); z++) {
            Path2D.Double path = polygon(polygons.get(z), z);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (path.contains((x + 0.5) / width, (y + 0.5) / height)) {
                        in[y * width + x] = true;
                    }
                }
            }
        }
        ZoneMask m = new ZoneMask(width, height, in);
        if (m.count == 0) {
            throw new IllegalArgumentException("zones cover no cell of the " + width + "x" + height + " change grid: polygons too small");
        }
        return m;
    }

    private static Path2D.Double polygon(double[][] pts, int index) {
        if (pts == null || pts.length < 3) {
            throw new IllegalArgumentException("zone polygon " + index + " needs at least 3 points");
        }
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < pts.length; i++) {
            double[] xy = pts[i];
            if (xy == null || xy.length != 2) {
                throw new IllegalArgumentException("zone polygon " + index + " point " + i + " must be [x, y]");
            }
            for (double v : xy) {
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("zone polygon " + index + " point " + i + " has coordinate " + v + " outside 0..1");
                }
            }
            if (i == 0) {
                p.moveTo(xy[0], xy[1]);
            } else {
                p.lineTo(xy[0], xy[1]);
            }
        }
        p.closePath();
        return p;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean inside(int x, int y) {
        return inside[y * width + x];
    }

    /** Number of cells inside the zones; never 0. */
    public int count() {
        return count;
    }
}
