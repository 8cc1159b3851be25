package io.gridwatch.models;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DetectorConfigTest {

    @Test
    void theTypeFieldPicksTheBackendAndAbsentKeysTakeDefaults() {
        List<DetectorConfig> cs = Detectors.parse("""
                - type: cnn-tiles
                  threshold: 0.7
                - type: appear-and-stay
                  stay_seconds: 120
                - type: hog-people
                """);
        assertThat(cs).hasSize(3);
        assertThat(cs.get(0)).isEqualTo(new DetectorConfig.CnnTiles("committed", 0.7));
        assertThat(cs.get(1)).isInstanceOfSatisfying(DetectorConfig.AppearAndStay.class, a -> {
            assertThat(a.staySeconds()).isEqualTo(120.0);
            assertThat(a.historyFrames()).isEqualTo(1500);
        });
        assertThat(cs.get(2)).isInstanceOfSatisfying(DetectorConfig.HogPeople.class, h -> assertThat(h.upscale()).isEqualTo(3.0));
        try (Detector d = Detectors.create(cs.get(1))) {
            assertThat(d.type()).isEqualTo("appear-and-stay");
        }
    }

    @Test
    void unknownTypesKeysAndBadValuesAreErrorsThatNameThem() {
        assertThatThrownBy(() -> Detectors.parse("- type: yolo\n")).hasMessageContaining("yolo");
        assertThatThrownBy(() -> Detectors.parse("- type: cnn-tiles\n  treshold: 0.5\n")).hasMessageContaining("treshold");
        assertThatThrownBy(() -> Detectors.parse("- type: cnn-tiles\n  threshold: 1.5\n")).hasMessageContaining("threshold must be in 0..1");
    }
}
