package io.gridwatch.models.tiles;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;

/**
 * The 64×64 tiles the CNN looks at, and how a frame is cut into them: a grid with half-tile
 * overlap, the last row and column flush with the frame's edge. Frames are first scaled to
 * {@link #WORK_WIDTH} pixels across, the width of the generated scenes, so that objects have the
 * size the models were trained on.
 */
public final class Tiles {

    public static final int SIZE = 64;
    public static final int STRIDE = 32;
    public static final int WORK_WIDTH = 320;
    /** One tile as the net takes it: channels R, G, B, each 64 rows of 64 bytes (CHW). */
    public static final int BYTES = 3 * SIZE * SIZE;

    private Tiles() {
    }

    /** Top-left corners of the grid tiles of a w × h frame. */
    public static List<int[]> grid(int w, int h) {
        List<int[]> out = new ArrayList<>();
        for (int y : starts(h)) {
            for (int x : starts(w)) {
                out.add(new int[] {x, y});
            }
        }
        return out;
    }

    /** A working frame cut into its grid tiles, once, for every model that scores them. */
    public record FrameTiles(List<int[]> grid, int cols, int rows, List<byte[]> tiles) {
    }

    /** Every grid tile of a working frame ({@link #workFrame}), unmirrored, row by row. */
    public static FrameTiles cutFrame(BufferedImage work) {
        List<int[]> grid = grid(work.getWidth(), work.getHeight());
        List<byte[]> tiles = new ArrayList<>(grid.size());
        for (int[] g : grid) {
            tiles.add(cut(work, g[0], g[1], false));
        }
        return new FrameTiles(grid, columns(work.getWidth()), rows(work.getHeight()), tiles);
    }

    /** Tiles across a frame {@code w} wide: {@link #grid} lists them row by row, this many a row. */
    public static int columns(int w) {
        return starts(w).size();
    }

    /** Rows of tiles down a frame {@code h} high. */
    public static int rows(int h) {
        return starts(h).size();
    }

    private static List<Integer> starts(int n) {
        List<Integer> s = new ArrayList<>();
        for (int p = 0; p + SIZE <= n; p += STRIDE) {
            s.add(p);
        }
        if (s.isEmpty() || s.get(s.size() - 1) + SIZE < n) {
            s.add(Math.max(0, n - SIZE));
        }
        return s;
    }

    /** A frame as {@code TYPE_3BYTE_BGR}, {@link #WORK_WIDTH} wide (scaled when it is not). */
    public static BufferedImage workFrame(BufferedImage in) {
        if (in.getType() == BufferedImage.TYPE_3BYTE_BGR && in.getWidth() == WORK_WIDTH) {
            return in;
        }
        int w = WORK_WIDTH;
        int h = Math.max(SIZE, (int) Math.round(in.getHeight() * (double) WORK_WIDTH / in.getWidth()));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(in, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** The tile at (x, y) of a {@code TYPE_3BYTE_BGR} frame, as CHW RGB bytes; {@code mirror} flips it left-right. */
    public static byte[] cut(BufferedImage bgr, int x, int y, boolean mirror) {
        if (bgr.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("expected TYPE_3BYTE_BGR, got type " + bgr.getType());
        }
        byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        int w = bgr.getWidth();
        byte[] out = new byte[BYTES];
        int plane = SIZE * SIZE;
        for (int ty = 0; ty < SIZE; ty++) {
            int row = ((y + ty) * w + x) * 3;
            for (int tx = 0; tx < SIZE; tx++) {
                int sx = mirror ? SIZE - 1 - tx : tx;
                int p = row + sx * 3;
                int o = ty * SIZE + tx;
                out[o] = data[p + 2];
                out[plane + o] = data[p + 1];
                out[2 * plane + o] = data[p];
            }
        }
        return out;
    }
}
