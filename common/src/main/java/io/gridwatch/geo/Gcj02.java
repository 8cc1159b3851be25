package io.gridwatch.geo;

/**
 * GCJ-02 (国测局坐标, the offset datum of Chinese web maps) ⇄ WGS-84.
 *
 * <p>The forward transform (WGS-84 → GCJ-02) is the published obfuscation formula on the
 * Krasovsky ellipsoid. It has no closed-form inverse, so {@link #toWgs84} inverts it by fixed-point
 * iteration until the forward transform of the result reproduces the input to within
 * {@value #INVERSE_TOLERANCE_DEG} degrees (about a millimetre).
 */
public final class Gcj02 {

    /** Semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02. */
    private static final double A = 6378245.0;
    /** First eccentricity squared of that ellipsoid. */
    private static final double EE = 0.00669342162296594323;
    static final double INVERSE_TOLERANCE_DEG = 1e-8;
    private static final int MAX_ITERATIONS = 30;

    private Gcj02() {
    }

    /** Outside mainland China the offset is not applied (the formula's own rule). */
    public static boolean outsideChina(double lon, double lat) {
        return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
    }

    /** WGS-84 → GCJ-02. */
    public static LonLat fromWgs84(LonLat wgs) {
        double[] d = offset(wgs.lon(), wgs.lat());
        return new LonLat(wgs.lon() + d[0], wgs.lat() + d[1]);
    }

    /** GCJ-02 → WGS-84, inverting {@link #fromWgs84} by iteration. */
    public static LonLat toWgs84(LonLat gcj) {
        double lon = gcj.lon();
        double lat = gcj.lat();
        for (int i = 0; i < MAX_ITERATIONS; i++) {
            double[] d = offset(lon, lat);
            double dLon = lon + d[0] - gcj.lon();
            double dLat = lat + d[1] - gcj.lat();
            lon -= dLon;
            lat -= dLat;
            if (Math.abs(dLon) < INVERSE_TOLERANCE_DEG && Math.abs(dLat) < INVERSE_TOLERANCE_DEG) {
                break;
            }
        }
        return new LonLat(lon, lat);
    }

    /** The GCJ-02 offset (degrees) at a WGS-84 position. */
    private static double[] offset(double lon, double lat) {
        if (outsideChina(lon, lat)) {
            return new double[] {0, 0};
        }
        double x = lon - 105.0;
        double y = lat - 35.0;
        double dLat = transformLat(x, y);
        double dLon = transformLon(x, y);
        double radLat = Math.toRadians(lat);
        double magic = Math.sin(radLat);
        magic = 1 - EE * magic * magic;
        double sqrtMagic = Math.sqrt(magic);
        dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
        dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
        return new double[] {dLon, dLat};
    }

    private static double transformLat(double x, double y) {
        double ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
        ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        ret += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
        ret += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
        return ret;
    }

    private static double transformLon(double x, double y) {
        double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
        ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        ret += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
        ret += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
        return ret;
    }
}
