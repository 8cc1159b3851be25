package io.gridwatch.models.scene;

import io.gridwatch.camera.Calibration;
import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.camera.ImagePoint;
import io.gridwatch.camera.GroundPoint;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridSet;
import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.Detector;
import io.gridwatch.models.DetectorConfig;
import io.gridwatch.models.Detectors;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.scene.CameraScenario.Kind;
import io.gridwatch.scenario.CityDay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripted camera scenarios: deterministic, their truth matches what the frames show, the committed tile model
 * finds the stall, the garbage and the water in the frames that hold them (decoded from real H.264), and the camera
 * YAML of each registers in a real unit grid — the water camera's puddle on the city day's flood sensor.
 */
class CameraScenarioTest {

    /** 30 scene-seconds a frame: 3 min before, 20 min of the thing, 3 min after — 52 frames. */
    static CameraScenario scenario(Kind k) {
        return CameraScenario.of(k, SEEDS.get(k), 30, 3, 20, 3);
    }

    static final Map<Kind, Long> SEEDS = Map.of(Kind.STALL, 1L, Kind.BIN, 2L, Kind.WATER, 1L, Kind.PEOPLE, 1L, Kind.STATIC, 1L);

    @TempDir
    static Path dir;
    static Detector detector;
    static final Map<Kind, CameraScenario.Truth> truths = new EnumMap<>(Kind.class);
    static final Map<Kind, List<BufferedImage>> decoded = new EnumMap<>(Kind.class);

