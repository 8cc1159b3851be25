package io.gridwatch.geo;

/**
 * A position as longitude and latitude in degrees. Which datum (WGS-84 inside the system,
 * GCJ-02 at the edges) is said by the code that holds it.
 */
public record LonLat(double lon, double lat) {

    public LonLat {
        if (!Double.isFinite(lon) || lon < -180 || lon > 180) {
            throw new IllegalArgumentException("longitude must be a number within -180..180, got " + lon);
        }
        if (!Double.isFinite(lat) || lat < -90 || lat > 90) {
            throw new IllegalArgumentException("latitude must be a number within -90..90, got " + lat);
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.6f,%.6f", lon, lat);
    }
}
