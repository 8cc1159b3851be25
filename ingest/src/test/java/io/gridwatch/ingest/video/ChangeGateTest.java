package io.gridwatch.ingest.video;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The change gate's arithmetic on hand-made thumbnails (the decoding path is in CameraStreamTest). */
class ChangeGateTest {

    static final long S = 1_000_000; // microseconds
    static final List<double[][]> LEFT_HALF = List.<double[][]>of(new double[][]{{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}});

    @Test
    void onlyChangesInsideTheZonesPass() {
        ZoneMask mask = ZoneMask.of(LEFT_HALF, 8, 4);
        assertThat(mask.count()).isEqualTo(16);
        ChangeGate gate = new ChangeGate(mask, 0.02, Duration.ofSeconds(60));
        int[] grey = filled(100, 32);
        assertThat(gate.judge(grey, 0)).isEqualTo(ChangeGate.Verdict.FIRST);
        int[] rightChanged = filled(100, 32);
        for (int y = 0; y < 4; y++) {
            Arrays.fill(rightChanged, y * 8 + 4, y * 8 + 8, 255);
        }
        assertThat(gate.judge(rightChanged, 2 * S)).isEqualTo(ChangeGate.Verdict.UNCHANGED);
        int[] leftChanged = filled(100, 32);
        leftChanged[0] = 255; // one cell of 16 by 155 levels: 155 / 255 / 16 = 0.038
        assertThat(gate.difference(leftChanged)).isCloseTo(0.038, org.assertj.core.data.Offset.offset(0.001));
        assertThat(gate.judge(leftChanged, 4 * S)).isEqualTo(ChangeGate.Verdict.CHANGED);
    }

    @Test
    void aSmallThingSetDownInALargeZonePassesThoughTheMeanHardlyMoves() {
        // a 64×36 grid, the zone its left half (1,152 cells); a thing of 3×2 cells 60 levels darker moves the mean by 0.001
        ZoneMask mask = ZoneMask.of(LEFT_HALF, 64, 36);
        ChangeGate gate = new ChangeGate(mask, 0.02, Duration.ofSeconds(60));
        int[] street = filled(120, 64 * 36);
        gate.judge(street, 0);
        int[] noisy = street.clone();
        for (int i = 0; i < noisy.length; i += 7) {
            noisy[i] += (i % 2 == 0 ? 10 : -10); // codec noise and flicker below the cell threshold, everywhere
        }
        noisy[5 * 64 + 3] = 120 + 60; // and two cells of a bird: not enough
        noisy[9 * 64 + 20] = 120 - 60;
        assertThat(gate.judge(noisy, 2 * S)).isEqualTo(ChangeGate.Verdict.UNCHANGED);
        int[] bag = street.clone();
        for (int y = 20; y < 22; y++) {
            for (int x = 10; x < 13; x++) {
                bag[y * 64 + x] = 60;
            }
        }
        assertThat(gate.difference(bag)).isLessThan(0.002);
        assertThat(gate.changedCells(bag)).isEqualTo(6);
        assertThat(gate.judge(bag, 4 * S)).isEqualTo(ChangeGate.Verdict.CHANGED);
        int[] outside = street.clone(); // the same thing in the right half, outside every zone
        for (int y = 20; y < 24; y++) {
            for (int x = 40; x < 46; x++) {
                outside[y * 64 + x] = 60;
            }
        }
        gate = new ChangeGate(mask, 0.02, Duration.ofSeconds(60));
        gate.judge(street, 0);
        assertThat(gate.judge(outside, 2 * S)).isEqualTo(ChangeGate.Verdict.UNCHANGED);
    }

