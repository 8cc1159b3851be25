package io.gridwatch.geo;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolynomialProjectionTest {

    @Test
    void utmRoundTripsAndHasTheZonesFalseEasting() {
        double[] xy = Utm51N.forward(123.0, 39.0); // zone 51's central meridian
        assertThat(xy[0]).isCloseTo(500_000.0, org.assertj.core.data.Offset.offset(0.001));
        double[] back = Utm51N.inverse(xy[0], xy[1]);
        assertThat(back[0]).isCloseTo(123.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(back[1]).isCloseTo(39.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void fitMatchesTheExactProjectionToAMillimetreOnRandomPoints() {
        PolynomialProjection p = new PolynomialProjection(121.1, 38.7, 121.9, 39.2, 6, 0.001);
        Random r = new Random(3);
        double worst = 0;
        for (int i = 0; i < 5_000; i++) {
            double lon = 121.1 + r.nextDouble() * 0.8;
            double lat = 38.7 + r.nextDouble() * 0.5;
            double[] exact = Utm51N.forward(lon, lat);
            worst = Math.max(worst, Math.hypot(p.x(lon, lat) - exact[0], p.y(lon, lat) - exact[1]));
        }
        assertThat(worst).isLessThan(0.001);
        assertThat(p.maxErrorM()).isLessThan(0.001);
    }

    @Test
    void refusesAFitWorseThanItsTolerance() {
        assertThatThrownBy(() -> new PolynomialProjection(100, 20, 140, 50, 1, 0.001))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("off by");
    }
}
