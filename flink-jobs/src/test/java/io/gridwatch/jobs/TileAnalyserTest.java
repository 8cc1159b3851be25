package io.gridwatch.jobs;

import io.gridwatch.camera.CameraZone;
import io.gridwatch.camera.ImagePoint;
import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.detection.Detection;
import io.gridwatch.models.scene.CameraScenario;
import io.gridwatch.models.tiles.Tiles;
import io.gridwatch.video.CameraScene;
import io.gridwatch.video.DwellRules;
import io.gridwatch.video.TileFrame;
import io.gridwatch.video.WatchedObject;
import io.gridwatch.video.WatchedZone;
import io.gridwatch.video.ZoneTracker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The video job's analysis path ({@link TileAnalyser}): zones only, changed tiles only, the reduced JPEG decode — each
 * checked for what it must do, and together against the plain full analysis on the scenario clips (the same cases, and
 * the same scores within a small tolerance).
 */
class TileAnalyserTest {

    private static final long T0 = 1_785_211_200_000L;
    private static List<byte[]> stall; // 1280×720 JPEGs of the stall scenario, as ingest sends them
    private static List<CameraZone> stallZones;

    /** The frame of the stall's stay (frames 4..11) in which the plain analysis is surest of it: the models change, the test's premise must not. */
    private static int clearestStallFrame() throws Exception {
        TileAnalyser a = new TileAnalyser();
        int bestFrame = 4;
        float bestScore = -1;
        for (int k = 4; k < 12; k++) {
            TileFrame f = a.analyse(TileAnalyser.decode(stall.get(k)), T0);
            float s = f.scores()[argmax(f, WatchedObject.STALL)][WatchedObject.STALL.ordinal()];
            if (s > bestScore) {
                bestScore = s;
                bestFrame = k;
            }
        }
        return bestFrame;
    }

    @BeforeAll
    static void clips() {
        CameraScenario sc = new CameraScenario(CameraScenario.Kind.STALL, 11, 12, 10, 4, 12, 320, 180);
        stall = frames(sc);
        stallZones = zones(sc);
    }

    @Test
    void aTileOutsideEveryZoneIsNeverScored() throws Exception {
        BufferedImage img = TileAnalyser.decode(stall.get(clearestStallFrame()));
        TileFrame full = new TileAnalyser().analyse(img, T0);
        int best = argmax(full, WatchedObject.STALL);
        assertThat(full.scores()[best][WatchedObject.STALL.ordinal()]).as("the plain analysis sees the stall").isGreaterThan(0.5f);
        // a zone over the third of the picture away from the stall
        double x1 = full.centre(best)[0] > 0.5 ? 0 : 0.67;
        double x2 = x1 + 0.33;
        List<CameraZone> zones = List.of(new CameraZone("side", ZonePurpose.NO_VENDING,
                List.of(new ImagePoint(x1, 0), new ImagePoint(x2, 0), new ImagePoint(x2, 1), new ImagePoint(x1, 1)), Optional.empty()));
        TileAnalyser a = new TileAnalyser();
        TileFrame f = a.analyse("cam", img, T0, zones);
        boolean[] inZone = WatchedZone.of(zones.get(0), f).tiles();
        int cols = Tiles.columns(f.width());
        int scoredSet = 0;
        for (int i = 0; i < f.tiles(); i++) {
            boolean nearZone = false;
            for (int j = 0; j < f.tiles(); j++) {
                nearZone |= inZone[j] && Math.abs(i % cols - j % cols) <= TileAnalyser.MARGIN && Math.abs(i / cols - j / cols) <= TileAnalyser.MARGIN;
            }
            scoredSet += nearZone ? 1 : 0;
            if (!nearZone) {
                assertThat(f.scores()[i]).as("tile %d lies outside the zone and its margin", i).containsOnly(0f);
            } else {
                assertThat(i).as("the stall's tile lies away from the zone").isNotEqualTo(best);
            }
        }
        assertThat(a.stats().scored()).isEqualTo(scoredSet).isLessThan(f.tiles());
        // the zone's analysis never looked at the stall
        assertThat(f.scores()[best][WatchedObject.STALL.ordinal()]).isZero();
        // inside the zone the scores are the plain analysis' (up to the context beyond the margin)
        for (int i = 0; i < f.tiles(); i++) {
            if (inZone[i]) {
                for (WatchedObject o : WatchedObject.values()) {
                    assertThat((double) f.scores()[i][o.ordinal()]).isCloseTo(full.scores()[i][o.ordinal()], org.assertj.core.data.Offset.offset(0.15));
                }
            }
        }
    }

