package io.gridwatch.models.scene;

import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.scene.SceneGenerator.Item;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Camera scenarios over a whole day (issue 13): the light goes from morning through noon to dusk while one fixed camera
 * watches, for the per-camera view reference (参照画面, {@code models.reference}) that judges water and snow by how the
 * view changed rather than by what a tile looks like alone. Deterministic per seed, with truth per frame.
 *
 * <ul>
 *   <li>{@link Kind#SNOWFALL}: snow starts falling at {@code appearFrame} onto the street of the {@code static} scenario
 *       (its roadway and sidewalk zones), thickening from a dusting in patches to full cover over {@link #GROW_SHARE} of
 *       the rest of the day, and lies to the end;</li>
 *   <li>{@link Kind#DAYLIGHT}: nothing happens but the light; the same street has a white stone forecourt (白色石材铺装)
 *       on its sidewalk and a white plastered façade (白色外墙) that are white every day, which the snow model may read
 *       as snow: <b>must raise nothing</b>;</li>
 *   <li>{@link Kind#WATER}: the {@code water} scenario (water collecting on a roadway, holding, draining) while the light
 *       goes through the day.</li>
 * </ul>
 *
 * The light is put on the drawn frame ({@link DayLight}) as the camera would see it: the sun's colour and level of the
 * hour, a side light that swings from left to right, more sensor noise and the camera's auto exposure pulling a dim
 * frame up. People pass in every frame, as in {@link CameraScenario}.
 */
public record DayScenario(Kind kind, long seed, int frames, double secondsPerFrame, int appearFrame, int goneFrame) {

    /** Share of the time from the first flakes to the end over which snow thickens to full cover. */
    public static final double GROW_SHARE = 0.4;

    public DayScenario {
        Objects.requireNonNull(kind, "kind");
        if (frames < 2 || secondsPerFrame <= 0 || appearFrame < 0 || goneFrame < appearFrame || goneFrame > frames) {
            throw new IllegalArgumentException("day scenario " + kind.id + ": frames " + frames + ", appear " + appearFrame + ", gone "
                    + goneFrame);
        }
    }

    /** The day scenes. */
    public enum Kind {
        SNOWFALL("snowfall", SceneClass.SNOW),
        DAYLIGHT("daylight", null),
        WATER("water-day", SceneClass.WATER);

        private final String id;
        private final SceneClass target;

        Kind(String id, SceneClass target) {
            this.id = id;
            this.target = target;
        }

        public String id() {
            return id;
        }

        /** What should be reported while it is there; null for DAYLIGHT. */
        public SceneClass target() {
            return target;
        }

        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown day scenario '" + id + "' (known: snowfall, daylight, water-day)");
        }
    }

    /**
     * A day of {@code frames} frames: the thing comes at {@code appearAt} of the day (0..1) and goes at {@code goneAt}
     * (snow lies to the end: pass 1).
     */
    public static DayScenario of(Kind kind, long seed, int frames, double secondsPerFrame, double appearAt, double goneAt) {
        int a = (int) Math.round(appearAt * frames);
        int g = (int) Math.round(goneAt * frames);
        return new DayScenario(kind, seed, frames, secondsPerFrame, a, Math.max(a, g));
    }

    /** The scripted scenario drawn underneath: its stage, zones, camera YAML and people passing. */
    public CameraScenario base() {
        CameraScenario.Kind k = kind == Kind.WATER ? CameraScenario.Kind.WATER : CameraScenario.Kind.STATIC;
        int gone = kind == Kind.WATER ? goneFrame : frames;
        return new CameraScenario(k, seed, frames, secondsPerFrame, appearFrame, gone, SceneGenerator.WIDTH, SceneGenerator.HEIGHT);
    }

    /** Time of day of a frame: 0 morning, 0.45 noon, 1 dusk. */
    public double dayAt(int frame) {
        return frame / (frames - 1.0);
    }

    /** How much snow lies in a frame, 0..1 (SNOWFALL only). */
    public double snowAt(int frame) {
        if (kind != Kind.SNOWFALL || frame < appearFrame) {
            return 0;
        }
        double t = (frame - appearFrame + 1.0) / Math.max(1, frames - appearFrame);
        return Math.min(1, 0.15 + 0.85 * t / GROW_SHARE);
    }

    /**
     * One frame as the camera saw it, with its truth: the label mask of the frame (snow where it lies, water where it
     * stands), the thing's box (null while absent), and which pixels are the white stone and plaster (DAYLIGHT).
     */
    public record Frame(int index, long millis, double day, BufferedImage image, byte[] mask, double amount, Box target,
                        boolean[] white) {

        public boolean present() {
            return target != null;
        }

        /** Share of the pixels of a rectangle (in pixels) that show {@code c}. */
        public double share(SceneClass c, int x, int y, int w, int h) {
            int n = 0;
            int width = image.getWidth();
            for (int yy = y; yy < Math.min(image.getHeight(), y + h); yy++) {
                for (int xx = x; xx < Math.min(width, x + w); xx++) {
                    n += mask[yy * width + xx] == c.ordinal() ? 1 : 0;
                }
            }
            return n / (double) (w * h);
        }

        /** Share of the pixels of a rectangle that are the white stone or plaster. */
        public double whiteShare(int x, int y, int w, int h) {
            if (white == null) {
                return 0;
            }
            int n = 0;
            int width = image.getWidth();
            for (int yy = y; yy < Math.min(image.getHeight(), y + h); yy++) {
                for (int xx = x; xx < Math.min(width, x + w); xx++) {
                    n += white[yy * width + xx] ? 1 : 0;
                }
            }
            return n / (double) (w * h);
        }
    }

    /** Draws every frame in order. About twice a plain scenario's cost (the frame is drawn twice). */
    public void render(Consumer<Frame> sink) {
        CameraScenario base = base();
        Stage plain = base.stage();
        Stage snowy = new Stage(plain.seed, new SceneRecipe(plain.setting, plain.light, List.of(), true, 0), plain.width, plain.height);
        float[] flakes = patches(new SplittableRandom(seed * 41 + 9), plain.width, plain.height);
        boolean[] white = kind == Kind.DAYLIGHT ? whiteAreas(plain) : null;
        base.render(fr -> {
            int f = fr.index();
            double snow = snowAt(f);
            byte[] mask = fr.scene().mask();
            Box target = kind == Kind.WATER ? fr.target() : snow > 0 ? boxOf(mask, SceneClass.SNOW, plain.width, plain.height) : null;
            sink.accept(new Frame(f, fr.millis(), dayAt(f), fr.scene().image(), mask, kind == Kind.WATER ? fr.amount() : snow, target, white));
        }, (g, st, recipe, f, items, noiseSeed) -> {
            Scene s = g.render(st, recipe, items, noiseSeed);
            BufferedImage img = s.image();
            byte[] mask = s.mask().clone();
            if (white != null) { // under the people: drawn where the frame without them is the same
                List<Item> still = items.stream().filter(i -> i.kind() != SceneGenerator.Kind.PEDESTRIAN).toList();
                paintWhite(img, g.render(st, recipe, still, noiseSeed).image(), white, new SplittableRandom(seed * 7 + f));
            }
            double amount = snowAt(f);
            if (amount > 0) {
                Scene sn = g.render(snowy, recipe.withSnow(true), items, noiseSeed);
                lay(img, mask, sn.image(), sn.mask(), flakes, amount);
            }
            DayLight.at(dayAt(f)).apply(img, new SplittableRandom(seed * 1_000_033L + f));
            return new Scene(s.seed(), s.recipe(), s.setting(), s.light(), img, mask, s.placed());
        });
    }

    /** Renders the clip as H.264 MP4 ({@link SceneClip#FPS} frames a second); returns the frames' truth. */
    public List<CameraScenario.Truth.Step> write(Path file) {
        List<CameraScenario.Truth.Step> steps = new ArrayList<>();
        try (ClipWriter w = new ClipWriter(file, SceneGenerator.WIDTH, SceneGenerator.HEIGHT)) {
            render(fr -> {
                w.add(fr.image());
                steps.add(new CameraScenario.Truth.Step(fr.index(), fr.millis(), fr.amount(), fr.target(), 0));
            });
        }
        return steps;
    }

    /** The camera's YAML (zones, calibration): the base scenario's. */
    public String cameraYaml(String id, String url) {
        return base().cameraYaml(id, url);
    }

    /** A smooth random field in 0..1 (blocks of 12 px, interpolated, with grain): where snow settles first. */
    private static float[] patches(SplittableRandom r, int w, int h) {
        int b = 12;
        int gw = w / b + 2;
        int gh = h / b + 2;
        double[] grid = new double[gw * gh];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = r.nextDouble();
        }
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double gx = x / (double) b;
                double gy = y / (double) b;
                int x0 = (int) gx;
                int y0 = (int) gy;
                double fx = gx - x0;
                double fy = gy - y0;
                double v = grid[y0 * gw + x0] * (1 - fx) * (1 - fy) + grid[y0 * gw + x0 + 1] * fx * (1 - fy)
                        + grid[(y0 + 1) * gw + x0] * (1 - fx) * fy + grid[(y0 + 1) * gw + x0 + 1] * fx * fy;
                out[y * w + x] = (float) Math.max(0, Math.min(1, 0.8 * v + 0.2 * r.nextDouble()));
            }
        }
        return out;
    }

    /** Snow laid over a frame: a pixel the snowed frame shows as snow turns to snow where the field is below the amount. */
    private static void lay(BufferedImage img, byte[] mask, BufferedImage snowImg, byte[] snowMask, float[] field, double amount) {
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        byte[] sp = ((DataBufferByte) snowImg.getRaster().getDataBuffer()).getData();
        byte snow = (byte) SceneClass.SNOW.ordinal();
        for (int i = 0; i < mask.length; i++) {
            if (snowMask[i] == snow && field[i] < amount) {
                mask[i] = snow;
                px[3 * i] = sp[3 * i];
                px[3 * i + 1] = sp[3 * i + 1];
                px[3 * i + 2] = sp[3 * i + 2];
            }
        }
    }

    /** The white stone forecourt on the near sidewalk and the white plastered façade behind it, as image pixels. */
    private static boolean[] whiteAreas(Stage st) {
        BufferedImage m = new BufferedImage(st.width, st.height, BufferedImage.TYPE_BYTE_GRAY);
        java.awt.Graphics2D g = m.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        double z0 = st.nearZ() * 0.7;
        double[] walk = st.walk;
        g.fill(st.groundQuad(walk[0] + 0.3, walk[1] - 0.3, z0, z0 + 9));
        g.fill(st.wall(walk[0], z0, z0 + 30, 0, 9));
        g.dispose();
        byte[] b = ((DataBufferByte) m.getRaster().getDataBuffer()).getData();
        boolean[] out = new boolean[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] != 0;
        }
        return out;
    }

    /**
     * Paints the white areas where the frame without people is the frame (so people walk over the stone): near-white
     * stone with faint joints and grain, lit as the DAY frame is.
     */
    private static void paintWhite(BufferedImage img, BufferedImage still, boolean[] white, SplittableRandom r) {
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        byte[] bg = ((DataBufferByte) still.getRaster().getDataBuffer()).getData();
        int w = img.getWidth();
        for (int i = 0; i < white.length; i++) {
            if (!white[i]) {
                continue;
            }
            int d = Math.abs((px[3 * i] & 0xFF) - (bg[3 * i] & 0xFF)) + Math.abs((px[3 * i + 1] & 0xFF) - (bg[3 * i + 1] & 0xFF))
                    + Math.abs((px[3 * i + 2] & 0xFF) - (bg[3 * i + 2] & 0xFF));
            if (d > 40) {
                continue; // a person in front
            }
            int x = i % w;
            int y = i / w;
            double joint = (x % 11 == 0 || y % 7 == 0) ? 0.9 : 1.0;
            double v = (226 + r.nextGaussian() * 3) * joint;
            px[3 * i] = (byte) Draw.clamp(v - 4);     // B
            px[3 * i + 1] = (byte) Draw.clamp(v + 1); // G
            px[3 * i + 2] = (byte) Draw.clamp(v + 3); // R: a warm white
        }
    }

    private static Box boxOf(byte[] mask, SceneClass c, int w, int h) {
        int x1 = w;
        int y1 = h;
        int x2 = -1;
        int y2 = -1;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == c.ordinal()) {
                int x = i % w;
                int y = i / w;
                x1 = Math.min(x1, x);
                y1 = Math.min(y1, y);
                x2 = Math.max(x2, x + 1);
                y2 = Math.max(y2, y + 1);
            }
        }
        return x2 < 0 ? null : Box.ofPixels(x1, y1, x2, y2, w, h);
    }
}
