package io.gridwatch.models.photos;

import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training scenes on real pictures (issue 13), in the shape of a generated {@link Scene} (image, label mask, placed
 * targets) so that tiles, tile truth and training take them as they take generated ones:
 * <ul>
 *   <li>{@link #negative}: a crop of a real photograph or artwork, 320×240, with the camera's look added (exposure,
 *   sensor noise, JPEG) — every pixel none. Lawns, paving, car bodies, façades, overcast sky and white stone are what
 *   the models called stall or snow on real photos; here they are none by construction.</li>
 *   <li>{@link #composite}: a generated scene's targets (stall, garbage, water, snow: the pixels its mask gives them)
 *   cut out and pasted onto such a crop, their brightness matched to the photo's, their edges feathered, sometimes
 *   softened to the photo's focus, then the camera's noise and JPEG over all: the targets on real backgrounds, with
 *   exact masks.</li>
 * </ul>
 * Deterministic per seed: the background, the crop, the generated scene and every random choice come from it.
 */
public final class PhotoScenes {

    /** A background picture (at most {@link WallpaperPhotos#WORK_WIDTH} across) and the tasks it may serve. */
    public record Background(String name, BufferedImage image, java.util.Set<Task> tasks, boolean photo) {
    }

    private final List<Background> backgrounds;
    private final SceneGenerator generator = new SceneGenerator();

    public PhotoScenes(List<Background> backgrounds) {
        if (backgrounds.isEmpty()) {
            throw new IllegalArgumentException("no background pictures");
        }
        this.backgrounds = List.copyOf(backgrounds);
    }

    public int size() {
        return backgrounds.size();
    }

    /**
     * The training pictures of the wallpaper manifest ({@link WallpaperPhotos}, use {@code train}), fetched on first use
     * into {@code cacheDir} and scaled once.
     */
    public static PhotoScenes wallpapers(java.nio.file.Path cacheDir, java.io.PrintStream log) {
        List<WallpaperPhotos.Entry> entries = WallpaperPhotos.manifest(WallpaperPhotos.Use.TRAIN);
        java.util.Map<WallpaperPhotos.Entry, java.nio.file.Path> files = WallpaperPhotos.files(entries, cacheDir, log);
        List<Background> out = java.util.Collections.synchronizedList(new ArrayList<>());
        entries.parallelStream().forEach(e -> out.add(new Background(e.testName(), WallpaperPhotos.workImage(e, files.get(e), cacheDir), e.tasks(), e.photo())));
        List<Background> ordered = new ArrayList<>(out);
        ordered.sort(java.util.Comparator.comparing(Background::name)); // the same order whatever the threads did
        log.printf("real pictures: %d training backgrounds from %s%n", ordered.size(), WallpaperPhotos.packages(entries).keySet());
        return new PhotoScenes(ordered);
    }

    private List<Background> forTask(Task task) {
        List<Background> b = backgrounds.stream().filter(x -> x.tasks().contains(task)).toList();
        return b.isEmpty() ? backgrounds : b;
    }

    /** A real crop, every pixel none. */
    public Scene negative(long seed, Task task) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        BufferedImage bg = crop(forTask(task), r);
        BufferedImage img = camera(bg, r);
        return new Scene(seed, SceneRecipe.distractorsOnly(0), null, null, img,
                new byte[SceneGenerator.WIDTH * SceneGenerator.HEIGHT], List.of());
    }

    /** A generated scene's targets pasted onto a real crop. */
    public Scene composite(long seed, Task task) {
        SplittableRandom r = new SplittableRandom(seed ^ 0xC2B2AE3D27D4EB4FL);
        BufferedImage bg = crop(forTask(task), r);
        SceneRecipe recipe = recipe(task, r);
        Scene gen = generator.generate(seed, recipe);
        int w = SceneGenerator.WIDTH;
        int h = SceneGenerator.HEIGHT;
        byte[] mask = gen.mask();
        byte[] g = ((DataBufferByte) gen.image().getRaster().getDataBuffer()).getData();
        byte[] b = ((DataBufferByte) bg.getRaster().getDataBuffer()).getData();
        if (task == Task.SNOW && r.nextBoolean()) {
            return realAbove(seed, recipe, gen, bg, r);
        }
        // brightness of the photo against that of the generated scene's own background: the pasted things take the light
        // of the photo (partly: a dark stall stays darker than a bright sky)
        double lb = 0;
        double lg = 0;
        int ng = 0;
        for (int i = 0; i < w * h; i++) {
            lb += luma(b, i);
            if (mask[i] == 0) {
                lg += luma(g, i);
                ng++;
            }
        }
        lb /= w * h;
        lg = ng == 0 ? lb : lg / ng;
        double k = Math.max(0.5, Math.min(1.6, Math.pow(Math.max(8, lb) / Math.max(8, lg), 0.6)));
        boolean soften = r.nextInt(10) < 3;
        double[] slush = recipe.snow() && r.nextInt(5) < 2 ? slush(r, w, h) : null;
        byte snowCls = (byte) SceneClass.SNOW.ordinal();
        byte[] out = b.clone();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (mask[i] == 0) {
                    continue;
                }
                boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || mask[i - 1] == 0 || mask[i + 1] == 0 || mask[i - w] == 0
                        || mask[i + w] == 0;
                double a = edge ? 0.5 : 1.0;
                for (int c = 0; c < 3; c++) {
                    double v = soften ? blur3(g, w, h, x, y, c) : g[i * 3 + c] & 0xFF;
                    if (slush != null && mask[i] == snowCls) {
                        // heaped, dirty snow and slush: greyed towards brown, blotched darker, the ground showing through
                        double f = slush[i];
                        v = (v * f + SLUSH_TINT[c] * (1 - f)) * (0.55 + 0.45 * f);
                        v = 0.8 * v + 0.2 * (b[i * 3 + c] & 0xFF);
                    }
                    v = Math.min(255, v * k);
                    out[i * 3 + c] = (byte) Math.round(a * v + (1 - a) * (b[i * 3 + c] & 0xFF));
                }
            }
        }
        System.arraycopy(out, 0, b, 0, out.length);
        BufferedImage img = camera(bg, r);
        List<Scene.Placed> placed = new ArrayList<>();
        for (Scene.Placed p : gen.targets()) {
            placed.add(p);
        }
        if (recipe.snow()) {
            Box sb = extent(mask, w, h, (byte) SceneClass.SNOW.ordinal());
            if (sb != null) {
                placed.add(new Scene.Placed(SceneClass.SNOW, "snow", sb));
            }
        }
        return new Scene(seed, recipe, gen.setting(), gen.light(), img, mask.clone(), placed);
    }

    /**
     * The other half of the snow model's composites: the generated street with its snow kept from the snow's top row down,
     * and above it the real picture (a 6-row blend): real sky, walls and trees over snow lying on the ground. Pasting
     * generated snow onto a real crop put it wherever the generated scene had it — often over the photo's sky — and the
     * snow model trained on that called more real sky and white walls snow, not less (models/README.md).
     */
    private Scene realAbove(long seed, SceneRecipe recipe, Scene gen, BufferedImage bg, SplittableRandom r) {
        int w = SceneGenerator.WIDTH;
        int h = SceneGenerator.HEIGHT;
        byte[] mask = gen.mask().clone();
        byte snowCls = (byte) SceneClass.SNOW.ordinal();
        int top = h;
        for (int i = 0; i < mask.length && top == h; i++) {
            if (mask[i] == snowCls) {
                top = i / w;
            }
        }
        top = Math.max(0, top - 2 - r.nextInt(12)); // a strip of the generated street above the snow's edge, as kerbs and walls
        byte[] g = ((DataBufferByte) gen.image().getRaster().getDataBuffer()).getData();
        byte[] b = ((DataBufferByte) bg.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            double a = Math.max(0, Math.min(1, (y - top + 6) / 6.0)); // 0: the photo, 1: the generated street
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (a < 1) {
                    mask[i] = a == 0 ? 0 : mask[i];
                }
                for (int c = 0; c < 3; c++) {
                    b[i * 3 + c] = (byte) Math.round(a * (g[i * 3 + c] & 0xFF) + (1 - a) * (b[i * 3 + c] & 0xFF));
                }
            }
        }
        BufferedImage img = camera(bg, r);
        List<Scene.Placed> placed = new ArrayList<>(gen.targets());
        Box sb = extent(mask, w, h, snowCls);
        if (sb != null) {
            placed.add(new Scene.Placed(SceneClass.SNOW, "snow", sb));
        }
        return new Scene(seed, recipe, gen.setting(), gen.light(), img, mask, placed);
    }

    /** The grey-brown (B, G, R) that old snow and slush take on from the street. */
    private static final double[] SLUSH_TINT = {70, 82, 96};

    /**
     * Per pixel, how clean the snow stays (0.35–1): a coarse random grid (40 px cells) interpolated, so that dirt comes
     * in blotches and wheel-worn bands as on a street days after a snowfall. Issue 13: heaped, dirty snow at dusk was
     * called water; generated snow alone is fresh and even.
     */
    private static double[] slush(SplittableRandom r, int w, int h) {
        int gw = w / 40 + 2;
        int gh = h / 40 + 2;
        double[] grid = new double[gw * gh];
        double base = 0.35 + 0.4 * r.nextDouble();
        for (int i = 0; i < grid.length; i++) {
            grid[i] = Math.min(1, base + 0.5 * r.nextDouble());
        }
        double[] out = new double[w * h];
        for (int y = 0; y < h; y++) {
            double gy = y / 40.0;
            int y0 = (int) gy;
            double fy = gy - y0;
            for (int x = 0; x < w; x++) {
                double gx = x / 40.0;
                int x0 = (int) gx;
                double fx = gx - x0;
                double top = grid[y0 * gw + x0] * (1 - fx) + grid[y0 * gw + x0 + 1] * fx;
                double bottom = grid[(y0 + 1) * gw + x0] * (1 - fx) + grid[(y0 + 1) * gw + x0 + 1] * fx;
                out[y * w + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return out;
    }

    private static SceneRecipe recipe(Task task, SplittableRandom r) {
        List<SceneClass> objects = new ArrayList<>();
        SceneClass[] kinds = {SceneClass.STALL, SceneClass.GARBAGE, SceneClass.WATER};
        boolean snow = task == Task.SNOW || r.nextInt(8) == 0;
        int n = task == Task.SNOW ? r.nextInt(2) : 1 + r.nextInt(2);
        for (int i = 0; i < n; i++) {
            SceneClass c = kinds[r.nextInt(kinds.length)];
            if (!(snow && c == SceneClass.WATER)) {
                objects.add(c);
            }
        }
        return new SceneRecipe(null, r.nextInt(4) == 0 ? SceneRecipe.Light.DUSK : SceneRecipe.Light.DAY, objects, snow, 0);
    }

    /** Photographs are drawn this often when there are any: they, not the artwork, are what cameras see. */
    static final double PHOTO_SHARE = 0.7;

    /**
     * A 4:3 crop of a random background (a photograph {@link #PHOTO_SHARE} of the time) covering 25–100 % of its width (a wide view or a close one), scaled to 320×240,
     * mirrored half the time.
     */
    private static BufferedImage crop(List<Background> from, SplittableRandom r) {
        List<Background> photos = from.stream().filter(Background::photo).toList();
        List<Background> pool = !photos.isEmpty() && r.nextDouble() < PHOTO_SHARE ? photos : from;
        BufferedImage src = pool.get(r.nextInt(pool.size())).image();
        int sw = src.getWidth();
        int sh = src.getHeight();
        int maxW = Math.min(sw, sh * 4 / 3);
        int cw = Math.max(Math.min(maxW, 80), (int) (maxW * (0.25 + 0.75 * r.nextDouble())));
        int ch = cw * 3 / 4;
        int x = r.nextInt(sw - cw + 1);
        int y = r.nextInt(sh - ch + 1);
        BufferedImage c = src.getSubimage(x, y, cw, ch);
        BufferedImage out = WallpaperPhotos.bgr(c, SceneGenerator.WIDTH, SceneGenerator.HEIGHT);
        if (r.nextBoolean()) {
            BufferedImage m = new BufferedImage(out.getWidth(), out.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = m.createGraphics();
            g.drawImage(out, out.getWidth(), 0, -out.getWidth(), out.getHeight(), null);
            g.dispose();
            out = m;
        }
        return out;
    }

    /** Exposure (0.55–1.3, sometimes a warm dusk cast), sensor noise and JPEG at quality 35–90, as a camera stream has. */
    private static BufferedImage camera(BufferedImage img, SplittableRandom r) {
        byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        double gain = 0.55 + 0.75 * r.nextDouble();
        boolean dusk = r.nextInt(6) == 0;
        double sigma = 1.5 + 4 * r.nextDouble();
        for (int i = 0; i < d.length; i++) {
            int ch = i % 3; // B, G, R
            double cast = dusk ? (ch == 0 ? 0.72 : ch == 1 ? 0.85 : 1.0) : 1.0;
            d[i] = (byte) clamp((d[i] & 0xFF) * gain * cast + r.nextGaussian() * sigma);
        }
        return SceneGenerator.jpeg(img, 0.35f + (float) r.nextDouble() * 0.55f);
    }

    private static double blur3(byte[] g, int w, int h, int x, int y, int c) {
        double s = 0;
        int n = 0;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = Math.max(0, Math.min(w - 1, x + dx));
                int yy = Math.max(0, Math.min(h - 1, y + dy));
                s += g[(yy * w + xx) * 3 + c] & 0xFF;
                n++;
            }
        }
        return s / n;
    }

    private static double luma(byte[] bgr, int i) {
        return 0.114 * (bgr[i * 3] & 0xFF) + 0.587 * (bgr[i * 3 + 1] & 0xFF) + 0.299 * (bgr[i * 3 + 2] & 0xFF);
    }

    private static Box extent(byte[] mask, int w, int h, byte cls) {
        int x1 = w;
        int y1 = h;
        int x2 = -1;
        int y2 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask[y * w + x] == cls) {
                    x1 = Math.min(x1, x);
                    y1 = Math.min(y1, y);
                    x2 = Math.max(x2, x);
                    y2 = Math.max(y2, y);
                }
            }
        }
        return x2 < 0 ? null : new Box((double) x1 / w, (double) y1 / h, (double) (x2 + 1) / w, (double) (y2 + 1) / h);
    }

    private static int clamp(double v) {
        return v < 0 ? 0 : v > 255 ? 255 : (int) Math.round(v);
    }
}
