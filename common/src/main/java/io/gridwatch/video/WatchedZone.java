package io.gridwatch.video;

import io.gridwatch.camera.CameraZone;
import io.gridwatch.camera.ImagePoint;
import io.gridwatch.camera.ZonePurpose;

import java.util.List;

/**
 * A camera zone as the video job uses it: its name, purpose and schedule, and which tiles of the working frame lie in
 * it (a tile belongs to the zone its centre is in). Derived from {@link CameraZone} and a frame's tile layout, not kept
 * in state.
 */
public record WatchedZone(CameraZone zone, boolean[] tiles) {

    public String name() {
        return zone.name();
    }

    public ZonePurpose purpose() {
        return zone.purpose();
    }

    /** Whether the zone is watched at {@code ts} (its schedule; none = always). */
    public boolean activeAt(long ts) {
        return zone.schedule().map(s -> s.isActive(java.time.Instant.ofEpochMilli(ts))).orElse(true);
    }

    /** The zone over the tiles of {@code frame}. */
    public static WatchedZone of(CameraZone zone, TileFrame frame) {
        boolean[] in = new boolean[frame.tiles()];
        for (int i = 0; i < in.length; i++) {
            double[] c = frame.centre(i);
            in[i] = contains(zone.polygon(), c[0], c[1]);
        }
        return new WatchedZone(zone, in);
    }

    /** Even–odd ray casting; the zone polygons are small. */
    static boolean contains(List<ImagePoint> polygon, double x, double y) {
        boolean inside = false;
        for (int i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
            ImagePoint a = polygon.get(i);
            ImagePoint b = polygon.get(j);
            if ((a.y() > y) != (b.y() > y) && x < (b.x() - a.x()) * (y - a.y()) / (b.y() - a.y()) + a.x()) {
                inside = !inside;
            }
        }
        return inside;
    }
}
