package io.gridwatch.camera;

/** A point on the ground in WGS-84 degrees. */
public record GroundPoint(double lon, double lat) {
}