    @Test
    void aSlowChangeAddsUpAgainstTheLastFrameLetThrough() {
        ChangeGate gate = new ChangeGate(ZoneMask.of(List.of(), 4, 4), 0.02, Duration.ofSeconds(600));
        gate.judge(filled(100, 16), 0);
        // +2 levels a sample is 0.008 of full scale: below the threshold each time, but it adds up
        int passed = 0;
        for (int i = 1; i <= 6; i++) {
            if (gate.judge(filled(100 + 2 * i, 16), i * 2 * S).pass()) {
                passed = i;
                break;
            }
        }
        assertThat(passed).isEqualTo(3); // 6 levels = 0.0235 ≥ 0.02
    }

    @Test
    void theHeartbeatLetsAStillPictureThrough() {
        ChangeGate gate = new ChangeGate(ZoneMask.of(List.of(), 4, 4), 0.02, Duration.ofSeconds(60));
        gate.judge(filled(50, 16), 0);
        assertThat(gate.judge(filled(50, 16), 58 * S)).isEqualTo(ChangeGate.Verdict.UNCHANGED);
        assertThat(gate.judge(filled(50, 16), 60 * S)).isEqualTo(ChangeGate.Verdict.HEARTBEAT);
        assertThat(gate.judge(filled(50, 16), 62 * S)).isEqualTo(ChangeGate.Verdict.UNCHANGED);
    }

    @Test
    void badZonesAndSettingsSayWhatIsWrong() {
        assertThatThrownBy(() -> ZoneMask.of(List.<double[][]>of(new double[][]{{0, 0}, {1, 1}}), 8, 8))
                .hasMessageContaining("zone polygon 0 needs at least 3 points");
        assertThatThrownBy(() -> ZoneMask.of(List.<double[][]>of(new double[][]{{0, 0}, {1, 0}, {1, -0.1}}), 8, 8))
                .hasMessageContaining("point 2 has coordinate -0.1 outside 0..1");
        assertThatThrownBy(() -> ZoneMask.of(List.<double[][]>of(new double[][]{{0.5, 0.5}, {0.51, 0.5}, {0.51, 0.51}}), 8, 8))
                .hasMessageContaining("zones cover no cell");
        assertThatThrownBy(() -> new ChangeGate(ZoneMask.of(List.of(), 4, 4), 1.5, Duration.ofSeconds(60)))
                .hasMessageContaining("change threshold must be in (0, 1), was 1.5");
        assertThatThrownBy(() -> StreamSettings.DEFAULTS.withRtspTransport("http"))
                .hasMessageContaining("rtsp_transport must be tcp or udp, was 'http'");
        assertThatThrownBy(() -> StreamSettings.DEFAULTS.withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .hasMessageContaining("backoff_max PT1S is shorter than backoff_min PT10S");
    }

    @Test
    void streamUrlsAreRecognised() {
        assertThat(StreamSource.parse("rtsp://127.0.0.1:8554/cam1").kind()).isEqualTo(StreamSource.Kind.RTSP);
        assertThat(StreamSource.parse("https://cams.example/live.m3u8").kind()).isEqualTo(StreamSource.Kind.HTTP);
        assertThat(StreamSource.parse("udp://239.0.0.1:1234").kind()).isEqualTo(StreamSource.Kind.UDP_MPEGTS);
        assertThat(StreamSource.parse("tcp://127.0.0.1:8555").kind()).isEqualTo(StreamSource.Kind.TCP_MPEGTS);
        assertThat(StreamSource.parse("tcp://127.0.0.1:8555").options("tcp", 5_000_000)).containsEntry("rw_timeout", "5000000");
        assertThat(StreamSource.parse("rtsp://h/x").options("udp", 1)).containsEntry("rtsp_transport", "udp");
        assertThatThrownBy(() -> StreamSource.parse("tcp://127.0.0.1")).hasMessageContaining("has no port");
        assertThatThrownBy(() -> StreamSource.parse(" ")).hasMessageContaining("camera url is empty");
    }

    private static int[] filled(int v, int cells) {
        int[] a = new int[cells];
        Arrays.fill(a, v);
        return a;
    }
}
