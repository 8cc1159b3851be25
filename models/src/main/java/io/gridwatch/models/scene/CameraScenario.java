package io.gridwatch.models.scene;

import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.scene.SceneGenerator.Item;
import io.gridwatch.models.scene.SceneRecipe.Light;
import io.gridwatch.models.scene.SceneRecipe.Setting;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A scripted camera scene for the video pipeline and its demo: one fixed camera's time-lapse, deterministic per seed,
 * with its ground truth (what appears when and where, per frame) and the camera YAML (CONTRACTS.md §2) that registers
 * it — zones for the scene's purpose and a calibration worked out from the scene's own perspective, standing in a real
 * Dalian unit grid. Time is compressed as in {@link SceneClip}: a frame stands for {@code secondsPerFrame} of scene time.
 *
 * <ul>
 *   <li>{@link Kind#STALL}: a stall (占道经营) set up in a plaza's no-vending zone with its vendor, staying, taken away;</li>
 *   <li>{@link Kind#BIN}: garbage piling up over and beside a bin on a sidewalk (垃圾满溢), then emptied;</li>
 *   <li>{@link Kind#WATER}: water collecting on a roadway (道路积水), growing, draining — where the city day's
 *       water-level sensor {@link #WATER_SENSOR} stands, so that one case has two sources;</li>
 *   <li>{@link Kind#PEOPLE}: people walking past and groups standing about talking for minutes: must raise nothing;</li>
 *   <li>{@link Kind#STATIC}: a street the tile model misreads from the first frame to the last ({@link #STATIC_MISREAD}):
 *       a score that never changes, which dwell logic must not take for something that appeared.</li>
 * </ul>
 *
 * People walk past in every scenario. The thing of a scenario is there from {@link #appearFrame} (inclusive) to
 * {@link #goneFrame} (exclusive); for PEOPLE those frames bound the standing groups, for STATIC nothing changes.
 */
public record CameraScenario(Kind kind, long seed, int frames, double secondsPerFrame, int appearFrame, int goneFrame, int width,
                             int height) {

    /** The city day's (common/.../scenario/CityDay, seed 20261127) flood sensor the water camera looks at. */
    public static final String WATER_SENSOR = "wl-flood-1";
    /** Where {@link #WATER_SENSOR} stands (WGS-84), in grid 210211016006156 (甘井子区). */
    public static final double[] WATER_SENSOR_LON_LAT = {121.54645038114931, 39.01666542212965};
    /** The city day's bin that fills up, which the bin camera looks at (grid 210202010015058, 西岗区). */
    public static final String BIN_SENSOR = "bin-full-1";
    public static final double[] BIN_SENSOR_LON_LAT = {121.68492804364024, 38.87965245354979};
    /**
     * The static scenario's view: found by scoring empty DAY views (stage seeds 1–30 of each setting, 24 frames each, people
     * passing) with the committed models. Most views raised nothing, or a label in one frame in ten where a passer-by stood;
     * this street (stage seed 6, its fixed things drawn with seed 1) has a red car parked at the kerb all day, which the
     * objects model reads as a stall in about two frames of three. The scenario's own seed draws the people and the noise.
     */
    public static final long STATIC_STAGE_SEED = 6;
    static final long STATIC_ITEMS_SEED = 1;
    /** What the static scenario holds, and what the committed tile model reads in it (see models/README.md). */
    public static final String STATIC_MISREAD = "a red car parked at the kerb all day (stage seed 6), read as a stall (占道经营)";

    public CameraScenario {
        Objects.requireNonNull(kind, "kind");
        if (frames < 1 || secondsPerFrame <= 0 || appearFrame < 0 || goneFrame < appearFrame || goneFrame > frames) {
            throw new IllegalArgumentException("scenario " + kind.id + ": frames " + frames + ", appear " + appearFrame + ", gone " + goneFrame
                    + ", seconds per frame " + secondsPerFrame);
        }
        if (width < 64 || height < 64 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("scenario " + kind.id + ": size must be even and at least 64×64, got " + width + "×" + height);
        }
    }

    /** The scripted scenes. */
    public enum Kind {
        STALL("stall", SceneClass.STALL, Setting.PLAZA, ZonePurpose.NO_VENDING, new double[] {121.64365, 38.92070}, 20),
        BIN("bin", SceneClass.GARBAGE, Setting.SIDEWALK, ZonePurpose.BIN_AREA, BIN_SENSOR_LON_LAT, 110),
        WATER("water", SceneClass.WATER, Setting.STREET, ZonePurpose.ROADWAY, WATER_SENSOR_LON_LAT, 200),
        PEOPLE("people", null, Setting.PLAZA, ZonePurpose.NO_VENDING, new double[] {121.63560, 38.91760}, 300),
        STATIC("static", null, Setting.STREET, ZonePurpose.ROADWAY, new double[] {121.59700, 38.90900}, 45);

        private final String id;
        private final SceneClass target;
        private final Setting setting;
        private final ZonePurpose purpose;
        private final double[] anchor;
        private final double headingDeg;

        Kind(String id, SceneClass target, Setting setting, ZonePurpose purpose, double[] anchor, double headingDeg) {
            this.id = id;
            this.target = target;
            this.setting = setting;
            this.purpose = purpose;
            this.anchor = anchor;
            this.headingDeg = headingDeg;
        }

        public String id() {
            return id;
        }

        /** The class a detector should report while the thing is there; null for PEOPLE and STATIC (nothing to raise). */
        public SceneClass target() {
            return target;
        }

        /** The zone purpose the scenario's thing lies in. */
        public ZonePurpose purpose() {
            return purpose;
        }

        /** Where the scenario's thing stands on the ground (WGS-84 lon, lat); the camera stands back from it. */
        public double[] anchor() {
            return anchor.clone();
        }

        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown scenario '" + id + "' (known: stall, bin, water, people, static)");
        }
    }

    /** The size of the generated scenes the tile models were trained on. */
    public static CameraScenario of(Kind kind, long seed, double secondsPerFrame, double beforeMin, double stayMin, double afterMin) {
        int from = (int) Math.round(beforeMin * 60 / secondsPerFrame);
        int to = from + (int) Math.round(stayMin * 60 / secondsPerFrame);
        int frames = to + (int) Math.round(afterMin * 60 / secondsPerFrame);
        return new CameraScenario(kind, seed, frames, secondsPerFrame, from, to, SceneGenerator.WIDTH, SceneGenerator.HEIGHT);
    }

    /** The same script drawn at another size (e.g. 16:9 for a clip scaled up to 1080p); the truth's boxes are 0..1 either way. */
    public CameraScenario withSize(int w, int h) {
        return new CameraScenario(kind, seed, frames, secondsPerFrame, appearFrame, goneFrame, w, h);
    }

    /** Scene time of a frame, in milliseconds from the clip's start. */
    public long millisAt(int frame) {
        return Math.round(frame * secondsPerFrame * 1000);
    }

    /**
     * How much of the scenario's thing a frame shows, 0..1: a stall is there or not; garbage piles up over the first
     * {@link #GROW_SHARE} of its stay; water collects over that share and drains over the last {@link #DRAIN_SHARE}.
     * PEOPLE: 1 while the groups stand; STATIC: always 1.
     */
    public double amountAt(int frame) {
        if (kind == Kind.STATIC) {
            return 1;
        }
        if (frame < appearFrame || frame >= goneFrame) {
            return 0;
        }
        double t = (frame - appearFrame + 1.0) / (goneFrame - appearFrame);
        return switch (kind) {
            case BIN -> Math.min(1, MIN_AMOUNT + (1 - MIN_AMOUNT) * t / GROW_SHARE);
            case WATER -> Math.min(1, Math.min(MIN_AMOUNT + (1 - MIN_AMOUNT) * t / GROW_SHARE,
                    MIN_AMOUNT + (1 - MIN_AMOUNT) * (1 - t) / DRAIN_SHARE));
            default -> 1;
        };
    }

    /** Share of the stay over which garbage piles up or water collects. */
    public static final double GROW_SHARE = 0.4;
    /** Share of the stay over which water drains. */
    public static final double DRAIN_SHARE = 0.3;
    /** The smallest amount drawn: the first bags, the first puddle. */
    static final double MIN_AMOUNT = 0.25;

    /** One frame as drawn, with its truth. */
    public record Frame(int index, long millis, Scene scene, double amount, Box target, List<Box> standing) {

        /** The scenario's thing is in this frame and visible (for PEOPLE and STATIC: never a thing to report). */
        public boolean present() {
            return target != null;
        }
    }

    /** Everything fixed for the whole clip: the camera's stage and what stands on it. */
    private record Script(Stage stage, SceneRecipe recipe, List<Item> fixed, Item thing, Item before, List<List<Item>> groups,
                          int[][] groupFrames) {
    }

    private Script script() {
        SceneRecipe recipe = new SceneRecipe(kind.setting, Light.DAY, kind.target == null ? List.of() : List.of(kind.target), false, 0);
        Stage stage = new Stage(kind == Kind.STATIC ? STATIC_STAGE_SEED : seed, recipe, width, height);
        SceneGenerator g = new SceneGenerator();
        SplittableRandom r = new SplittableRandom((kind == Kind.STATIC ? STATIC_ITEMS_SEED : seed) * 7 + 11 + kind.ordinal());
        List<java.awt.geom.Rectangle2D> taken = new ArrayList<>();
        Item thing = null;
        Item before = null;
        switch (kind) {
            case STALL -> thing = place(g, stage, r, SceneClass.STALL, taken, null);
            case BIN -> {
                Item garbage = place(g, stage, r, SceneClass.GARBAGE, taken, null);
                thing = new Item(SceneGenerator.Kind.GARBAGE, garbage.x(), garbage.z(), garbage.look(), 1); // the overflowing bin
                before = new Item(SceneGenerator.Kind.TIDY_BIN, garbage.x(), garbage.z(), garbage.look(), 0);
            }
            case WATER -> thing = place(g, stage, r, SceneClass.WATER, taken, stage.road);
            default -> {
            }
        }
        List<Item> fixed = new ArrayList<>();
        for (int i = 0; i < 6 && fixed.size() < 2; i++) { // markings, a parked car, a tidy bin: there all the time
            Item d = g.placeDistractor(stage, r, taken);
            if (d != null && d.kind() != SceneGenerator.Kind.PEDESTRIAN && d.kind() != SceneGenerator.Kind.STAIN
                    && d.kind() != SceneGenerator.Kind.SHADOW) {
                fixed.add(d);
            }
        }
        List<List<Item>> groups = new ArrayList<>();
        int[][] groupFrames = new int[0][];
        if (kind == Kind.PEOPLE) {
            int n = 3;
            groupFrames = new int[n][];
            int span = goneFrame - appearFrame;
            for (int k = 0; k < n; k++) {
                double z = stage.nearZ() + 3 + k * 4 + r.nextDouble() * 2;
                double x = stage.xAt(width * (0.25 + 0.25 * k + (r.nextDouble() - 0.5) * 0.1), stage.v(0, z));
                List<Item> members = new ArrayList<>();
                int size = 2 + r.nextInt(3);
                for (int m = 0; m < size; m++) {
                    double a = 2 * Math.PI * m / size;
                    members.add(new Item(SceneGenerator.Kind.VENDOR, x + 0.55 * Math.cos(a), z + 0.45 * Math.sin(a), r.nextLong(), 0));
                }
                groups.add(members);
                // staggered: each group comes a little later and leaves a little earlier than the one before
                groupFrames[k] = new int[] {appearFrame + span * k / 8, goneFrame - span * k / 10};
            }
        }
        return new Script(stage, recipe, fixed, thing, before, groups, groupFrames);
    }

    /** A target placed by the generator's own rules, retried until it lies in {@code area} (ground X range) when given. */
    private static Item place(SceneGenerator g, Stage st, SplittableRandom r, SceneClass c, List<java.awt.geom.Rectangle2D> taken,
                              double[] area) {
        for (int attempt = 0; attempt < 200; attempt++) {
            List<java.awt.geom.Rectangle2D> tried = new ArrayList<>(taken);
            Item it = g.placeTarget(st, r, c, tried);
            if (it != null && (area == null || (it.x() > area[0] + 1.2 && it.x() < area[1] - 1.2))) {
                taken.clear();
                taken.addAll(tried);
                return it;
            }
        }
        throw new IllegalStateException("cannot place a " + c.id() + " in this camera's view (seed " + st.seed + ")");
    }

    /** Draws every frame in order, with its truth. A few ms a frame at 320×240. */
    public void render(Consumer<Frame> sink) {
        render(sink, (g, st, recipe, f, items, noiseSeed) -> g.render(st, recipe, items, noiseSeed));
    }

    /**
     * How a frame is drawn from the script's items: plainly by default; {@link DayScenario} lets snow fall and the light
     * go through a day over the same script.
     */
    interface Look {
        Scene draw(SceneGenerator g, Stage st, SceneRecipe recipe, int frame, List<Item> items, long noiseSeed);
    }

    /** The camera's stage (its fixed view), as every frame draws it. */
    Stage stage() {
        return script().stage;
    }

    /** As {@link #render(Consumer)}, each frame drawn by {@code look}. */
    void render(Consumer<Frame> sink, Look look) {
        Script sc = script();
        SceneGenerator g = new SceneGenerator();
        Stage st = sc.stage;
        for (int f = 0; f < frames; f++) {
            SplittableRandom fr = new SplittableRandom(seed * 1_000_003L + f);
            List<Item> items = new ArrayList<>(sc.fixed);
            double amount = amountAt(f);
            if (sc.thing != null && amount > 0) {
                items.add(sc.thing.withAmount(amount));
                if (kind == Kind.STALL) { // the vendor stands beside the stall the whole time
                    items.add(new Item(SceneGenerator.Kind.VENDOR, sc.thing.x() + 1.7, sc.thing.z() - 0.3, seed + 5, 0));
                }
            } else if (sc.before != null) {
                items.add(sc.before);
            }
            List<Item> standing = new ArrayList<>();
            for (int k = 0; k < sc.groups.size(); k++) {
                if (f >= sc.groupFrames[k][0] && f < sc.groupFrames[k][1]) {
                    for (Item m : sc.groups.get(k)) { // people talking shift their weight a little, no more
                        standing.add(m.at(m.x() + (fr.nextDouble() - 0.5) * 0.12, m.z() + (fr.nextDouble() - 0.5) * 0.12));
                    }
                }
            }
            items.addAll(standing);
            int walkers = fr.nextInt(4);
            for (int p = 0; p < walkers; p++) { // people passing: somewhere else in every frame
                double[] a = fr.nextBoolean() || st.walk2 == null ? st.walk : st.walk2;
                double lo = Math.max(a[0], -12);
                double hi = Math.min(a[1], 12);
                double z = st.zAtRow(st.vh + (0.3 + fr.nextDouble() * 0.7) * (st.height - st.vh));
                items.add(new Item(SceneGenerator.Kind.PEDESTRIAN, lo + 0.3 + fr.nextDouble() * Math.max(0.1, hi - lo - 0.6), z, fr.nextLong(), 0));
            }
            Scene scene = look.draw(g, st, sc.recipe, f, items, fr.nextLong());
            Box target = kind.target == null ? null
                    : scene.targets().stream().filter(p -> p.cls() == kind.target).map(Scene.Placed::box).reduce(Box::union).orElse(null);
            List<Box> standingBoxes = scene.distractors().stream().filter(p -> p.kind().equals("person standing")).map(Scene.Placed::box).toList();
            sink.accept(new Frame(f, millisAt(f), scene, amount, target, standingBoxes));
        }
    }

    /** Renders the clip into an H.264 MP4 file (OpenH264, {@link SceneClip#FPS} frames a second); returns its truth. */
    public Truth write(Path file) {
        List<Truth.Step> steps = new ArrayList<>();
        try (ClipWriter w = new ClipWriter(file, width, height)) {
            render(fr -> {
                w.add(fr.scene().image());
                steps.add(new Truth.Step(fr.index(), fr.millis(), fr.amount(), fr.target(), fr.standing().size()));
            });
        }
        return new Truth(this, steps);
    }

    /** The truth of a written clip, frame by frame (what a test or the demo checks detections against). */
    public record Truth(CameraScenario scenario, List<Step> steps) {

        /** One frame: how much of the thing is there and its box (null when absent or hidden), people standing about. */
        public record Step(int frame, long millis, double amount, Box box, int standing) {
        }

        /** The union of the thing's boxes over the clip; null for PEOPLE and STATIC. */
        public Box box() {
            return steps.stream().map(Step::box).filter(Objects::nonNull).reduce(Box::union).orElse(null);
        }

        /** For {@code <clip>.json}. */
        public java.util.Map<String, Object> toMap() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            CameraScenario s = scenario;
            m.put("scenario", s.kind.id);
            m.put("seed", s.seed);
            m.put("width", s.width);
            m.put("height", s.height);
            m.put("frames", s.frames);
            m.put("fps", SceneClip.FPS);
            m.put("scene_seconds_per_frame", s.secondsPerFrame);
            m.put("expect", s.kind.target == null ? "nothing" : s.kind.target.id());
            m.put("appear_frame", s.appearFrame);
            m.put("gone_frame", s.goneFrame);
            m.put("appear_ms", s.millisAt(s.appearFrame));
            m.put("gone_ms", s.millisAt(s.goneFrame));
            Box b = box();
            m.put("box", b == null ? null : b.toArray());
            if (s.kind == Kind.STATIC) {
                m.put("static", STATIC_MISREAD);
            }
            m.put("steps", steps.stream().map(st -> {
                java.util.Map<String, Object> x = new java.util.LinkedHashMap<>();
                x.put("frame", st.frame());
                x.put("ms", st.millis());
                x.put("amount", Math.round(st.amount() * 1000) / 1000.0);
                x.put("box", st.box() == null ? null : st.box().toArray());
                x.put("standing", st.standing());
                return x;
            }).toList());
            return m;
        }
    }

    // ------------------------------------------------------------------------------------ the camera's registration

    /** The ground point (WGS-84 lon, lat) seen at image point (x, y) in 0..1; (x, y) must lie below the horizon. */
    public double[] groundAt(double x, double y) {
        Stage st = stageOnly();
        double v = y * height;
        if (v <= st.vh + 1) {
            throw new IllegalArgumentException("image point (" + x + ", " + y + ") is at or above the horizon");
        }
        return toLonLat(st, st.xAt(x * width, v), st.zAtRow(v));
    }

    /** Where the camera stands (WGS-84 lon, lat): back from the anchor by where the thing stands in the view. */
    public double[] location() {
        return toLonLat(stageOnly(), 0, 0);
    }

    private Stage stageOnly() {
        return script().stage;
    }

    private double[] thingGround(Script sc) {
        if (sc.thing != null) {
            return new double[] {sc.thing.x(), sc.thing.z()};
        }
        if (!sc.groups.isEmpty()) {
            Item m = sc.groups.get(1).get(0);
            return new double[] {m.x(), m.z()};
        }
        return new double[] {0, sc.stage.nearZ() + 8};
    }

    /** Ground (X across, Z ahead, metres from the camera's foot) to WGS-84, with the anchor under the scenario's thing. */
    private double[] toLonLat(Stage st, double x, double z) {
        Script sc = script();
        double[] t = thingGround(sc);
        double dx = x - t[0];
        double dz = z - t[1];
        double h = Math.toRadians(kind.headingDeg);
        double east = dx * Math.cos(h) + dz * Math.sin(h);
        double north = -dx * Math.sin(h) + dz * Math.cos(h);
        double lat0 = Math.toRadians(kind.anchor[1]);
        double mPerDegLat = 111_132.92 - 559.82 * Math.cos(2 * lat0) + 1.175 * Math.cos(4 * lat0);
        double mPerDegLon = 111_412.84 * Math.cos(lat0) - 93.5 * Math.cos(3 * lat0);
        return new double[] {kind.anchor[0] + east / mPerDegLon, kind.anchor[1] + north / mPerDegLat};
    }

    /** The camera's YAML entry (CONTRACTS.md §2) under {@code cameras:}, zones and calibration included. */
    public String cameraYaml(String id, String url) {
        Script sc = script();
        Stage st = sc.stage;
        StringBuilder y = new StringBuilder();
        double[] loc = toLonLat(st, 0, 0);
        y.append("cameras:\n");
        y.append("  - id: ").append(id).append('\n');
        y.append("    url: ").append(url).append('\n');
        y.append(String.format(Locale.ROOT, "    location: {lon: %.6f, lat: %.6f}%n", loc[0], loc[1]));
        y.append("    calibration:                            # from the scene's perspective: ground points under these image points\n");
        double far = (st.vh + 0.3 * (height - st.vh)) / height;
        for (double[] p : new double[][] {{0.10, 0.95}, {0.90, 0.95}, {0.75, far}, {0.25, far}}) {
            double[] g = groundAt(p[0], p[1]);
            y.append(String.format(Locale.ROOT, "      - {image: [%.3f, %.3f], ground: [%.7f, %.7f]}%n", p[0], p[1], g[0], g[1]));
        }
        y.append("    zones:\n");
        for (Zone z : zones()) {
            y.append("      - name: ").append(z.name).append('\n');
            y.append("        purpose: ").append(z.purpose.id()).append('\n');
            y.append("        polygon: [");
            for (int i = 0; i < z.polygon.length; i++) {
                y.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%.3f,%.3f]", z.polygon[i][0], z.polygon[i][1]));
            }
            y.append("]\n");
        }
        return y.toString();
    }

    /** A zone of the camera: a ground area seen in the image, clipped to the frame. */
    public record Zone(String name, ZonePurpose purpose, double[][] polygon) {
    }

    /** The zones the camera YAML lists: the scenario's purpose around its thing, and the area it lies in. */
    public List<Zone> zones() {
        Script sc = script();
        Stage st = sc.stage;
        double[] t = thingGround(sc);
        double near = st.nearZ() * 0.8;
        List<Zone> out = new ArrayList<>();
        switch (kind) {
            case STALL, PEOPLE -> out.add(zone(st, kind.id + "-plaza", ZonePurpose.NO_VENDING, t[0] - 8, t[0] + 8, near, t[1] + 12));
            case BIN -> {
                out.add(zone(st, "bin-1", ZonePurpose.BIN_AREA, t[0] - 2, t[0] + 2, Math.max(near, t[1] - 2.5), t[1] + 2.5));
                out.add(zone(st, "sidewalk", ZonePurpose.SIDEWALK, st.walk[0], st.walk[1], near, 45));
            }
            case WATER -> out.add(zone(st, "roadway", ZonePurpose.ROADWAY, st.road[0], st.road[1], near, 45));
            case STATIC -> {
                out.add(zone(st, "roadway", ZonePurpose.ROADWAY, st.road[0], st.road[1], near, 45));
                out.add(zone(st, "sidewalk", ZonePurpose.SIDEWALK, st.walk[0], st.walk[1], near, 45));
            }
        }
        return out;
    }

    private Zone zone(Stage st, String name, ZonePurpose purpose, double x1, double x2, double z1, double z2) {
        GeometryFactory gf = new GeometryFactory();
        double[][] ground = {{x1, z1}, {x2, z1}, {x2, z2}, {x1, z2}};
        Coordinate[] ring = new Coordinate[5];
        for (int i = 0; i < 4; i++) {
            ring[i] = new Coordinate(st.u(ground[i][0], ground[i][1]) / width, st.v(0, ground[i][1]) / height);
        }
        ring[4] = ring[0];
        Polygon quad = gf.createPolygon(ring);
        Geometry clipped = quad.intersection(gf.toGeometry(new Envelope(0.01, 0.99, 0.01, 0.99)));
        Coordinate[] cs = clipped.getCoordinates();
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < cs.length - 1; i++) { // the ring's last point repeats its first
            double[] p = {Math.round(cs[i].x * 1000) / 1000.0, Math.round(cs[i].y * 1000) / 1000.0};
            if (pts.isEmpty() || pts.get(pts.size() - 1)[0] != p[0] || pts.get(pts.size() - 1)[1] != p[1]) {
                pts.add(p);
            }
        }
        if (pts.size() < 3) {
            throw new IllegalStateException("zone " + name + " of scenario " + kind.id + " (seed " + seed + ") is not in view");
        }
        return new Zone(name, purpose, pts.toArray(new double[0][]));
    }
}
