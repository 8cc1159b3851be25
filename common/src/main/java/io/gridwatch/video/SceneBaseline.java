package io.gridwatch.video;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * 场景基线 — what a camera has shown since its first frames: per tile a grey thumbnail and the tile models' score for
 * each object there. Only what <em>changed</em> against it may become a candidate, so that a scene the models misread
 * (a lawn, a façade, paving scored as water or a stall from the first frame) never raises, however high it scores.
 *
 * <p>Learned from the first {@link #LEARN_FRAMES} frames (thumbnails averaged, scores their maximum). Afterwards it
 * follows slow changes — light over the day — only in tiles that did not change and hold nothing being tracked
 * ({@link #follow}); a tile that stays changed for {@link #ABSORB_MS} without ever holding a candidate (a car parked
 * for the afternoon) is taken in as it is now. A whole-picture brightness shift (a cloud, street lamps coming on) is
 * taken out before tiles are compared ({@link #compare}).
 *
 * <p>Size: {@link #bytesPerTile()} bytes a tile — 63 tiles for a 4:3 frame, 45 for 16:9 — about 5 KB a camera.
 */
public final class SceneBaseline {

    /** Frames the baseline is learned from before anything may become a candidate. */
    public static final int LEARN_FRAMES = 5;
    /** Grey difference (0..255, as {@link #compare} measures it) from which a tile counts as changed. */
    public static final double CHANGE_MIN = 12;
    /**
     * Cells of a tile's thumbnail that {@link #compare} averages: its most changed quarter. A thing that covers a fifth
     * of a tile (a stall 35 px wide in a 320-px frame, a bag of garbage) changes the tile's mean by less than
     * {@link #CHANGE_MIN}, but its own cells by far more; a change spread over the tile counts as it did.
     */
    public static final int TOP_CELLS = TileFrame.THUMB * TileFrame.THUMB / 4;
    /** How much higher than the baseline's a tile's score must be for a candidate. */
    public static final double SCORE_MARGIN = 0.3;
    /** Share of the new frame taken into an unchanged tile's baseline per frame. */
    public static final double FOLLOW_RATE = 1 / 8.0;
    /** A tile changed this long without a candidate becomes part of the scene. */
    public static final long ABSORB_MS = 15 * 60_000L;

    private static final int T = TileFrame.THUMB * TileFrame.THUMB;
    private static final int K = WatchedObject.values().length;

    private int learned;
    private int tiles = -1;
    private float[] thumbs = new float[0];
    private float[] scores = new float[0];
    private long[] changedSince = new long[0];

    public boolean learning() {
        return learned < LEARN_FRAMES;
    }

    public int learnedFrames() {
        return learned;
    }

    /**
     * Takes a frame while learning. A frame with another tile layout (the camera's resolution changed) starts the
     * learning again.
     */
    public void learn(TileFrame f) {
        if (f.tiles() != tiles) {
            reset(f.tiles());
        }
        double w = 1.0 / (learned + 1);
        for (int i = 0; i < tiles; i++) {
            for (int p = 0; p < T; p++) {
                int at = i * T + p;
                thumbs[at] += (float) (((f.thumbs()[i][p] & 0xFF) - thumbs[at]) * w);
            }
            for (int k = 0; k < K; k++) {
                scores[i * K + k] = Math.max(scores[i * K + k], f.scores()[i][k]);
            }
        }
        learned++;
    }

    /** Whether a frame fits this baseline's tile layout; one that does not must be learned afresh. */
    public boolean fits(TileFrame f) {
        return f.tiles() == tiles;
    }

    /**
     * Per tile, how much it differs from the baseline: the mean absolute grey difference of its {@link #TOP_CELLS} most
     * changed thumbnail cells, the frame's common shift taken out.
     */
    public double[] compare(TileFrame f) {
        double[] shift = new double[tiles];
        for (int i = 0; i < tiles; i++) {
            double s = 0;
            for (int p = 0; p < T; p++) {
                s += (f.thumbs()[i][p] & 0xFF) - thumbs[i * T + p];
            }
            shift[i] = s / T;
        }
        double[] sorted = shift.clone();
        Arrays.sort(sorted);
        double common = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
        double[] diff = new double[tiles];
        double[] cells = new double[T];
        for (int i = 0; i < tiles; i++) {
            for (int p = 0; p < T; p++) {
                cells[p] = Math.abs((f.thumbs()[i][p] & 0xFF) - thumbs[i * T + p] - common);
            }
            Arrays.sort(cells);
            double d = 0;
            for (int p = T - TOP_CELLS; p < T; p++) {
                d += cells[p];
            }
            diff[i] = d / TOP_CELLS;
        }
        return diff;
    }

    /** The baseline's score of {@code object} in tile {@code i}. */
    public double score(int i, WatchedObject object) {
        return scores[i * K + object.ordinal()];
    }

    /** Whether tile {@code i} of a frame compared as {@code diff} is a candidate for {@code object}. */
    public boolean candidate(TileFrame f, double[] diff, int i, WatchedObject object) {
        return diff[i] >= CHANGE_MIN && f.scores()[i][object.ordinal()] - score(i, object) >= SCORE_MARGIN;
    }

    /**
     * Follows the scene after a frame: unchanged tiles that are not {@code held} (inside something tracked, or a
     * candidate now) move towards the frame; tiles changed for {@link #ABSORB_MS} without being held are replaced.
     */
    public void follow(TileFrame f, double[] diff, boolean[] held) {
        for (int i = 0; i < tiles; i++) {
            if (held[i]) {
                changedSince[i] = 0;
                continue;
            }
            if (diff[i] >= CHANGE_MIN) {
                if (changedSince[i] == 0) {
                    changedSince[i] = f.ts();
                } else if (f.ts() - changedSince[i] >= ABSORB_MS) {
                    take(f, i, 1);
                    changedSince[i] = 0;
                }
                continue;
            }
            changedSince[i] = 0;
            take(f, i, FOLLOW_RATE);
        }
    }

    private void take(TileFrame f, int i, double rate) {
        for (int p = 0; p < T; p++) {
            int at = i * T + p;
            thumbs[at] += (float) (((f.thumbs()[i][p] & 0xFF) - thumbs[at]) * rate);
        }
        for (int k = 0; k < K; k++) {
            scores[i * K + k] += (float) ((f.scores()[i][k] - scores[i * K + k]) * rate);
        }
    }

    private void reset(int n) {
        tiles = n;
        learned = 0;
        thumbs = new float[n * T];
        scores = new float[n * K];
        changedSince = new long[n];
    }

    /** Bytes a tile takes in {@link #write}: thumbnail, scores, changed-since. */
    public static int bytesPerTile() {
        return T + K + 8;
    }

    /** Thumbnails and scores are kept as bytes: 1/255 is finer than anything compared against them. */
    void write(DataOutput out) throws IOException {
        out.writeInt(learned);
        out.writeInt(tiles);
        for (int i = 0; i < Math.max(0, tiles); i++) {
            for (int p = 0; p < T; p++) {
                out.writeByte((int) Math.round(Math.max(0, Math.min(255, thumbs[i * T + p]))));
            }
            for (int k = 0; k < K; k++) {
                out.writeByte((int) Math.round(Math.max(0, Math.min(1, scores[i * K + k])) * 255));
            }
            out.writeLong(changedSince[i]);
        }
    }

    static SceneBaseline read(DataInput in) throws IOException {
        SceneBaseline b = new SceneBaseline();
        int learned = in.readInt();
        int n = in.readInt();
        if (n >= 0) {
            b.reset(n);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < T; p++) {
                    b.thumbs[i * T + p] = in.readUnsignedByte();
                }
                for (int k = 0; k < K; k++) {
                    b.scores[i * K + k] = in.readUnsignedByte() / 255f;
                }
                b.changedSince[i] = in.readLong();
            }
        }
        b.learned = learned;
        return b;
    }
}