    @BeforeAll
    static void writeAndDecode() {
        detector = Detectors.create(new DetectorConfig.CnnTiles("committed", 0.5));
        for (Kind k : Kind.values()) {
            Path file = dir.resolve(k.id() + ".mp4");
            truths.put(k, scenario(k).write(file));
            List<BufferedImage> frames = new ArrayList<>();
            SceneClip.decode(file, (i, img) -> frames.add(img));
            decoded.put(k, frames);
        }
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    @Test
    void theSameSeedDrawsTheSameClipAndAnotherSeedAnother() {
        for (Kind k : List.of(Kind.BIN, Kind.PEOPLE)) {
            CameraScenario s = CameraScenario.of(k, 5, 60, 1, 3, 1);
            List<byte[]> a = pixels(s);
            List<byte[]> b = pixels(s);
            List<byte[]> other = pixels(CameraScenario.of(k, 6, 60, 1, 3, 1));
            assertThat(a).hasSize(s.frames());
            for (int i = 0; i < a.size(); i++) {
                assertThat(Arrays.equals(a.get(i), b.get(i))).as("%s frame %d", k, i).isTrue();
                assertThat(Arrays.equals(a.get(i), other.get(i))).as("%s frame %d, another seed", k, i).isFalse();
            }
            assertThat(s.cameraYaml("cam-x", "rtsp://127.0.0.1:8554/x")).isEqualTo(s.cameraYaml("cam-x", "rtsp://127.0.0.1:8554/x"));
        }
    }

    private static List<byte[]> pixels(CameraScenario s) {
        List<byte[]> out = new ArrayList<>();
        s.render(f -> out.add(((DataBufferByte) f.scene().image().getRaster().getDataBuffer()).getData().clone()));
        return out;
    }

    @Test
    void theTruthSaysWhatEachFrameShows() {
        for (Kind k : List.of(Kind.STALL, Kind.BIN, Kind.WATER)) {
            CameraScenario s = scenario(k);
            assertThat(decoded.get(k)).as("%s decodes frame for frame", k).hasSize(s.frames());
            List<Double> areas = new ArrayList<>();
            s.render(f -> {
                long pixels = 0;
                int x1 = Integer.MAX_VALUE, y1 = Integer.MAX_VALUE, x2 = -1, y2 = -1;
                for (int y = 0; y < f.scene().height(); y++) {
                    for (int x = 0; x < f.scene().width(); x++) {
                        if (f.scene().classAt(x, y) == k.target()) {
                            pixels++;
                            x1 = Math.min(x1, x);
                            y1 = Math.min(y1, y);
                            x2 = Math.max(x2, x);
                            y2 = Math.max(y2, y);
                        }
                    }
                }
                boolean inStay = f.index() >= s.appearFrame() && f.index() < s.goneFrame();
                assertThat(f.amount() > 0).as("%s frame %d", k, f.index()).isEqualTo(inStay);
                if (!inStay) {
                    assertThat(pixels).as("%s frame %d: nothing of the thing before it came or after it went", k, f.index()).isZero();
                    assertThat(f.target()).isNull();
                } else {
                    assertThat(pixels).as("%s frame %d: the thing is there", k, f.index()).isGreaterThan(20);
                    Box mask = Box.ofPixels(x1, y1, x2 + 1, y2 + 1, f.scene().width(), f.scene().height());
                    assertThat(f.target().iou(mask)).as("%s frame %d: truth box %s vs mask %s", k, f.index(), f.target(), mask).isGreaterThan(0.5);
                    areas.add((double) pixels);
                }
            });
            CameraScenario.Truth t = truths.get(k);
            assertThat(t.steps()).hasSize(s.frames());
            assertThat(t.steps().stream().filter(st -> st.box() != null).count()).isEqualTo(s.goneFrame() - s.appearFrame());
            if (k != Kind.STALL) { // garbage piles up, water collects: the first frames of the stay show less than the middle
                double first = areas.get(0);
                double middle = areas.get(areas.size() / 2);
                assertThat(first).as("%s grows", k).isLessThan(middle * 0.6);
            }
            if (k == Kind.WATER) { // and drains
                assertThat(areas.get(areas.size() - 1)).isLessThan(areas.get(areas.size() / 2) * 0.6);
            }
        }
        // people stand about in groups through the stay, and only then
        List<CameraScenario.Truth.Step> people = truths.get(Kind.PEOPLE).steps();
        CameraScenario p = scenario(Kind.PEOPLE);
        for (CameraScenario.Truth.Step st : people) {
            boolean inStay = st.frame() >= p.appearFrame() && st.frame() < p.goneFrame();
            if (!inStay) {
                assertThat(st.standing()).as("frame %d", st.frame()).isZero();
            } else {
                assertThat(st.standing()).as("frame %d: at least the first group", st.frame()).isGreaterThanOrEqualTo(2);
            }
        }
        assertThat(people.stream().mapToInt(CameraScenario.Truth.Step::standing).max().orElse(0)).as("all three groups at once").isGreaterThanOrEqualTo(6);
    }

    /** Hit rates on the decoded H.264 frames; the bars sit below what was measured (models/README.md) so a broken model or scenario fails. */
    @Test
    void theTileModelFindsTheThingWhileItIsThereAndNotBefore() {
        Map<Kind, Double> bars = Map.of(Kind.STALL, 0.9, Kind.BIN, 0.8, Kind.WATER, 0.55);
        StringBuilder report = new StringBuilder();
        for (Kind k : List.of(Kind.STALL, Kind.BIN, Kind.WATER)) {
            CameraScenario s = scenario(k);
            List<CameraScenario.Truth.Step> steps = truths.get(k).steps();
            int present = 0;
            int hits = 0;
            int absentReports = 0;
            for (CameraScenario.Truth.Step st : steps) {
                List<DetectedObject> out = detector.detect(decoded.get(k).get(st.frame()), st.millis());
                boolean hit = st.box() != null && out.stream().anyMatch(o -> o.label().equals(k.target().id()) && o.box().iou(st.box()) > 0.05);
                if (st.box() != null) {
                    present++;
                    hits += hit ? 1 : 0;
                } else if (out.stream().anyMatch(o -> o.label().equals(k.target().id()))) {
                    absentReports++;
                }
            }
            double rate = (double) hits / present;
            report.append(String.format("%s: %d/%d present frames found (%.2f), %d of %d empty frames with a %s%n", k, hits, present, rate,
                    absentReports, s.frames() - present, k.target().id()));
            assertThat(rate).as("%s hit rate", k).isGreaterThanOrEqualTo(bars.get(k));
            assertThat(absentReports).as("%s reported before it came or after it went", k).isZero();
        }
        System.out.print(report);
    }

    /** For information (the dwell and static logic downstream is someone else's); asserts only what makes each scenario what it is. */
    @Test
    void whatTheTileModelSaysOnPeopleAndOnTheStaticStreet() {
        Map<Kind, Map<String, Integer>> said = new EnumMap<>(Kind.class);
        for (Kind k : List.of(Kind.PEOPLE, Kind.STATIC)) {
            Map<String, Integer> labels = new TreeMap<>();
            for (CameraScenario.Truth.Step st : truths.get(k).steps()) {
                detector.detect(decoded.get(k).get(st.frame()), st.millis()).stream().map(DetectedObject::label).distinct()
                        .forEach(l -> labels.merge(l, 1, Integer::sum));
            }
            said.put(k, labels);
            System.out.printf("%s: frames with each label, of %d: %s%n", k, truths.get(k).steps().size(), labels);
        }
        // people standing about in groups are not a stall (nor anything else) in all but a few frames
        int frames = truths.get(Kind.PEOPLE).steps().size();
        assertThat(said.get(Kind.PEOPLE).values()).allMatch(n -> n <= frames / 10);
        // the static scenario was made because issue 4's model misread its parked red car as a stall, again and again (11
        // of 52 decoded frames); the committed model of issue 13 does so in 52 of 52, a first one trained with real pictures
        // in none. Nothing here requires either: what the job does with a misread that never changes is tested with
        // whatever the model says (ScenarioSceneTest: static raises nothing); only people must not be taken for anything.
    }

    @Test
    void eachCameraRegistersInARealGridAndTheWaterCameraLooksAtTheFloodSensor() {
        GridSet grids = GridCache.dalian(Path.of(System.getProperty("gridwatch.repo.root", "..")).resolve("var/cache"), GridwatchConfig.defaults().grids());
        GridIndex index = new GridIndex(grids);
        for (Kind k : Kind.values()) {
            CameraScenario s = scenario(k);
            String yaml = s.cameraYaml("cam-" + k.id(), "tcp://127.0.0.1:8555");
            List<Camera> cams = CameraFile.read(yaml, k.id() + ".yaml", new CameraFile.Checks(index::lookup, null));
            assertThat(cams).hasSize(1);
            Camera cam = cams.get(0);
            assertThat(cam.zones()).as("%s zones", k).isNotEmpty();
            assertThat(cam.zones().get(0).purpose()).isEqualTo(k.purpose());
            Calibration cal = cam.calibration().orElseThrow();
            assertThat(cal).isNotNull();
            // the calibration and the scene agree: the middle of the frame's lower half maps where the scene's geometry puts it
            double[] expected = s.groundAt(0.5, 0.8);
            GroundPoint got = cal.groundPoint(new ImagePoint(0.5, 0.8));
            assertThat(cal.distanceM(got, new GroundPoint(expected[0], expected[1]))).as("%s", k).isLessThan(0.5);
            if (k.target() != null) { // the thing's foot lies in its zone
                Box b = truths.get(k).box();
                double[] foot = {(b.x1() + b.x2()) / 2, b.y2() - 0.01};
                assertThat(inside(cam.zones().get(0).polygon(), foot)).as("%s: foot %s in zone", k, Arrays.toString(foot)).isTrue();
            }
        }
        CityDay day = new CityDay(grids, LocalDate.of(2026, 12, 2), 20261127L);
        for (String id : List.of(CameraScenario.WATER_SENSOR, CameraScenario.BIN_SENSOR)) {
            CityDay.SimSensor sensor = day.sensors().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            Kind k = id.equals(CameraScenario.WATER_SENSOR) ? Kind.WATER : Kind.BIN;
            assertThat(k.anchor()[0]).isEqualTo(sensor.lon());
            assertThat(k.anchor()[1]).isEqualTo(sensor.lat());
            // the puddle's (the bin's) foot, through the camera's calibration, lands on the sensor and in its grid
            Box b = truths.get(k).box();
            Camera cam = CameraFile.read(scenario(k).cameraYaml("cam", "tcp://127.0.0.1:8555"), "x", new CameraFile.Checks(index::lookup, null)).get(0);
            GroundPoint foot = cam.calibration().orElseThrow().groundPoint(new ImagePoint((b.x1() + b.x2()) / 2, k == Kind.WATER ? (b.y1() + b.y2()) / 2 : b.y2()));
            assertThat(cam.calibration().orElseThrow().distanceM(foot, new GroundPoint(sensor.lon(), sensor.lat()))).as("%s to %s", k, id).isLessThan(4.0);
            assertThat(index.lookup(foot.lon(), foot.lat()).orElseThrow().gridCode()).isEqualTo(sensor.gridCode());
        }
    }

    private static boolean inside(List<ImagePoint> pts, double[] p) {
        List<double[]> poly = pts.stream().map(q -> new double[] {q.x(), q.y()}).toList();
        boolean in = false;
        for (int i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
            double[] a = poly.get(i);
            double[] c = poly.get(j);
            if ((a[1] > p[1]) != (c[1] > p[1]) && p[0] < (c[0] - a[0]) * (p[1] - a[1]) / (c[1] - a[1]) + a[0]) {
                in = !in;
            }
        }
        return in;
    }
}
