package io.gridwatch.jobs;

import io.gridwatch.camera.CameraZone;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.reference.ViewReference;
import io.gridwatch.models.tiles.Tiles;
import io.gridwatch.video.SceneBaseline;
import io.gridwatch.video.TileFrame;
import io.gridwatch.video.WatchedObject;
import io.gridwatch.video.WatchedZone;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the committed tile models (models/: the objects model for stall, garbage, water; the snow model) over a frame
 * and gives every tile's scores and grey thumbnail as a {@link TileFrame}: the detector's output before any tracking.
 * One per operator instance (the models are loaded once, ~0.1 s); not thread-safe.
 *
 * <p>{@link #analyse(String, BufferedImage, long, List)} — what the video job calls — does only the work detection needs:
 * <ul>
 *   <li><b>Zones only.</b> The nets score the tiles whose centre lies in one of the camera's zones (a tile belongs to the
 *   zone its centre is in: {@link WatchedZone}) and the ring of {@link #MARGIN} grid tiles around them, which the
 *   neighbourhood stage reads as context; every other tile is never scored (score 0 in the frame: the scene baseline and
 *   the trackers only ever consult zone tiles). The neighbourhood stage sees an unscored tile as surely nothing.</li>
 *   <li><b>Changed tiles only.</b> The nets' first-stage scores of a tile are kept per camera with the tile's thumbnail;
 *   a tile is scored again when a cell of its thumbnail moved {@link #RESCORE_CELL} grey levels or more since it was
 *   scored, when its scores are {@link #RESCORE_AFTER_MS} old, or when time ran back; otherwise its scores are reused.
 *   Given the camera's {@link SceneBaseline}, a tile that differs from it (a possible candidate) and every tile while it
 *   learns are scored in every frame: reuse is kept to tiles that look like the camera's usual scene.
 *   The neighbourhood stage and the decision factors run over the whole grid every frame (they are cheap), so a tile
 *   next to a changed one gets its revised context.</li>
 * </ul>
 * The per-camera memory is not Flink state: after a restart the first frame of each camera is scored in full. It holds
 * at most {@link #MEMORY_CAMERAS} cameras (≈ 4 KB each at 16:9), least recently seen dropped first.
 */
public final class TileAnalyser {

    /** Grid tiles around the zones' tiles scored as context for the neighbourhood stage. */
    public static final int MARGIN = 1;
    /** A thumbnail cell that moved this many grey levels (0..255) since its tile was scored makes the tile scored again. */
    public static final int RESCORE_CELL = 10;
    /** Scores older than this (stream time) are renewed even for a tile that did not change. */
    public static final long RESCORE_AFTER_MS = 60_000;
    /** A tile whose water or snow score, judged against the view reference, reaches this is not learned into it. */
    public static final float REFERENCE_HOLD = 0.3f;
    /** Cameras whose scores are kept. */
    public static final int MEMORY_CAMERAS = 4096;

    private final TileClassifier objects;
    private final TileClassifier snow;
    private final int[] objectColumn = new int[WatchedObject.values().length];
    private final int margin;
    private final Map<String, Memory> memory = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Memory> e) {
            return size() > MEMORY_CAMERAS;
        }
    };
    private final Stats stats = new Stats();
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public TileAnalyser() {
        this(TileClassifier.committed(Task.OBJECTS), TileClassifier.committed(Task.SNOW), MARGIN);
    }

    TileAnalyser(TileClassifier objects, TileClassifier snow, int margin) {
        this.objects = objects;
        this.snow = snow;
        this.margin = margin;
        List<SceneClass> classes = objects.task().classes();
        for (WatchedObject o : WatchedObject.values()) {
            objectColumn[o.ordinal()] = classes.indexOf(SceneClass.of(o.id())); // -1 for snow: the snow model's
        }
    }

    /** Work done so far (thread CPU of the calling thread), for benchmarks. */
    public Stats stats() {
        return stats;
    }

    /** Every tile of the frame scored, no memory: the models' plain view of one picture. */
    public TileFrame analyse(BufferedImage frame, long ts) {
        return analyse(null, frame, ts, List.of());
    }

    /**
     * One frame of a camera: the zones' tiles (and their margin) scored where they changed, the rest as the class doc says.
     *
     * @param cameraId whose scores to reuse; null for none (every tile of the scored set is scored)
     * @param zones    the camera's zones; empty: the whole picture
     */
    public TileFrame analyse(String cameraId, BufferedImage frame, long ts, List<CameraZone> zones) {
        return analyse(cameraId, frame, ts, zones, null);
    }

    /**
     * As {@link #analyse(String, BufferedImage, long, List)}, knowing the camera's scene baseline (what the video job does):
     * while the baseline learns, every tile of the scored set is scored in every frame (it keeps the highest score each tile
     * showed, which reuse would sample less often); afterwards a tile that differs from the baseline — only such a tile can
     * become a candidate ({@link SceneBaseline#candidate}) — is scored in every frame as the plain analysis would, and only
     * tiles that look like the scene reuse their scores while their thumbnail stays put.
     *
     * @param baseline the camera's baseline before this frame, or null (then reuse goes by the thumbnail alone)
     */
    public TileFrame analyse(String cameraId, BufferedImage frame, long ts, List<CameraZone> zones, SceneBaseline baseline) {
        return analyse(cameraId, frame, ts, zones, baseline, null);
    }

    /**
     * As {@link #analyse(String, BufferedImage, long, List, SceneBaseline)}, judging water and snow against the camera's
     * view reference (参照画面, models' {@link ViewReference}; what the video job does): each tile's water score is
     * multiplied by how far the tile changed from the reference the way water changes a view (wet sheen, darker, smoothed)
     * and its snow score by how far it whitened (brighter against the frame's light, no colour or texture gained). A white
     * façade, white stone or an overcast sky that the snow model calls snow every day has not whitened against itself, so
     * its snow score is 0 here; snow that fell keeps its score. Stall and garbage scores are left alone (what appears and
     * stays is the trackers' business). While the reference learns (its first {@link ViewReference#LEARN_FRAMES} frames)
     * water and snow score 0. The reference then learns from this frame, except in tiles whose judged water or snow score
     * is {@link #REFERENCE_HOLD} or more.
     *
     * @param reference the camera's reference, judged against and updated in place; null: the plain scores
     */
    public TileFrame analyse(String cameraId, BufferedImage frame, long ts, List<CameraZone> zones, SceneBaseline baseline,
                             ViewReference reference) {
        long t0 = CPU.getCurrentThreadCpuTime();
        BufferedImage work = Tiles.workFrame(frame);
        int w = work.getWidth();
        int h = work.getHeight();
        List<int[]> grid = Tiles.grid(w, h);
        int cols = Tiles.columns(w);
        int rows = Tiles.rows(h);
        int n = grid.size();
        int[] xs = new int[n];
        int[] ys = new int[n];
        byte[][] thumbs = new byte[n][];
        byte[] bgr = ((DataBufferByte) work.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < n; i++) {
            xs[i] = grid.get(i)[0];
            ys[i] = grid.get(i)[1];
            thumbs[i] = thumbnail(bgr, w, xs[i], ys[i]);
        }
        Memory m = cameraId == null ? null : memory.get(cameraId);
        if (m == null || m.width != w || m.height != h || !m.zones.equals(zones)) {
            m = new Memory(w, h, zones, scoredSet(zones, w, h, xs, ys, cols, rows, margin), objects.task().classes().size(),
                    snow.task().classes().size());
            if (cameraId != null) {
                memory.put(cameraId, m);
            }
        }
        boolean[] live = new boolean[n];
        if (baseline != null) {
            TileFrame layout = new TileFrame(ts, w, h, Tiles.SIZE, xs, ys, thumbs, new float[n][WatchedObject.values().length]);
            if (baseline.learning() || !baseline.fits(layout)) {
                Arrays.fill(live, true);
            } else {
                double[] diff = baseline.compare(layout);
                for (int i = 0; i < n; i++) {
                    live[i] = diff[i] >= SceneBaseline.CHANGE_MIN;
                }
            }
        }
        List<Integer> due = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (m.scored[i] && (live[i] || m.scoredAt[i] == Long.MIN_VALUE || ts < m.scoredAt[i] || ts - m.scoredAt[i] >= RESCORE_AFTER_MS
                    || moved(thumbs[i], m.reference[i]))) {
                due.add(i);
            }
        }
        long t1 = CPU.getCurrentThreadCpuTime();
        if (!due.isEmpty()) {
            List<byte[]> tiles = new ArrayList<>(due.size());
            for (int i : due) {
                tiles.add(Tiles.cut(work, xs[i], ys[i], false));
            }
            float[][] po = objects.tileScores(tiles);
            float[][] ps = snow.tileScores(tiles);
            for (int k = 0; k < due.size(); k++) {
                int i = due.get(k);
                m.objects[i] = po[k];
                m.snow[i] = ps[k];
                m.reference[i] = thumbs[i];
                m.scoredAt[i] = ts;
            }
        }
        long t2 = CPU.getCurrentThreadCpuTime();
        float[][] po = objects.decide(m.objects, cols, rows);
        float[][] ps = snow.decide(m.snow, cols, rows);
        float[][] scores = new float[n][WatchedObject.values().length];
        for (int i = 0; i < n; i++) {
            if (!m.scored[i]) {
                continue; // never scored: 0, and nothing consults it
            }
            for (WatchedObject o : WatchedObject.values()) {
                int c = objectColumn[o.ordinal()];
                scores[i][o.ordinal()] = c >= 0 ? po[i][c] : ps[i][1];
            }
        }
        long t3 = CPU.getCurrentThreadCpuTime();
        if (reference != null) {
            ViewReference.Measures measures = ViewReference.measure(work);
            ViewReference.Judgement j = reference.judge(measures, xs, ys);
            int water = WatchedObject.WATER.ordinal();
            int snowy = WatchedObject.SNOW.ordinal();
            boolean[] hold = new boolean[n];
            for (int i = 0; i < n; i++) {
                scores[i][water] *= (float) j.wet()[i];
                scores[i][snowy] *= (float) j.white()[i];
                hold[i] = scores[i][water] >= REFERENCE_HOLD || scores[i][snowy] >= REFERENCE_HOLD;
            }
            reference.learn(ts, measures, j, xs, ys, hold);
        }
        long t4 = CPU.getCurrentThreadCpuTime();
        stats.referenceNs.add(t4 - t3);
        stats.frames.increment();
        stats.tiles.add(n);
        stats.inScoredSet.add(m.count);
        stats.scored.add(due.size());
        stats.prepareNs.add(t1 - t0);
        stats.netsNs.add(t2 - t1);
        stats.contextNs.add(t3 - t2);
        return new TileFrame(ts, w, h, Tiles.SIZE, xs, ys, thumbs, scores);
    }

    /** Tiles whose centre lies in a zone, and those within {@code margin} grid steps of one; every tile when there are no zones. */
    static boolean[] scoredSet(List<CameraZone> zones, int w, int h, int[] xs, int[] ys, int cols, int rows, int margin) {
        int n = xs.length;
        boolean[] out = new boolean[n];
        if (zones.isEmpty()) {
            Arrays.fill(out, true);
            return out;
        }
        // the zones' tiles exactly as the scene decides them (WatchedZone: the tile's centre), on a frame without content
        byte[][] none = new byte[n][TileFrame.THUMB * TileFrame.THUMB];
        float[][] zero = new float[n][WatchedObject.values().length];
        TileFrame layout = new TileFrame(0, w, h, Tiles.SIZE, xs, ys, none, zero);
        boolean[] in = new boolean[n];
        for (CameraZone z : zones) {
            boolean[] t = WatchedZone.of(z, layout).tiles();
            for (int i = 0; i < n; i++) {
                in[i] |= t[i];
            }
        }
        for (int i = 0; i < n; i++) {
            if (!in[i]) {
                continue;
            }
            int gx = i % cols;
            int gy = i / cols;
            for (int y = Math.max(0, gy - margin); y <= Math.min(rows - 1, gy + margin); y++) {
                for (int x = Math.max(0, gx - margin); x <= Math.min(cols - 1, gx + margin); x++) {
                    out[y * cols + x] = true;
                }
            }
        }
        return out;
    }

    private static boolean moved(byte[] now, byte[] then) {
        if (then == null) {
            return true;
        }
        for (int p = 0; p < now.length; p++) {
            if (Math.abs((now[p] & 0xFF) - (then[p] & 0xFF)) >= RESCORE_CELL) {
                return true;
            }
        }
        return false;
    }

    /** One camera's first-stage scores (as the nets gave them, before the neighbourhood stage) and what they were taken of. */
    private static final class Memory {
        final int width;
        final int height;
        final List<CameraZone> zones;
        final boolean[] scored;
        final int count;
        final float[][] objects;
        final float[][] snow;
        final byte[][] reference;
        final long[] scoredAt;

        Memory(int width, int height, List<CameraZone> zones, boolean[] scored, int objectClasses, int snowClasses) {
            this.width = width;
            this.height = height;
            this.zones = List.copyOf(zones);
            this.scored = scored;
            int c = 0;
            for (boolean b : scored) {
                c += b ? 1 : 0;
            }
            this.count = c;
            int n = scored.length;
            this.objects = new float[n][];
            this.snow = new float[n][];
            this.reference = new byte[n][];
            this.scoredAt = new long[n];
            Arrays.fill(scoredAt, Long.MIN_VALUE);
            for (int i = 0; i < n; i++) { // what the neighbourhood stage reads for a tile never scored: surely nothing
                objects[i] = nothing(objectClasses);
                snow[i] = nothing(snowClasses);
            }
        }

        private static float[] nothing(int k) {
            float[] p = new float[k];
            p[0] = 1; // class 0 is "none" in every task
            return p;
        }
    }

    /** Counters of the work done, over all calls; thread CPU nanoseconds of the calling thread. */
    public static final class Stats {
        final LongAdder frames = new LongAdder();
        final LongAdder tiles = new LongAdder();
        final LongAdder inScoredSet = new LongAdder();
        final LongAdder scored = new LongAdder();
        final LongAdder prepareNs = new LongAdder();
        final LongAdder netsNs = new LongAdder();
        final LongAdder contextNs = new LongAdder();
        final LongAdder referenceNs = new LongAdder();

        public long frames() {
            return frames.sum();
        }

        /** Grid tiles of all frames. */
        public long tiles() {
            return tiles.sum();
        }

        /** Tiles in the zones or their margin, of all frames. */
        public long inScoredSet() {
            return inScoredSet.sum();
        }

        /** Tiles the nets actually scored (each through both models). */
        public long scored() {
            return scored.sum();
        }

        /** Scale to the working width, grey thumbnails, the change test. */
        public long prepareNs() {
            return prepareNs.sum();
        }

        /** Cutting the due tiles and both nets on them. */
        public long netsNs() {
            return netsNs.sum();
        }

        /** Both models' neighbourhood stage and decision factors over the whole grid. */
        public long contextNs() {
            return contextNs.sum();
        }

        /** The view reference: measuring the frame's cells, judging water and snow, learning. */
        public long referenceNs() {
            return referenceNs.sum();
        }
    }

    /**
     * Decodes a frame's JPEG no larger than the tile models need: libjpeg scales by 1/2, 1/4 or 1/8 inside the inverse DCT
     * (OpenCV's reduced modes), down to the smallest picture still at least {@link Tiles#WORK_WIDTH} wide — a 1280×720
     * frame comes out 320×180 at a fraction of the cost of decoding it whole (which {@link Tiles#workFrame} would then
     * shrink again). Null when the bytes are not a JPEG OpenCV can read.
     */
    public static BufferedImage decode(byte[] jpeg) {
        int width = jpegWidth(jpeg);
        int flags = opencv_imgcodecs.IMREAD_COLOR;
        if (width >= Tiles.WORK_WIDTH * 8) {
            flags = opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
        } else if (width >= Tiles.WORK_WIDTH * 4) {
            flags = opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
        } else if (width >= Tiles.WORK_WIDTH * 2) {
            flags = opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
        }
        try (Mat encoded = new Mat(jpeg); Mat m = opencv_imgcodecs.imdecode(encoded, flags)) {
            if (m == null || m.empty() || m.channels() != 3) {
                return null;
            }
            BufferedImage img = new BufferedImage(m.cols(), m.rows(), BufferedImage.TYPE_3BYTE_BGR);
            byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            if (m.isContinuous()) {
                m.data().get(data);
            } else {
                int row = m.cols() * 3;
                for (int y = 0; y < m.rows(); y++) {
                    m.ptr(y).get(data, y * row, row);
                }
            }
            return img;
        }
    }

    /** The width in a JPEG's frame header (SOF0..SOF15 but DHT, JPG, DAC); -1 when there is none. */
    static int jpegWidth(byte[] b) {
        int p = 2;
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            return -1;
        }
        while (p + 4 <= b.length) {
            if ((b[p] & 0xFF) != 0xFF) {
                return -1;
            }
            int marker = b[p + 1] & 0xFF;
            if (marker == 0xFF) {
                p++;
                continue;
            }
            int len = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return p + 9 <= b.length ? ((b[p + 7] & 0xFF) << 8) | (b[p + 8] & 0xFF) : -1;
            }
            p += 2 + len;
        }
        return -1;
    }

    /** The tile's grey mean over THUMB × THUMB blocks. */
    private static byte[] thumbnail(byte[] bgr, int width, int x0, int y0) {
        int t = TileFrame.THUMB;
        int block = Tiles.SIZE / t;
        byte[] out = new byte[t * t];
        for (int by = 0; by < t; by++) {
            for (int bx = 0; bx < t; bx++) {
                int sum = 0;
                for (int y = 0; y < block; y++) {
                    int row = ((y0 + by * block + y) * width + x0 + bx * block) * 3;
                    for (int x = 0; x < block; x++) {
                        int p = row + x * 3;
                        sum += (bgr[p] & 0xFF) * 29 + (bgr[p + 1] & 0xFF) * 150 + (bgr[p + 2] & 0xFF) * 77;
                    }
                }
                out[by * t + bx] = (byte) (sum / (block * block * 256));
            }
        }
        return out;
    }
}
