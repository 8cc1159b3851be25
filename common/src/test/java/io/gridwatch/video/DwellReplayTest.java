package io.gridwatch.video;

import io.gridwatch.detection.Detection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DwellReplayTest {

    static final long T0 = 1_785_211_200_000L;

    /** A stall seen from minute 2 to minute 9 (a frame every 10 s) in zone plaza of cam-1. */
    static List<Observation> recorded() {
        List<Observation> out = new ArrayList<>();
        for (int k = 0; k < 80; k++) {
            boolean stall = k >= 12 && k < 54;
            out.add(new Observation(1, "cam-1", "plaza", "no_vending", WatchedObject.STALL, T0 + k * 10_000L, stall ? 0.95 : 0.1,
                    stall ? new double[] {0.3, 0.5, 0.5, 0.8} : null, stall ? 121.6431 : null, stall ? 38.9152 : null,
                    stall ? "210202001001001" : null, stall ? "210202" : null));
        }
        return out;
    }

    @Test
    void theDefaultWaitsTenMinutesAShorterCandidateRaisesAndEnds() {
        assertThat(DwellReplay.replay(recorded(), DwellRules.defaults())).isEmpty(); // seven minutes < the default 10
        DwellRules candidate = DwellRules.defaults().apply("stall.cam-1", "{\"schema\":1,\"rule_id\":\"stall.cam-1\",\"family\":\"dwell.stall\","
                + "\"kind\":\"dwell\",\"scope\":{\"camera\":\"cam-1\"},\"object\":\"stall\",\"category\":{\"kind\":\"event\",\"code\":\"0501\"},"
                + "\"stay_s\":300,\"max_gap_s\":60,\"clear_s\":60,\"min_score\":0.6}").rules();
        List<Detection> out = DwellReplay.replay(recorded(), candidate);
        assertThat(out).extracting(d -> d.state().id()).containsExactly("raised", "cleared");
        assertThat(out.get(0).ts() - out.get(0).startedAt()).isEqualTo(300_000);
        assertThat(out.get(1).gridCode()).isEqualTo("210202001001001");
    }
}
