package io.gridwatch.video;

import java.util.Objects;

/**
 * What the tile models made of one camera frame, before any tracking: for each tile of the working frame its place,
 * a small grey thumbnail ({@link #THUMB}×{@link #THUMB}, to tell whether the tile changed against the scene's
 * baseline) and its score for each {@link WatchedObject} (by ordinal). Built by the video job from the decoded JPEG;
 * no picture is kept.
 *
 * @param width  the working frame's width in pixels (the tiles' coordinates are in it)
 * @param xs     each tile's left edge
 * @param ys     each tile's top edge
 * @param thumbs each tile's grey thumbnail, row by row, unsigned bytes
 * @param scores each tile's score (0..1) per {@link WatchedObject} ordinal
 */
public record TileFrame(long ts, int width, int height, int tileSize, int[] xs, int[] ys, byte[][] thumbs, float[][] scores) {

    /** Thumbnail side in pixels: 64 bytes a tile. */
    public static final int THUMB = 8;

    public TileFrame {
        Objects.requireNonNull(xs, "xs");
        if (ys.length != xs.length || thumbs.length != xs.length || scores.length != xs.length) {
            throw new IllegalArgumentException("tiles, thumbnails and scores differ in number");
        }
        for (int i = 0; i < xs.length; i++) {
            if (thumbs[i].length != THUMB * THUMB || scores[i].length != WatchedObject.values().length) {
                throw new IllegalArgumentException("tile " + i + ": thumbnail must be " + THUMB * THUMB + " bytes, scores "
                        + WatchedObject.values().length);
            }
        }
    }

    public int tiles() {
        return xs.length;
    }

    /** Tile {@code i}'s box, {@code [x1, y1, x2, y2]} in 0..1 of the frame. */
    public double[] box(int i) {
        return new double[] {(double) xs[i] / width, (double) ys[i] / height,
                Math.min(1, (double) (xs[i] + tileSize) / width), Math.min(1, (double) (ys[i] + tileSize) / height)};
    }

    /** Tile {@code i}'s centre, {@code [x, y]} in 0..1 of the frame. */
    public double[] centre(int i) {
        return new double[] {(xs[i] + tileSize / 2.0) / width, (ys[i] + tileSize / 2.0) / height};
    }
}
