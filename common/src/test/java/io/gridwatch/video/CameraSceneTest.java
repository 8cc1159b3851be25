package io.gridwatch.video;

import io.gridwatch.camera.CameraZone;
import io.gridwatch.camera.ImagePoint;
import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.detection.Detection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Appear-and-stay and the scene baseline on tile frames made here (the video job's tests use real decoded video). */
class CameraSceneTest {

    static final long T0 = 1_785_211_200_000L; // noon in Dalian
    static final long STEP = 10_000;
    /** 320×240: 9 × 7 tiles of 64 with a stride of 32. */
    static final int COLS = 9;
    static final int ROWS = 7;
    static final int STALL_TILE = 4 * COLS + 4;
    static final DwellRules RULES = DwellRules.defaults().apply("stall.cam", "{\"schema\":1,\"rule_id\":\"stall.cam\",\"family\":\"dwell.stall\","
            + "\"kind\":\"dwell\",\"scope\":{\"camera\":\"cam\"},\"object\":\"stall\",\"category\":{\"kind\":\"event\",\"code\":\"0501\"},"
            + "\"stay_s\":60,\"max_gap_s\":30,\"clear_s\":60,\"min_score\":0.6,\"latest_every_s\":120}").rules();
    static final byte[][] SCENE = new byte[COLS * ROWS][];

    static {
        Random r = new Random(7);
        for (int i = 0; i < SCENE.length; i++) {
            SCENE[i] = new byte[TileFrame.THUMB * TileFrame.THUMB];
            for (int p = 0; p < SCENE[i].length; p++) {
                SCENE[i][p] = (byte) (60 + r.nextInt(120));
            }
        }
    }

    final List<String> stored = new ArrayList<>();
    final ZoneTracker.Pictures pictures = (role, box) -> {
        stored.add(role);
        return Detection.Evidence.frame("file:///evidence/" + role + "-" + stored.size() + ".jpg", 0, box, "ab".repeat(32));
    };
    final ZoneTracker.Placement placement = box -> new ZoneTracker.Place(121.6431, 38.9152, "210202001001001", "210202");
    final List<WatchedZone> zones = new ArrayList<>();
    CameraScene scene = new CameraScene();

    /** A frame: {@code stall} scores of tiles, {@code changed} tiles look different from the scene, {@code light} shifts all. */
    static TileFrame frame(long ts, Map<Integer, Double> stall, Set<Integer> changed, int light) {
        int n = COLS * ROWS;
        int[] xs = new int[n];
        int[] ys = new int[n];
        byte[][] thumbs = new byte[n][];
        float[][] scores = new float[n][WatchedObject.values().length];
        for (int i = 0; i < n; i++) {
            xs[i] = (i % COLS) * 32;
            ys[i] = (i / COLS) * 32;
            thumbs[i] = SCENE[i].clone();
            for (int p = 0; p < thumbs[i].length; p++) {
                int v = (thumbs[i][p] & 0xFF) + light + (changed.contains(i) && p % 2 == 0 ? 60 : 0);
                thumbs[i][p] = (byte) Math.max(0, Math.min(255, v));
            }
            scores[i][WatchedObject.STALL.ordinal()] = stall.getOrDefault(i, 0.02).floatValue();
        }
        return new TileFrame(ts, 320, 240, 64, xs, ys, thumbs, scores);
    }

    List<Detection> step(TileFrame f) {
        if (zones.isEmpty()) {
            CameraZone z = new CameraZone("plaza", ZonePurpose.NO_VENDING, List.of(new ImagePoint(0, 0.3), new ImagePoint(1, 0.3),
                    new ImagePoint(1, 1), new ImagePoint(0, 1)), Optional.empty());
            zones.add(WatchedZone.of(z, f));
        }
        return scene.onFrame("cam", f, zones, RULES, pictures, placement).detections();
    }

    /** Runs frames {@code from..to} (exclusive) of a script: a stall at STALL_TILE when {@code stallAt} says so. */
    List<Detection> run(int from, int to, java.util.function.IntPredicate stallAt, double staticScore) {
        List<Detection> out = new ArrayList<>();
        for (int k = from; k < to; k++) {
            boolean s = stallAt.test(k);
            Map<Integer, Double> scores = s ? Map.of(STALL_TILE, 0.97) : staticScore > 0 ? Map.of(STALL_TILE, staticScore) : Map.of();
            out.addAll(step(frame(T0 + k * STEP, scores, s ? Set.of(STALL_TILE) : Set.of(), 0)));
        }
        return out;
    }

    @Test
    void aStallThatAppearsAndStaysIsRaisedOnceUpdatedAndClearedWithItsEvidence() {
        List<Detection> out = run(0, 40, k -> k >= 10 && k < 30, 0);
        assertThat(out).extracting(d -> d.state() + "@" + (d.ts() - T0) / STEP)
                .containsExactly("raised@16", "update@28", "cleared@35");
        Detection raised = out.get(0);
        assertThat(raised.problemKey()).isEqualTo("camera:cam:plaza:stall");
        assertThat(raised.source()).isEqualTo(Detection.Source.camera("cam", "plaza"));
        assertThat(raised.category().code()).isEqualTo("0501");
        assertThat(raised.startedAt()).isEqualTo(T0 + 10 * STEP);
        assertThat(raised.gridCode()).isEqualTo("210202001001001");
        assertThat(raised.evidence()).extracting(Detection.Evidence::uri).containsExactly("file:///evidence/appeared-1.jpg",
                "file:///evidence/confirmed-2.jpg");
        assertThat(out.get(2).evidence()).extracting(Detection.Evidence::uri).containsExactly("file:///evidence/cleared-4.jpg");
        assertThat(stored).containsExactly("appeared", "confirmed", "latest", "cleared");
        assertThat(scene.trackers()).isEmpty();
    }

    @Test
    void whatTheCameraShowedFromItsFirstFramesNeverRaisesHoweverHighItScores() {
        assertThat(run(0, 60, k -> false, 0.99)).isEmpty();
        assertThat(stored).isEmpty();
    }

    @Test
    void somethingSeenForAMomentRaisesNothingAndAShortOcclusionIsForgiven() {
        // a passer-by the model misreads, two frames
        assertThat(run(0, 20, k -> k == 8 || k == 9, 0)).isEmpty();
        assertThat(scene.trackers()).isEmpty();
        // a stall hidden for two frames (20 s < max_gap_s 30) by people standing in front of it
        List<Detection> out = run(20, 40, k -> k >= 22 && k != 25 && k != 26, 0);
        assertThat(out).extracting(d -> d.state().id()).containsExactly("raised");
        assertThat(out.get(0).startedAt()).isEqualTo(T0 + 22 * STEP);
    }

    @Test
    void aChangeOfLightOverTheWholePictureIsNoCandidate() {
        run(0, 6, k -> false, 0);
        List<Detection> out = new ArrayList<>();
        for (int k = 6; k < 20; k++) { // the lamps come on: every tile brighter; the model (wrongly) sees a stall
            out.addAll(step(frame(T0 + k * STEP, Map.of(STALL_TILE, 0.9), Set.of(), 50)));
        }
        assertThat(out).isEmpty();
        assertThat(scene.trackers()).isEmpty();
    }

    @Test
    void theStateSurvivesItsBytesAndStaysSmall() {
        run(0, 14, k -> k >= 10, 0); // pending
        byte[] bytes = scene.toBytes();
        scene = CameraScene.fromBytes(bytes);
        assertThat(scene.trackers()).containsOnlyKeys("plaza/stall");
        List<Detection> out = run(14, 20, k -> true, 0);
        assertThat(out).extracting(d -> d.state() + "@" + (d.ts() - T0) / STEP).containsExactly("raised@16");
        assertThat(out.get(0).evidence()).extracting(Detection.Evidence::uri).contains("file:///evidence/appeared-1.jpg");
        // the bound CameraScene states: the baseline's bytes a tile, and a few hundred bytes a tracker
        assertThat(bytes.length).isLessThanOrEqualTo(COLS * ROWS * SceneBaseline.bytesPerTile() + 400);
        System.out.printf("camera scene state: %d bytes (63 tiles x %d bytes + one pending tracker)%n", bytes.length,
                SceneBaseline.bytesPerTile());
    }
}
