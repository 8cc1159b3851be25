package io.gridwatch.geo;

import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Geometry;

/** A change of coordinates, point by point (a datum shift, a projection). */
@FunctionalInterface
public interface PointTransform {

    /** The transformed {@code (x, y)}: longitude/latitude or easting/northing, as the transform says. */
    double[] apply(double x, double y);

    /** A transformed copy of {@code g}; the original is left as it was. */
    default Geometry transform(Geometry g) {
        Geometry copy = g.copy();
        copy.apply(new CoordinateSequenceFilter() {
            @Override
            public void filter(CoordinateSequence seq, int i) {
                double[] xy = apply(seq.getX(i), seq.getY(i));
                seq.setOrdinate(i, 0, xy[0]);
                seq.setOrdinate(i, 1, xy[1]);
            }

            @Override
            public boolean isDone() {
                return false;
            }

            @Override
            public boolean isGeometryChanged() {
                return true;
            }
        });
        copy.geometryChanged();
        return copy;
    }
}