    @Test
    void anUnchangedTileKeepsItsScoresAndAChangedOneIsScoredAgain() throws Exception {
        TileAnalyser a = new TileAnalyser();
        BufferedImage img = TileAnalyser.decode(stall.get(8));
        TileFrame first = a.analyse("cam", img, T0, List.of()); // no zones: the whole picture
        assertThat(a.stats().scored()).isEqualTo(first.tiles());
        TileFrame same = a.analyse("cam", copy(img), T0 + 2000, List.of());
        assertThat(a.stats().scored()).as("nothing changed: nothing scored again").isEqualTo(first.tiles());
        for (int i = 0; i < first.tiles(); i++) {
            assertThat(same.scores()[i]).isEqualTo(first.scores()[i]);
        }
        // paint over one 32×32 cell: the four tiles that overlap it (stride 32) changed, the rest did not
        BufferedImage changed = copy(img);
        Graphics2D g = changed.createGraphics();
        g.setColor(new Color(250, 250, 250));
        g.fillRect(96, 64, 32, 32);
        g.dispose();
        TileFrame after = a.analyse("cam", changed, T0 + 4000, List.of());
        List<Integer> overlapping = new ArrayList<>();
        for (int i = 0; i < after.tiles(); i++) {
            if (after.xs()[i] < 128 && after.xs()[i] + 64 > 96 && after.ys()[i] < 96 && after.ys()[i] + 64 > 64) {
                overlapping.add(i);
            }
        }
        assertThat(overlapping).hasSize(4);
        assertThat(a.stats().scored() - first.tiles()).as("only the tiles under the paint").isEqualTo(overlapping.size());
        // and the result is exactly the plain analysis of the changed picture: reused scores are those of unchanged pixels
        TileFrame plain = new TileAnalyser().analyse(changed, T0 + 4000);
        for (int i = 0; i < after.tiles(); i++) {
            assertThat(after.scores()[i]).as("tile %d", i).containsExactly(plain.scores()[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        // a minute later every tile is scored again, changed or not
        long before = a.stats().scored();
        a.analyse("cam", changed, T0 + 4000 + TileAnalyser.RESCORE_AFTER_MS, List.of());
        assertThat(a.stats().scored() - before).isEqualTo(after.tiles());
    }

    @Test
    void aTileThatDiffersFromTheSceneIsScoredInEveryFrameAndEveryTileWhileTheSceneIsLearned() throws Exception {
        TileAnalyser a = new TileAnalyser();
        CameraScene scene = new CameraScene();
        BufferedImage img = TileAnalyser.decode(stall.get(0));
        long ts = T0;
        for (int i = 0; i < io.gridwatch.video.SceneBaseline.LEARN_FRAMES; i++, ts += 2000) {
            long before = a.stats().scored();
            TileFrame f = a.analyse("cam", copy(img), ts, List.of(), scene.baseline());
            assertThat(a.stats().scored() - before).as("learning frame %d: every tile", i).isEqualTo(f.tiles());
            scene.onFrame("cam", f, List.of(), DwellRules.defaults(), PICTURES, PLACE);
        }
        assertThat(scene.baseline().learning()).isFalse();
        long before = a.stats().scored();
        a.analyse("cam", copy(img), ts, List.of(), scene.baseline());
        assertThat(a.stats().scored() - before).as("the learned scene again: nothing scored").isZero();
        // something new in the picture: its tiles differ from the scene, and are scored in every frame while they do
        BufferedImage changed = copy(img);
        Graphics2D g = changed.createGraphics();
        g.setColor(new Color(250, 250, 250));
        g.fillRect(96, 64, 32, 32);
        g.dispose();
        for (int k = 0; k < 3; k++) {
            ts += 2000;
            before = a.stats().scored();
            TileFrame f = a.analyse("cam", copy(changed), ts, List.of(), scene.baseline());
            double[] diff = scene.baseline().compare(f);
            long differing = java.util.Arrays.stream(diff).filter(d -> d >= io.gridwatch.video.SceneBaseline.CHANGE_MIN).count();
            assertThat(differing).isPositive();
            assertThat(a.stats().scored() - before).as("frame %d with the change", k).isEqualTo(k == 0 ? Math.max(differing, 4) : differing);
        }
    }

    @Test
    void theReducedDecodeGivesTheWorkingFrame() throws Exception {
        BufferedImage img = TileAnalyser.decode(stall.get(0));
        assertThat(img.getWidth()).isEqualTo(Tiles.WORK_WIDTH);
        assertThat(img.getHeight()).isEqualTo(180);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage small = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
        assertThat(TileAnalyser.decode(jpeg(small)).getWidth()).as("a small frame is decoded whole").isEqualTo(320);
        assertThat(TileAnalyser.decode(new byte[] {1, 2, 3})).isNull();
        assertThat(TileAnalyser.jpegWidth(stall.get(0))).isEqualTo(1280);
    }

    /**
     * The scenario clips through the job's path (reduced decode, zones only, changed tiles only) and through the plain one
     * (whole JPEG decode, every tile every frame), each into a camera scene: the same cases, and the zones' scores close.
     */
    @Test
    void theJobsPathDecidesAsThePlainAnalysis() throws Exception {
        java.util.Map<CameraScenario.Kind, Long> seeds = java.util.Map.of(CameraScenario.Kind.STALL, 1L, CameraScenario.Kind.BIN, 2L,
                CameraScenario.Kind.WATER, 1L, CameraScenario.Kind.PEOPLE, 1L, CameraScenario.Kind.STATIC, 1L); // CameraScenarioTest's
        int raised = 0;
        for (CameraScenario.Kind k : CameraScenario.Kind.values()) {
            // 30 s a frame: 3 min before, 20 min of the thing, 6 min after; 320×240 scaled to 1280×960
            CameraScenario sc = CameraScenario.of(k, seeds.get(k), 30, 3, 20, 6);
            List<byte[]> jpegs = frames(sc);
            List<CameraZone> zones = zones(sc);
            TileAnalyser plain = new TileAnalyser();
            TileAnalyser job = new TileAnalyser();
            CameraScene sPlain = new CameraScene();
            CameraScene sJob = new CameraScene();
            List<String> dPlain = new ArrayList<>();
            List<String> dJob = new ArrayList<>();
            double maxDiff = 0;
            double sumDiff = 0;
            int compared = 0;
            int disagree = 0;
            for (int i = 0; i < jpegs.size(); i++) {
                long ts = T0 + i * 30_000L;
                TileFrame fp = plain.analyse(ImageIO.read(new ByteArrayInputStream(jpegs.get(i))), ts);
                TileFrame fj = job.analyse("cam", TileAnalyser.decode(jpegs.get(i)), ts, zones, sJob.baseline());
                List<WatchedZone> wz = new ArrayList<>();
                for (CameraZone z : zones) {
                    wz.add(WatchedZone.of(z, fp));
                    for (int t = 0; t < fp.tiles(); t++) {
                        if (WatchedZone.of(z, fp).tiles()[t]) {
                            for (WatchedObject o : WatchedObject.values()) {
                                double d = Math.abs(fp.scores()[t][o.ordinal()] - fj.scores()[t][o.ordinal()]);
                                maxDiff = Math.max(maxDiff, d);
                                sumDiff += d;
                                compared++;
                                disagree += (fp.scores()[t][o.ordinal()] >= 0.6) != (fj.scores()[t][o.ordinal()] >= 0.6) ? 1 : 0;
                            }
                        }
                    }
                }
                for (Detection d : sPlain.onFrame("cam", fp, wz, DwellRules.defaults(), PICTURES, PLACE).detections()) {
                    dPlain.add(d.state() + " " + d.problemKey());
                }
                for (Detection d : sJob.onFrame("cam", fj, wz, DwellRules.defaults(), PICTURES, PLACE).detections()) {
                    dJob.add(d.state() + " " + d.problemKey());
                }
            }
            TileAnalyser.Stats s = job.stats();
            System.out.printf(Locale.ROOT, "%s: %d frames; zone scores vs plain: max |diff| %.3f, mean %.4f, %d of %d on the other side of 0.6; "
                            + "tiles scored %d of %d (%.0f %%; %d in the zones and margin); cases plain %s, job %s%n",
                    k.id(), jpegs.size(), maxDiff, sumDiff / compared, disagree, compared, s.scored(), s.tiles(), 100.0 * s.scored() / s.tiles(),
                    s.inScoredSet(), dPlain, dJob);
            assertThat(dJob).as(k.id() + ": the same cases").isEqualTo(dPlain);
            raised += (int) dPlain.stream().filter(d -> d.toLowerCase(Locale.ROOT).startsWith("raised")).count();
            assertThat((double) disagree / compared).as(k.id() + ": share of zone scores on the other side of 0.6").isLessThan(0.02);
        }
        assertThat(raised).as("cases raised over the scenarios (the stall's)").isGreaterThanOrEqualTo(1);
    }

    private static final ZoneTracker.Pictures PICTURES = (role, box) -> Detection.Evidence.frame("test:" + role, 0, box, "0".repeat(64));
    private static final ZoneTracker.Placement PLACE = box -> new ZoneTracker.Place(121.64, 38.91, null, null);

    private static int argmax(TileFrame f, WatchedObject o) {
        int best = 0;
        for (int i = 1; i < f.tiles(); i++) {
            if (f.scores()[i][o.ordinal()] > f.scores()[best][o.ordinal()]) {
                best = i;
            }
        }
        return best;
    }

    static List<CameraZone> zones(CameraScenario sc) {
        List<CameraZone> out = new ArrayList<>();
        for (CameraScenario.Zone z : sc.zones()) {
            List<ImagePoint> pts = new ArrayList<>();
            for (double[] p : z.polygon()) {
                pts.add(new ImagePoint(p[0], p[1]));
            }
            out.add(new CameraZone(z.name(), z.purpose(), pts, Optional.empty()));
        }
        return out;
    }

    /** The scenario's frames scaled 4× (320 px wide → 1280) and JPEG-encoded as ingest sends them (quality 0.8). */
    static List<byte[]> frames(CameraScenario sc) {
        List<byte[]> out = new ArrayList<>();
        sc.render(fr -> {
            int w = fr.scene().image().getWidth() * 4;
            int h = fr.scene().image().getHeight() * 4;
            BufferedImage big = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = big.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(fr.scene().image(), 0, 0, w, h, null);
            g.dispose();
            out.add(jpeg(big));
        });
        return out;
    }

    static byte[] jpeg(BufferedImage img) {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.8f);
            w.write(null, new IIOImage(img, null, null), p);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    private static BufferedImage copy(BufferedImage img) {
        BufferedImage c = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        c.getRaster().setRect(img.getRaster());
        return c;
    }
}
