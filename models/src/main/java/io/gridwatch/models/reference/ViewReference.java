package io.gridwatch.models.reference;

import io.gridwatch.models.tiles.Tiles;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * 参照画面 — one camera's view reference: per tile of the 64×64 grid ({@link Tiles}), what the same view looks like dry
 * and clear, so that water and snow are judged by how the view <em>changed</em> from it rather than by what a tile looks
 * like alone. A white façade, white stone or an overcast sky is white every day, and the snow model may call it snow
 * every day; it is not whiter than its own reference, so it is not snow. Snow that fell whitens a tile (brighter
 * against the rest of the frame, colour and texture not gained); water makes it darker or mirror-bright against the
 * frame, or smooth (texture lost), never more textured.
 *
 * <p><b>What is kept</b>, per tile, three measures that light over a day leaves nearly alone ({@link Measures}):
 * brightness relative to the frame's light (log2), texture (mean gradient over the mean brightness, log2) and chroma
 * (colour spread over brightness). Each is a ratio, so the sun's level and the camera's auto exposure cancel; its
 * colour does not quite (dusk is orange), nor a side light that swings across the view, which is why each measure keeps
 * its own typical deviation (learned with it) and the tolerances are multiples of that spread, with floors.
 *
 * <p><b>The frame's light</b> is not the mean of the frame (snow over most of the ground would raise it and hide
 * itself) but a low percentile ({@link #LIGHT_PERCENTILE}) of what each tile implies given its reference: snow must
 * cover more than 60 % of the tiles before it shifts it.
 *
 * <p><b>Learning</b>: the first {@link #LEARN_FRAMES} frames are averaged as they are (a camera's reference starts from
 * the view it is installed on; snow lying then is taken as the view, as {@code SceneBaseline} takes it). Afterwards a
 * cell moves towards the frame (time constant {@link #TAU_MS}) only while it is judged clear (neither factor above
 * {@link #CLEAR}) and not held by the caller (a tile where water or snow is being reported), each step clipped to
 * {@link #STEP_SPREADS} spreads, so a passer-by or a slowly thickening snow cover cannot drag it along, while slow
 * light changes (the swing of the sun) are followed.
 *
 * <p><b>Size</b>: {@link #BYTES_PER_TILE} bytes a tile in {@link #write}: 63 tiles at 320×240, ≈ 0.8 KB a camera.
 */
public final class ViewReference {

    /** Frames averaged as they are before anything is judged. */
    public static final int LEARN_FRAMES = 5;
    /**
     * Time constant of the reference afterwards (stream time): a clear frame is taken in at {@code 1 − e^(−Δt/τ)}, Δt the
     * time since the frame before (at most {@link #MAX_STEP_MS}). Hours, because snow that falls slowly must not be
     * learned before it shows: a cell whitening at a steady pace leaves the reference behind by pace × τ, which must
     * exceed the tolerance (snow over 3 h: τ ≥ 2 h); light over a day moves slowly enough to be followed at that.
     */
    public static final long TAU_MS = 4 * 3_600_000L;
    /** The longest gap between two frames counted as time to learn over (a camera off for a day learns no faster). */
    public static final long MAX_STEP_MS = 15 * 60_000L;
    /** A cell is learned only while both its factors are below this. */
    public static final double CLEAR = 0.1;
    /** A learning step moves a measure at most this many of its spreads. */
    public static final double STEP_SPREADS = 2.5;
    /** Tolerance in spreads: a change below {@code TOL} spreads counts for nothing, from {@code 2·TOL} in full. */
    public static final double TOL = 3;
    /** Floors of the tolerance (brightness log2, texture log2, chroma): a view that never moved still has these. */
    static final double[] FLOOR = {0.3, 0.35, 0.05};
    /**
     * The frame's common shift of each measure: this percentile of what the cells imply given their reference. Snow
     * raises brightness and lowers chroma, so brightness takes a low percentile and chroma a high one: snow must cover
     * more than 60 % of the view before it moves the frame's own level.
     */
    static final double[] SHIFT_PERCENTILE = {0.35, 0.5, 0.6};
    /** The frame's noise is the texture of its flattest cells: this percentile of the cells' mean gradient. */
    static final double NOISE_PERCENTILE = 0.1;
    /** Cell side in working-frame pixels: a tile (64 px) spans 4×4 cells, and shares them with its overlapping neighbours. */
    public static final int CELL = 16;
    /** Of a tile's cells, the most changed this share decide its factor (a puddle's band, the first patch of snow). */
    public static final double TOP_SHARE = 0.125;
    /** Bytes a cell in {@link #write}: mean and spread of three measures, as shorts. */
    public static final int BYTES_PER_CELL = 12;

    static final int B = 0;
    static final int T = 1;
    static final int C = 2;
    static final int M = 3;

    private int cols = -1;
    private int rows = -1;
    private int learned;
    private long lastTs = Long.MIN_VALUE;
    private float[] mean = new float[0];
    private float[] spread = new float[0];

    /**
     * One frame's measures per cell ({@link #CELL} px square, row by row, {@code cols × rows}): {@code v[cell·3 + k]}
     * for k = brightness (log2 of the mean), texture (log2 of the mean absolute gradient at quarter resolution, less the
     * frame's noise, over the mean brightness) and chroma (colour spread over brightness).
     */
    public record Measures(int cols, int rows, double[] v) {

        public int cells() {
            return cols * rows;
        }
    }

    /**
     * How the view changed from the reference: per cell and, for the tiles asked about, per tile; 0 unchanged … 1 surely.
     *
     * @param white whitening per tile (the factor for snow)
     * @param wet   wet sheen, darkening or lost texture per tile (the factor for water)
     * @param shift the frame's common shift of each measure (light, noise, colour of the hour) that was taken out
     */
    public record Judgement(double[] white, double[] wet, double[] cellWhite, double[] cellWet, double[] shift) {
    }

    public boolean learning() {
        return learned < LEARN_FRAMES;
    }

    public int learnedFrames() {
        return learned;
    }

    /** Cells kept (0 before the first frame). */
    public int cells() {
        return cols < 0 || rows < 0 ? 0 : cols * rows;
    }

    /**
     * The measures of a working frame ({@code TYPE_3BYTE_BGR}, as {@link Tiles#workFrame} gives it): brightness and
     * chroma from 2×2 means, texture from 4×4 means (what sensor noise, amplified at dusk, leaves least of).
     * ≈ 0.3 ms at 320×240.
     */
    public static Measures measure(BufferedImage work) {
        int w = work.getWidth();
        int h = work.getHeight();
        byte[] bgr = ((DataBufferByte) work.getRaster().getDataBuffer()).getData();
        int qw = w / 4;
        int qh = h / 4;
        float[] q = new float[qw * qh];
        int cols = (w + CELL - 1) / CELL;
        int rows = (h + CELL - 1) / CELL;
        double[] sumL = new double[cols * rows];
        double[] sumSpan = new double[cols * rows];
        int[] count = new int[cols * rows];
        for (int y = 0; y + 1 < h; y += 2) {
            int crow = (y / CELL) * cols;
            for (int x = 0; x + 1 < w; x += 2) {
                int b = 0;
                int g = 0;
                int r = 0;
                for (int dy = 0; dy < 2; dy++) {
                    int at = ((y + dy) * w + x) * 3;
                    b += (bgr[at] & 0xFF) + (bgr[at + 3] & 0xFF);
                    g += (bgr[at + 1] & 0xFF) + (bgr[at + 4] & 0xFF);
                    r += (bgr[at + 2] & 0xFF) + (bgr[at + 5] & 0xFF);
                }
                float l = (0.114f * b + 0.587f * g + 0.299f * r) / 4;
                int c = crow + x / CELL;
                sumL[c] += l;
                sumSpan[c] += (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b))) / 4.0;
                count[c]++;
                if (x / 4 < qw && y / 4 < qh) {
                    q[(y / 4) * qw + x / 4] += l / 4;
                }
            }
        }
        double[] grad = new double[cols * rows];
        int[] gcount = new int[cols * rows];
        int qc = CELL / 4;
        for (int y = 0; y < qh; y++) {
            for (int x = 0; x < qw; x++) {
                int c = (y / qc) * cols + x / qc;
                float l = q[y * qw + x];
                if (x + 1 < qw && (x + 1) / qc == x / qc) {
                    grad[c] += Math.abs(q[y * qw + x + 1] - l);
                    gcount[c]++;
                }
                if (y + 1 < qh && (y + 1) / qc == y / qc) {
                    grad[c] += Math.abs(q[(y + 1) * qw + x] - l);
                    gcount[c]++;
                }
            }
        }
        // the frame's noise: what the flattest cells show as texture (their gradient is the sensor's noise and the
        // codec's grain, which change with the light: half of noon's on a dusk frame, amplified by the exposure)
        double[] g = new double[cols * rows];
        for (int c = 0; c < g.length; c++) {
            g[c] = grad[c] / Math.max(1, gcount[c]);
        }
        double[] sorted = g.clone();
        Arrays.sort(sorted);
        double noise = sorted.length == 0 ? 0 : sorted[(int) ((sorted.length - 1) * NOISE_PERCENTILE)];
        double[] v = new double[cols * rows * M];
        for (int c = 0; c < cols * rows; c++) {
            double ml = sumL[c] / Math.max(1, count[c]);
            v[c * M + B] = log2(ml + 4);
            v[c * M + T] = log2((Math.max(0, g[c] - noise) + 1) / (ml + 8));
            v[c * M + C] = sumSpan[c] / Math.max(1, count[c]) / (ml + 8);
        }
        return new Measures(cols, rows, v);
    }

    /**
     * How each cell changed from the reference, and each tile (given by its top-left corner in the working frame) as
     * the mean of its {@link #TOP_SHARE} most changed cells. While learning, or for another frame size, every factor is 0:
     * nothing is known yet to have changed.
     */
    public Judgement judge(Measures m, int[] xs, int[] ys) {
        int n = m.cells();
        double[] cw = new double[n];
        double[] cx = new double[n];
        if (learning() || m.cols() != cols || m.rows() != rows) {
            return new Judgement(new double[xs.length], new double[xs.length], cw, cx, shift(m, false));
        }
        double[] shift = shift(m, true);
        for (int c = 0; c < n; c++) {
            double db = m.v()[c * M + B] - shift[B] - mean[c * M + B];
            double dt = m.v()[c * M + T] - shift[T] - mean[c * M + T];
            double dc = m.v()[c * M + C] - shift[C] - mean[c * M + C];
            double tb = tol(c, B);
            double tt = tol(c, T);
            double tc = tol(c, C);
            double brighter = ramp(db, tb);
            double darker = ramp(-db, tb);
            double textureGained = ramp(dt, tt);
            double textureLost = ramp(-dt, tt);
            double colourGained = ramp(dc, tc);
            // snow: brighter against the frame, not more coloured, not more textured. Colour lost is no evidence of its own:
            // under dusk's orange light pale and coloured surfaces shift their chroma differently (measured: a white façade
            // "lost" 0.1–0.2 of chroma against the frame's median shift at dusk, as much as snow on paving at noon)
            // Texture lost adds to it in proportion to the brightening there is (snow smooths what it covers; a surface in
            // the noon sun may lose its fine texture to clipping, but is then not brighter against the frame)
            double towards = Math.max(0, Math.min(1, db / tb));
            cw[c] = Math.min(1, brighter + 0.5 * textureLost * towards) * (1 - colourGained) * (1 - textureGained);
            // water: darker (wet), mirror-bright or coloured (sheen, the sky in it), or smoothed; its edge against the dry
            // ground may well add texture at this scale, so texture gained does not count against it
            // (colour gained counts in proportion to the brightness change there is: at noon clipped white surfaces gain
            // 0.1–0.2 of chroma against the frame with no change of brightness, and that is no water)
            double moved = Math.max(0, Math.min(1, Math.abs(db) / tb));
            cx[c] = Math.min(1, Math.max(darker, brighter) + textureLost + colourGained * moved);
        }
        return new Judgement(perTile(cw, xs, ys), perTile(cx, xs, ys), cw, cx, shift);
    }

    /** Per tile, the mean of its most changed cells. */
    private double[] perTile(double[] cell, int[] xs, int[] ys) {
        double[] out = new double[xs.length];
        double[] vals = new double[32];
        for (int i = 0; i < xs.length; i++) {
            int k = 0;
            for (int cy = ys[i] / CELL; cy <= Math.min(rows - 1, (ys[i] + Tiles.SIZE - 1) / CELL); cy++) {
                for (int cxx = xs[i] / CELL; cxx <= Math.min(cols - 1, (xs[i] + Tiles.SIZE - 1) / CELL); cxx++) {
                    if (k < vals.length) {
                        vals[k++] = cell[cy * cols + cxx];
                    }
                }
            }
            Arrays.sort(vals, 0, k);
            int top = Math.max(1, (int) Math.round(k * TOP_SHARE));
            double s = 0;
            for (int j = k - top; j < k; j++) {
                s += vals[j];
            }
            out[i] = s / top;
        }
        return out;
    }

    /**
     * Learns from a frame after it was judged: every cell while learning; afterwards the cells judged clear that lie in
     * no {@code held} tile (null: none held), tiles given by their corners. A frame of another size starts the learning
     * again.
     */
    public void learn(long ts, Measures m, Judgement j, int[] xs, int[] ys, boolean[] held) {
        if (m.cols() != cols || m.rows() != rows) {
            reset(m.cols(), m.rows());
        }
        long step = lastTs == Long.MIN_VALUE ? 0 : Math.max(0, Math.min(MAX_STEP_MS, ts - lastTs));
        lastTs = Math.max(lastTs, ts);
        double rate = 1 - Math.exp(-(double) step / TAU_MS);
        int n = m.cells();
        if (learning()) {
            double[] shift = shift(m, false);
            double w = 1.0 / (learned + 1);
            for (int c = 0; c < n; c++) {
                for (int k = 0; k < M; k++) {
                    int at = c * M + k;
                    double x = m.v()[at] - shift[k];
                    mean[at] += (float) ((x - mean[at]) * w);
                    spread[at] += (float) ((Math.abs(x - mean[at]) - spread[at]) * w);
                }
            }
            learned++;
            return;
        }
        boolean[] skip = new boolean[n];
        if (held != null) {
            for (int i = 0; i < xs.length; i++) {
                if (!held[i]) {
                    continue;
                }
                for (int cy = ys[i] / CELL; cy <= Math.min(rows - 1, (ys[i] + Tiles.SIZE - 1) / CELL); cy++) {
                    for (int cx = xs[i] / CELL; cx <= Math.min(cols - 1, (xs[i] + Tiles.SIZE - 1) / CELL); cx++) {
                        skip[cy * cols + cx] = true;
                    }
                }
            }
        }
        for (int c = 0; c < n; c++) {
            if (skip[c] || j.cellWhite()[c] >= CLEAR || j.cellWet()[c] >= CLEAR) {
                continue;
            }
            for (int k = 0; k < M; k++) {
                int at = c * M + k;
                double x = m.v()[at] - j.shift()[k];
                double s = Math.max(spread[at], FLOOR[k] / TOL);
                double d = Math.max(-STEP_SPREADS * s, Math.min(STEP_SPREADS * s, x - mean[at]));
                mean[at] += (float) (d * rate);
                spread[at] += (float) ((Math.min(Math.abs(x - mean[at]), STEP_SPREADS * s) - spread[at]) * rate);
            }
        }
        learned = Math.min(Integer.MAX_VALUE - 1, learned + 1);
    }

    /** Mean and spread of a measure of a cell (for tests and reports): {@code {mean, spread}}. */
    public double[] stat(int cell, int measure) {
        return new double[] {mean[cell * M + measure], spread[cell * M + measure]};
    }

    private double tol(int c, int k) {
        return Math.max(TOL * spread[c * M + k], FLOOR[k]);
    }

    /** 0 below {@code tol}, 1 from {@code 2·tol}, linear between. */
    private static double ramp(double d, double tol) {
        return Math.max(0, Math.min(1, (d - tol) / tol));
    }

    /**
     * The frame's common shift of each measure: the {@link #SHIFT_PERCENTILE} of what each cell implies given its
     * reference ({@code value − reference}); before there is a reference, the median cell's value (what the reference
     * is then learned relative to).
     */
    private double[] shift(Measures m, boolean referenced) {
        int n = m.cells();
        double[] out = new double[M];
        double[] v = new double[n];
        for (int k = 0; k < M; k++) {
            for (int c = 0; c < n; c++) {
                v[c] = m.v()[c * M + k] - (referenced ? mean[c * M + k] : 0);
            }
            Arrays.sort(v);
            out[k] = n == 0 ? 0 : v[(int) ((n - 1) * (referenced ? SHIFT_PERCENTILE[k] : 0.5))];
        }
        return out;
    }

    private void reset(int cols, int rows) {
        lastTs = Long.MIN_VALUE;
        this.cols = cols;
        this.rows = rows;
        learned = 0;
        mean = new float[cols * rows * M];
        spread = new float[cols * rows * M];
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** Means and spreads as shorts in 1/4096 (±8 in log2 or chroma units: far more than any view shows). */
    public void write(DataOutput out) throws IOException {
        out.writeInt(learned);
        out.writeLong(lastTs);
        out.writeInt(cols);
        out.writeInt(rows);
        for (int i = 0; i < cells() * M; i++) {
            out.writeShort(q(mean[i]));
            out.writeShort(q(spread[i]));
        }
    }

    public static ViewReference read(DataInput in) throws IOException {
        ViewReference r = new ViewReference();
        int learned = in.readInt();
        long last = in.readLong();
        int cols = in.readInt();
        int rows = in.readInt();
        if (cols >= 0 && rows >= 0) {
            r.reset(cols, rows);
            for (int i = 0; i < cols * rows * M; i++) {
                r.mean[i] = in.readShort() / 4096f;
                r.spread[i] = in.readShort() / 4096f;
            }
        }
        r.learned = learned;
        r.lastTs = last;
        return r;
    }

    private static short q(float v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v * 4096)));
    }

    /** The reference as bytes (what the video job keeps in its keyed state). */
    public byte[] toBytes() {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(20 + cells() * BYTES_PER_CELL);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(b)) {
            write(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    public static ViewReference fromBytes(byte[] bytes) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return read(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
