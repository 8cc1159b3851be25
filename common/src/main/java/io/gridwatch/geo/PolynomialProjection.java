package io.gridwatch.geo;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.QRDecomposition;

import java.io.Serializable;

/**
 * A fast stand-in for {@link Utm51N#forward} inside one bounding box: two bivariate polynomials,
 * fitted by least squares to the exact projection and checked against it on a denser sample.
 *
 * <p>Why: the grid index answers millions of look-ups a second, and the exact transverse
 * Mercator costs several trigonometric calls per point. Over a city the projection is so smooth
 * that a polynomial of modest degree reproduces it to well under a millimetre; the constructor
 * measures the worst error and refuses to build if it exceeds the tolerance asked for.
 */
public final class PolynomialProjection implements Serializable {

    private static final long serialVersionUID = 1L;

    private final double minLon;
    private final double maxLon;
    private final double minLat;
    private final double maxLat;
    private final double cLon;
    private final double cLat;
    private final double sLon;
    private final double sLat;
    private final int degree;
    /** Coefficients by power j of v, then power i of u (i ≤ degree − j); evaluated with nested Horner. */
    private final double[] cx;
    private final double[] cy;
    private final double maxErrorM;

    /**
     * Fits the projection over {@code [minLon, maxLon] × [minLat, maxLat]}.
     *
     * @param toleranceM the largest error, in metres, accepted on the check sample
     * @throws IllegalStateException when the fit is worse than {@code toleranceM}
     */
    public PolynomialProjection(double minLon, double minLat, double maxLon, double maxLat, int degree, double toleranceM) {
        if (!(maxLon > minLon && maxLat > minLat)) {
            throw new IllegalArgumentException("empty bounding box");
        }
        if (degree < 1 || degree > 10) {
            throw new IllegalArgumentException("degree must be within 1..10");
        }
        this.minLon = minLon;
        this.maxLon = maxLon;
        this.minLat = minLat;
        this.maxLat = maxLat;
        this.cLon = (minLon + maxLon) / 2;
        this.cLat = (minLat + maxLat) / 2;
        this.sLon = 2 / (maxLon - minLon);
        this.sLat = 2 / (maxLat - minLat);
        this.degree = degree;

        int terms = (degree + 1) * (degree + 2) / 2;
        int n = 4 * degree + 9;
        double[][] a = new double[n * n][];
        double[] bx = new double[n * n];
        double[] by = new double[n * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                // Chebyshev nodes keep the fit's error even across the box, edges included
                double u = -Math.cos(Math.PI * (i + 0.5) / n);
                double v = -Math.cos(Math.PI * (j + 0.5) / n);
                double[] xy = Utm51N.forward(cLon + u / sLon, cLat + v / sLat);
                a[k] = monomials(u, v, terms);
                bx[k] = xy[0];
                by[k] = xy[1];
                k++;
            }
        }
        DecompositionSolver solver = new QRDecomposition(new Array2DRowRealMatrix(a, false)).getSolver();
        this.cx = solver.solve(new ArrayRealVector(bx, false)).toArray();
        this.cy = solver.solve(new ArrayRealVector(by, false)).toArray();

        double worst = 0;
        int m = 101;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double lon = minLon + (maxLon - minLon) * i / (m - 1);
                double lat = minLat + (maxLat - minLat) * j / (m - 1);
                double[] exact = Utm51N.forward(lon, lat);
                worst = Math.max(worst, Math.hypot(x(lon, lat) - exact[0], y(lon, lat) - exact[1]));
            }
        }
        this.maxErrorM = worst;
        if (!(worst <= toleranceM)) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "polynomial projection of degree %d is off by %.3g m over the box, more than the %.3g m allowed",
                    degree, worst, toleranceM));
        }
    }

    private double[] monomials(double u, double v, int terms) {
        double[] row = new double[terms];
        int t = 0;
        for (int j = 0; j <= degree; j++) {
            for (int i = 0; i <= degree - j; i++) {
                row[t++] = Math.pow(u, i) * Math.pow(v, j);
            }
        }
        return row;
    }

    public boolean contains(double lon, double lat) {
        return lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat;
    }

    /** Easting in metres; only meaningful inside the fitted box. */
    public double x(double lon, double lat) {
        return eval(cx, (lon - cLon) * sLon, (lat - cLat) * sLat);
    }

    /** Northing in metres; only meaningful inside the fitted box. */
    public double y(double lon, double lat) {
        return eval(cy, (lon - cLon) * sLon, (lat - cLat) * sLat);
    }

    private double eval(double[] c, double u, double v) {
        // c is ordered by power of v, then power of u; evaluate from the highest power of v down
        double result = 0;
        int end = c.length;
        for (int j = degree; j >= 0; j--) {
            int len = degree - j + 1;
            int start = end - len;
            double p = 0;
            for (int i = end - 1; i >= start; i--) {
                p = p * u + c[i];
            }
            result = result * v + p;
            end = start;
        }
        return result;
    }

    /** The worst error measured on the check sample, in metres. */
    public double maxErrorM() {
        return maxErrorM;
    }

    public int degree() {
        return degree;
    }
}
