package io.gridwatch.camera;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CalibrationTest {

    /** A trapezoid on the ground seen in perspective: the image's bottom corners are near, its top corners far. */
    static final List<CalibrationPoint> CORNERS = List.of(
            point(0, 1, 121.64290, 38.91500),
            point(1, 1, 121.64335, 38.91502),
            point(1, 0, 121.64360, 38.91580),
            point(0, 0, 121.64260, 38.91578));

    static CalibrationPoint point(double x, double y, double lon, double lat) {
        return new CalibrationPoint(new ImagePoint(x, y), new GroundPoint(lon, lat));
    }

    /** Great-circle distance, independent of the projection the fit uses. */
    static double haversineM(GroundPoint a, GroundPoint b) {
        double r = 6_371_008.8;
        double dLat = Math.toRadians(b.lat() - a.lat());
        double dLon = Math.toRadians(b.lon() - a.lon());
        double h = Math.pow(Math.sin(dLat / 2), 2)
                + Math.cos(Math.toRadians(a.lat())) * Math.cos(Math.toRadians(b.lat())) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * r * Math.asin(Math.sqrt(h));
    }

    @Test
    void imageCornersMapToTheirGroundPointsWithinTenCentimetres() {
        Calibration c = Calibration.fit(CORNERS);
        for (CalibrationPoint p : CORNERS) {
            assertThat(haversineM(c.groundPoint(p.image()), p.ground())).as("%s", p).isLessThan(0.1);
        }
    }

    @Test
    void aPerspectiveMapIsNotAffine() {
        Calibration c = Calibration.fit(CORNERS);
        // the image's centre is nearer the camera than the ground quadrilateral's centre: perspective foreshortening
        GroundPoint centre = c.groundPoint(new ImagePoint(0.5, 0.5));
        double midLat = CORNERS.stream().mapToDouble(p -> p.ground().lat()).average().orElseThrow();
        assertThat(centre.lat()).isNotCloseTo(midLat, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(centre.lat()).isBetween(38.91500, 38.91580);
    }

    @Test
    void aPointAboveTheHorizonHasNoGroundPoint() {
        // ground seen from low down: the far edge (image y 0.5) is much narrower than the near one, so the horizon is in view
        Calibration c = Calibration.fit(List.of(
                point(0.0, 1.0, 121.64290, 38.91500),
                point(1.0, 1.0, 121.64310, 38.91500),
                point(0.6, 0.5, 121.64310, 38.91600),
                point(0.4, 0.5, 121.64290, 38.91600)));
        assertThat(c.groundPoint(new ImagePoint(0.5, 0.45)).lat()).isGreaterThan(38.91600);
        assertThatThrownBy(() -> c.groundPoint(new ImagePoint(0.5, 0.1))).hasMessageContaining("horizon");
    }

    @Test
    void fiveConsistentPointsFitByLeastSquares() {
        Calibration exact = Calibration.fit(CORNERS);
        ImagePoint mid = new ImagePoint(0.4, 0.7);
        GroundPoint g = exact.groundPoint(mid);
        List<CalibrationPoint> five = new java.util.ArrayList<>(CORNERS);
        five.add(new CalibrationPoint(mid, new GroundPoint(g.lon() + 0.000002, g.lat()))); // 17 cm of clicking error
        Calibration c = Calibration.fit(five);
        for (CalibrationPoint p : CORNERS) {
            assertThat(haversineM(c.groundPoint(p.image()), p.ground())).isLessThan(0.5);
        }
    }

    @Test
    void threeImagePointsOnALineAreDegenerate() {
        List<CalibrationPoint> collinear = List.of(
                point(0.1, 0.9, 121.64290, 38.91500),
                point(0.5, 0.9, 121.64310, 38.91501),
                point(0.9, 0.9, 121.64335, 38.91502),
                point(0.5, 0.4, 121.64310, 38.91560));
        assertThatThrownBy(() -> Calibration.fit(collinear)).hasMessageContaining("degenerate");
    }

    @Test
    void groundPointsOnOneLineAreDegenerate() {
        List<CalibrationPoint> kerb = List.of(
                point(0, 1, 121.64290, 38.91500),
                point(1, 1, 121.64300, 38.91510),
                point(1, 0, 121.64310, 38.91520),
                point(0, 0, 121.64320, 38.91530));
        assertThatThrownBy(() -> Calibration.fit(kerb)).hasMessageContaining("degenerate");
    }

    @Test
    void aPointThatDisagreesIsNamed() {
        List<CalibrationPoint> five = new java.util.ArrayList<>(CORNERS);
        five.add(point(0.5, 0.5, 121.64400, 38.91600)); // some 60 m off
        assertThatThrownBy(() -> Calibration.fit(five)).hasMessageContaining("disagree").hasMessageContaining("point 4");
    }

    @Test
    void groundPointsInCrossedOrderAreNoViewOfAPlane() {
        // the two far ground points swapped: a mix-up when clicking, which no camera can see
        List<CalibrationPoint> crossed = List.of(CORNERS.get(0), CORNERS.get(1),
                new CalibrationPoint(CORNERS.get(2).image(), CORNERS.get(3).ground()),
                new CalibrationPoint(CORNERS.get(3).image(), CORNERS.get(2).ground()));
        assertThatThrownBy(() -> Calibration.fit(crossed)).hasMessageContaining("not a view of one ground plane");
    }

    @Test
    void fewerThanFourPointsAreRefused() {
        assertThatThrownBy(() -> Calibration.fit(CORNERS.subList(0, 3))).hasMessageContaining("at least 4 points");
    }
}
