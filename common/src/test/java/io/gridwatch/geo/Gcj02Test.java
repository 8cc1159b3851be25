package io.gridwatch.geo;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Gcj02Test {

    /** Metres between two lon/lat points, good enough at city scale. */
    static double metres(LonLat a, LonLat b) {
        double dy = (a.lat() - b.lat()) * 111_320;
        double dx = (a.lon() - b.lon()) * 111_320 * Math.cos(Math.toRadians(a.lat()));
        return Math.hypot(dx, dy);
    }

    @Test
    void inverseAgreesWithForwardToWellUnderHalfAMetreAcrossDalian() {
        Random r = new Random(7);
        double worst = 0;
        for (int i = 0; i < 10_000; i++) {
            LonLat gcj = new LonLat(121.0 + r.nextDouble() * 1.0, 38.7 + r.nextDouble() * 0.5);
            LonLat wgs = Gcj02.toWgs84(gcj);
            worst = Math.max(worst, metres(Gcj02.fromWgs84(wgs), gcj));
        }
        assertThat(worst).isLessThan(0.5).isLessThan(0.01);
    }

    @Test
    void offsetInDalianIsHundredsOfMetresAsTheDatumIntends() {
        LonLat wgs = new LonLat(121.6431, 38.9152);
        double offset = metres(wgs, Gcj02.fromWgs84(wgs));
        assertThat(offset).isBetween(100.0, 1000.0);
        // the offset in Dalian points north-east: GCJ-02 longitudes and latitudes are larger
        assertThat(Gcj02.fromWgs84(wgs).lon()).isGreaterThan(wgs.lon());
    }

    @Test
    void outsideChinaNothingMoves() {
        LonLat tokyo = new LonLat(139.69, 35.69);
        assertThat(Gcj02.fromWgs84(tokyo)).isEqualTo(tokyo);
        assertThat(Gcj02.toWgs84(tokyo)).isEqualTo(tokyo);
    }

    @Test
    void coordinatesOutOfRangeAreRejectedWithTheReason() {
        assertThatThrownBy(() -> new LonLat(200, 38)).hasMessageContaining("longitude").hasMessageContaining("200");
        assertThatThrownBy(() -> new LonLat(121, -91)).hasMessageContaining("latitude");
        assertThatThrownBy(() -> new LonLat(Double.NaN, 38)).hasMessageContaining("longitude");
    }
}
