package io.gridwatch.geo;

import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateReferenceSystem;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * The metric projection of gridwatch: UTM zone 51 north on WGS-84 (EPSG:32651), which covers
 * Dalian. Areas and distances, and the unit-grid lattice, live in these metres.
 *
 * <p>proj4j's transforms keep scratch state, so each thread gets its own pair.
 */
public final class Utm51N {

    public static final String EPSG = "EPSG:32651";
    private static final String UTM = "+proj=utm +zone=51 +datum=WGS84 +units=m +no_defs";
    private static final String WGS84 = "+proj=longlat +datum=WGS84 +no_defs";

    private static final ThreadLocal<CoordinateTransform[]> TRANSFORMS = ThreadLocal.withInitial(() -> {
        CRSFactory crs = new CRSFactory();
        CoordinateReferenceSystem utm = crs.createFromParameters("UTM51N", UTM);
        CoordinateReferenceSystem wgs = crs.createFromParameters("WGS84", WGS84);
        CoordinateTransformFactory f = new CoordinateTransformFactory();
        return new CoordinateTransform[] {f.createTransform(wgs, utm), f.createTransform(utm, wgs)};
    });

    private Utm51N() {
    }

    /** WGS-84 lon/lat → easting, northing in metres. */
    public static double[] forward(double lon, double lat) {
        ProjCoordinate out = new ProjCoordinate();
        TRANSFORMS.get()[0].transform(new ProjCoordinate(lon, lat), out);
        return new double[] {out.x, out.y};
    }

    /** Easting, northing in metres → WGS-84 lon/lat. */
    public static double[] inverse(double x, double y) {
        ProjCoordinate out = new ProjCoordinate();
        TRANSFORMS.get()[1].transform(new ProjCoordinate(x, y), out);
        return new double[] {out.x, out.y};
    }
}
