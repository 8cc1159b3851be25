package io.gridwatch.jobs;

import io.gridwatch.camera.CameraZone;
import io.gridwatch.camera.ImagePoint;
import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.detection.Detection;
import io.gridwatch.models.scene.SceneClip;
import io.gridwatch.video.CameraScene;
import io.gridwatch.video.DwellRules;
import io.gridwatch.video.TileFrame;
import io.gridwatch.video.WatchedZone;
import io.gridwatch.video.ZoneTracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the video detection operator spends per camera frame, on the generated stall clip decoded from H.264: JPEG
 * decode, the tile models ({@link TileAnalyser}), the camera scene (baseline and trackers) with its state round trip,
 * and — apart — one evidence picture (faces and plates blurred, box drawn), which {@link EvidenceRendering} renders
 * off the operator's thread when a tracker asks. Prints figures (thread CPU, one thread), asserts nothing
 * about time (PRACTICES.md 15). Not part of the suite (no *Test name):
 * {@code mvn -B -o -pl flink-jobs -am test -Dtest=VideoDetectionBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class VideoDetectionBench {

    @TempDir
    Path dir;

    @Test
    void costPerFrameAndPerEvidencePicture() throws Exception {
        Path clip = dir.resolve("stall.mp4");
        SceneClip c = new SceneClip(31, 120, 15, 30, 90);
        c.write(clip);
        List<byte[]> jpegs = new ArrayList<>();
        SceneClip.decode(clip, (i, img) -> jpegs.add(jpeg(img)));
        TileAnalyser analyser = new TileAnalyser();
        DwellRules rules = DwellRules.defaults();
        ZoneTracker.Pictures pictures = (role, box) -> Detection.Evidence.frame("bench:" + role, 0, box, "0".repeat(64));
        ZoneTracker.Placement placement = box -> new ZoneTracker.Place(121.64, 38.91, null, null);
        CameraZone zone = new CameraZone("plaza", ZonePurpose.NO_VENDING, List.of(new ImagePoint(0, 0.3), new ImagePoint(1, 0.3),
                new ImagePoint(1, 1), new ImagePoint(0, 1)), Optional.empty());
        var threads = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 2; round++) { // the first round warms up the JIT and the native libraries
            byte[] state = new CameraScene().toBytes();
            long[] decode = new long[jpegs.size()];
            long[] models = new long[jpegs.size()];
            long[] scene = new long[jpegs.size()];
            for (int i = 0; i < jpegs.size(); i++) {
                long t0 = threads.getCurrentThreadCpuTime();
                BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(jpegs.get(i)));
                long t1 = threads.getCurrentThreadCpuTime();
                TileFrame f = analyser.analyse(img, 1_785_211_200_000L + i * 2_000L);
                long t2 = threads.getCurrentThreadCpuTime();
                CameraScene s = CameraScene.fromBytes(state);
                s.onFrame("bench", f, List.of(WatchedZone.of(zone, f)), rules, pictures, placement);
                state = s.toBytes();
                long t3 = threads.getCurrentThreadCpuTime();
                decode[i] = t1 - t0;
                models[i] = t2 - t1;
                scene[i] = t3 - t2;
            }
            if (round == 1) {
                System.out.printf(Locale.ROOT, "%d frames of 320x240: JPEG decode %s, tile models %s, scene + state round trip %s (median / p95 ms CPU)%n",
                        jpegs.size(), ms(decode), ms(models), ms(scene));
                System.out.printf(Locale.ROOT, "camera scene state: %d bytes%n", state.length);
            }
        }
        long[] render = new long[20];
        io.gridwatch.models.Box box = new io.gridwatch.models.Box(0.3, 0.5, 0.6, 0.8);
        try (io.gridwatch.models.evidence.EvidenceFrames frames = new io.gridwatch.models.evidence.EvidenceFrames()) {
            frames.render(jpegs.get(40), box, "warm-up");
            for (int i = 0; i < render.length; i++) {
                long t0 = threads.getCurrentThreadCpuTime();
                frames.render(jpegs.get(40 + i), box, "confirmed");
                render[i] = threads.getCurrentThreadCpuTime() - t0;
            }
        }
        System.out.printf(Locale.ROOT, "evidence picture (blur faces and plates, draw the box, JPEG): %s (median / p95 ms CPU)%n", ms(render));
    }

    private static String ms(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "%.1f / %.1f", s[s.length / 2] / 1e6, s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] / 1e6);
    }

    private static byte[] jpeg(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "jpg", out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
