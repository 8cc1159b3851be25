package io.gridwatch.camera;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularValueDecomposition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A camera's ground calibration: the plane homography from image coordinates (0..1) to the ground, fitted to
 * {@link #MIN_POINTS} or more {@link CalibrationPoint}s by the direct linear transform, least squares.
 *
 * <p>The fit works in metres east and north of the points' centroid, scaled to unit size, so that the linear system is
 * well conditioned whatever the city's longitude; an equirectangular projection is exact to millimetres over the
 * hundred metres a camera sees.
 */
public final class Calibration {

    public static final int MIN_POINTS = 4;
    /** Enough for any careful survey; bounds the search for 4 points in general position. */
    public static final int MAX_POINTS = 64;
    /** Above this condition number the points do not pin down a homography (three on a line, or all on one). */
    static final double MAX_CONDITION = 1e7;
    /** How far a point may lie from the fitted plane before the calibration is called inconsistent. */
    public static final double MAX_RESIDUAL_M = 2.0;

    private static final double M_PER_DEG_LAT = 111_320.0;

    private final List<CalibrationPoint> points;
    private final double lon0;
    private final double lat0;
    private final double mPerDegLon;
    private final double scaleM;
    private final double[] h;
    /** The sign of the homography's denominator on the ground side of the horizon, where the calibration points are. */
    private final double groundSide;

    private Calibration(List<CalibrationPoint> points, double lon0, double lat0, double scaleM, double[] h) {
        this.points = List.copyOf(points);
        this.lon0 = lon0;
        this.lat0 = lat0;
        this.mPerDegLon = M_PER_DEG_LAT * Math.cos(Math.toRadians(lat0));
        this.scaleM = scaleM;
        this.h = h;
        this.groundSide = h == null ? 0 : Math.signum(denominator(points.get(0).image()));
    }

    private double denominator(ImagePoint p) {
        return h[6] * p.x() + h[7] * p.y() + h[8];
    }

    /**
     * Fits the homography.
     *
     * @throws IllegalArgumentException saying why the points do not make a calibration
     */
    public static Calibration fit(List<CalibrationPoint> points) {
        if (points.size() < MIN_POINTS) {
            throw new IllegalArgumentException("needs at least " + MIN_POINTS + " points, got " + points.size());
        }
        if (points.size() > MAX_POINTS) {
            throw new IllegalArgumentException("takes at most " + MAX_POINTS + " points, got " + points.size());
        }
        double lon0 = points.stream().mapToDouble(p -> p.ground().lon()).average().orElseThrow();
        double lat0 = points.stream().mapToDouble(p -> p.ground().lat()).average().orElseThrow();
        Calibration frame = new Calibration(points, lon0, lat0, 1, null);
        double scale = 0;
        for (CalibrationPoint p : points) {
            double[] m = frame.toMetres(p.ground());
            scale = Math.max(scale, Math.hypot(m[0], m[1]));
        }
        if (scale < 0.5) {
            throw new IllegalArgumentException("the ground points lie within " + fmt(scale) + " m of each other; they must span the area the camera sees");
        }
        int n = points.size();
        double[][] img = new double[n][];
        double[][] gnd = new double[n][];
        for (int i = 0; i < n; i++) {
            img[i] = new double[]{points.get(i).image().x(), points.get(i).image().y()};
            gnd[i] = frame.toMetres(points.get(i).ground());
        }
        if (!inGeneralPosition(img) || !inGeneralPosition(gnd)) {
            throw degenerate();
        }
        double[][] a = new double[2 * n][8];
        double[] b = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double x = points.get(i).image().x();
            double y = points.get(i).image().y();
            double[] g = frame.toMetres(points.get(i).ground());
            double gx = g[0] / scale;
            double gy = g[1] / scale;
            a[2 * i] = new double[]{x, y, 1, 0, 0, 0, -x * gx, -y * gx};
            b[2 * i] = gx;
            a[2 * i + 1] = new double[]{0, 0, 0, x, y, 1, -x * gy, -y * gy};
            b[2 * i + 1] = gy;
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(a, false));
        if (!(svd.getConditionNumber() < MAX_CONDITION)) {
            throw degenerate();
        }
        RealVector sol = svd.getSolver().solve(new ArrayRealVector(b, false));
        double[] h = new double[9];
        for (int i = 0; i < 8; i++) {
            h[i] = sol.getEntry(i);
        }
        h[8] = 1;
        Calibration c = new Calibration(points, lon0, lat0, scale, h);
        List<String> far = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CalibrationPoint p = points.get(i);
            double d = c.distanceM(c.project(p.image()), p.ground());
            if (!(d <= MAX_RESIDUAL_M)) {
                far.add("point " + i + " lies " + fmt(d) + " m from where the others put it");
            }
        }
        if (!far.isEmpty()) {
            throw new IllegalArgumentException("the points disagree (more than " + fmt(MAX_RESIDUAL_M) + " m): "
                    + String.join("; ", far) + "; check that each image point and ground point are the same spot");
        }
        for (CalibrationPoint p : points) {
            if (Math.signum(c.denominator(p.image())) != c.groundSide) {
                // the fitted plane puts some points behind the camera: no real ground plane looks like this
                throw new IllegalArgumentException("the points are not a view of one ground plane: the fitted horizon runs between them; "
                        + "check that each image point and ground point are the same spot");
            }
        }
        return c;
    }

    private static IllegalArgumentException degenerate() {
        return new IllegalArgumentException("the points are degenerate: there are no 4 of them, in the image and on the ground, "
                + "with no three on one line, so they do not fix the ground plane; pick points spread over the image");
    }

    /** Whether some 4 of the points have no three on a line: what a homography needs to be determined. */
    private static boolean inGeneralPosition(double[][] p) {
        int n = p.length;
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                for (int c = b + 1; c < n; c++) {
                    if (collinear(p[a], p[b], p[c])) {
                        continue;
                    }
                    for (int d = c + 1; d < n; d++) {
                        if (!collinear(p[a], p[b], p[d]) && !collinear(p[a], p[c], p[d]) && !collinear(p[b], p[c], p[d])) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /** Three points whose triangle is a sliver: its height under 2 % of its longest side. */
    private static boolean collinear(double[] a, double[] b, double[] c) {
        double cross = Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
        double longest = Math.max(Math.hypot(b[0] - a[0], b[1] - a[1]),
                Math.max(Math.hypot(c[0] - a[0], c[1] - a[1]), Math.hypot(c[0] - b[0], c[1] - b[1])));
        return longest == 0 || cross / longest < 0.02 * longest;
    }

    public List<CalibrationPoint> points() {
        return points;
    }

    /**
     * Where a point of the image lies on the ground.
     *
     * @throws IllegalArgumentException for a point on or above the horizon (sky, façades), which has no ground point
     */
    public GroundPoint groundPoint(ImagePoint image) {
        double w = denominator(image);
        if (Math.abs(w) < 1e-9 || Math.signum(w) != groundSide) {
            throw new IllegalArgumentException("image point " + image + " lies on or above the horizon of the calibrated ground plane");
        }
        return project(image);
    }

    /** The homography itself, either side of the horizon. */
    private GroundPoint project(ImagePoint image) {
        double x = image.x();
        double y = image.y();
        double w = denominator(image);
        double ex = (h[0] * x + h[1] * y + h[2]) / w * scaleM;
        double ny = (h[3] * x + h[4] * y + h[5]) / w * scaleM;
        return new GroundPoint(lon0 + ex / mPerDegLon, lat0 + ny / M_PER_DEG_LAT);
    }

    /** Distance in metres between two nearby ground points (equirectangular, as the fit). */
    public double distanceM(GroundPoint a, GroundPoint b) {
        return Math.hypot((a.lon() - b.lon()) * mPerDegLon, (a.lat() - b.lat()) * M_PER_DEG_LAT);
    }

    private double[] toMetres(GroundPoint g) {
        return new double[]{(g.lon() - lon0) * mPerDegLon, (g.lat() - lat0) * M_PER_DEG_LAT};
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Calibration c && c.points.equals(points);
    }

    @Override
    public int hashCode() {
        return points.hashCode();
    }

    @Override
    public String toString() {
        return "Calibration" + points;
    }
}
