package io.gridwatch.jobs;

import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.tiles.Tiles;
import io.gridwatch.video.TileFrame;
import io.gridwatch.video.WatchedObject;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;

/**
 * Runs the committed tile models (models/: the objects model for stall, garbage, water; the snow model) over a frame
 * and gives every tile's scores and grey thumbnail as a {@link TileFrame}: the detector's output before any tracking.
 * Stateless; one per operator instance (the models are loaded once, ~0.1 s).
 */
final class TileAnalyser {

    private final TileClassifier objects;
    private final TileClassifier snow;
    private final int[] objectColumn = new int[WatchedObject.values().length];

    TileAnalyser() {
        this(TileClassifier.committed(Task.OBJECTS), TileClassifier.committed(Task.SNOW));
    }

    TileAnalyser(TileClassifier objects, TileClassifier snow) {
        this.objects = objects;
        this.snow = snow;
        List<SceneClass> classes = objects.task().classes();
        for (WatchedObject o : WatchedObject.values()) {
            objectColumn[o.ordinal()] = classes.indexOf(SceneClass.of(o.id())); // -1 for snow: the snow model's
        }
    }

    TileFrame analyse(BufferedImage frame, long ts) {
        BufferedImage work = Tiles.workFrame(frame);
        Tiles.FrameTiles tiles = Tiles.cutFrame(work);
        float[][] po = objects.predictFrame(tiles).probs();
        float[][] ps = snow.predictFrame(tiles).probs();
        int n = tiles.grid().size();
        int[] xs = new int[n];
        int[] ys = new int[n];
        byte[][] thumbs = new byte[n][];
        float[][] scores = new float[n][WatchedObject.values().length];
        byte[] bgr = ((DataBufferByte) work.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < n; i++) {
            xs[i] = tiles.grid().get(i)[0];
            ys[i] = tiles.grid().get(i)[1];
            thumbs[i] = thumbnail(bgr, work.getWidth(), xs[i], ys[i]);
            for (WatchedObject o : WatchedObject.values()) {
                int c = objectColumn[o.ordinal()];
                scores[i][o.ordinal()] = c >= 0 ? po[i][c] : ps[i][1];
            }
        }
        return new TileFrame(ts, work.getWidth(), work.getHeight(), Tiles.SIZE, xs, ys, thumbs, scores);
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
