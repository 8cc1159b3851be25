package io.gridwatch.camera;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A zone of a camera's image (监控区域): a polygon in image coordinates (0..1 of width and height, y down), what it is
 * watched for, and optionally when. Validated by {@link CameraFile}.
 *
 * @param polygon the vertices as given, each {@code [x, y]}, not closed
 */
public record CameraZone(String name, ZonePurpose purpose, List<ImagePoint> polygon, Optional<ZoneSchedule> schedule) {

    private static final GeometryFactory IMAGE_PLANE = new GeometryFactory();

    public CameraZone {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(purpose, "purpose");
        polygon = List.copyOf(polygon);
        Objects.requireNonNull(schedule, "schedule");
    }

    /** The polygon as a JTS geometry in image coordinates, closed. */
    public Polygon geometry() {
        Coordinate[] ring = new Coordinate[polygon.size() + 1];
        for (int i = 0; i < polygon.size(); i++) {
            ring[i] = new Coordinate(polygon.get(i).x(), polygon.get(i).y());
        }
        ring[polygon.size()] = ring[0];
        return IMAGE_PLANE.createPolygon(ring);
    }
}
