package io.gridwatch.models.detect;

import io.gridwatch.models.Box;
import io.gridwatch.models.DetectedObject;
import io.gridwatch.models.Detector;
import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.tiles.Tiles;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The DL4J backend ({@code type: cnn-tiles}): the frame is cut into 64×64 tiles with half-tile
 * overlap ({@link Tiles}), both tile models score every tile and revise each score with its
 * neighbours' ({@link TileClassifier#predictFrame}), and the tiles of one class that touch each
 * other become one box. Stateless: "it stayed" is for the tracking downstream.
 */
public final class CnnTileDetector implements Detector {

    private final TileClassifier objects;
    private final TileClassifier snow;
    private final double threshold;

    public CnnTileDetector(TileClassifier objects, TileClassifier snow, double threshold) {
        if (objects.task() != Task.OBJECTS || snow.task() != Task.SNOW) {
            throw new IllegalArgumentException("need the objects and the snow model");
        }
        this.objects = objects;
        this.snow = snow;
        this.threshold = threshold;
    }

    /** One tile's verdict: where it is (pixels of the working frame) and each class's probability. */
    public record TileVerdict(int x, int y, SceneClass cls, double score) {
    }

    @Override
    public String type() {
        return "cnn-tiles";
    }

    @Override
    public List<DetectedObject> detect(BufferedImage frame, long timestampMillis) {
        BufferedImage work = Tiles.workFrame(frame);
        return merge(tiles(work), work.getWidth(), work.getHeight());
    }

    /** Every tile with a class at or above the threshold (a tile may carry an object and snow). */
    public List<TileVerdict> tiles(BufferedImage work) {
        Tiles.FrameTiles frame = Tiles.cutFrame(work);
        float[][] po = objects.predictFrame(frame).probs();
        float[][] ps = snow.predictFrame(frame).probs();
        List<int[]> grid = frame.grid();
        List<TileVerdict> out = new ArrayList<>();
        for (int i = 0; i < grid.size(); i++) {
            int best = 0;
            for (int c = 1; c < po[i].length; c++) {
                if (po[i][c] > po[i][best]) {
                    best = c;
                }
            }
            if (best != 0 && po[i][best] >= threshold) {
                out.add(new TileVerdict(grid.get(i)[0], grid.get(i)[1], Task.OBJECTS.classes().get(best), po[i][best]));
            }
            if (ps[i][1] >= threshold && ps[i][1] > ps[i][0]) {
                out.add(new TileVerdict(grid.get(i)[0], grid.get(i)[1], SceneClass.SNOW, ps[i][1]));
            }
        }
        return out;
    }

    /** Tiles of one class that overlap or touch form one box; its score is the best tile's. */
    public static List<DetectedObject> merge(List<TileVerdict> tiles, int width, int height) {
        List<DetectedObject> out = new ArrayList<>();
        boolean[] used = new boolean[tiles.size()];
        for (int i = 0; i < tiles.size(); i++) {
            if (used[i]) {
                continue;
            }
            used[i] = true;
            List<TileVerdict> group = new ArrayList<>(List.of(tiles.get(i)));
            for (int k = 0; k < group.size(); k++) {
                TileVerdict a = group.get(k);
                for (int j = 0; j < tiles.size(); j++) {
                    TileVerdict b = tiles.get(j);
                    if (!used[j] && b.cls() == a.cls() && Math.abs(a.x() - b.x()) <= Tiles.SIZE && Math.abs(a.y() - b.y()) <= Tiles.SIZE) {
                        used[j] = true;
                        group.add(b);
                    }
                }
            }
            int x1 = Integer.MAX_VALUE;
            int y1 = Integer.MAX_VALUE;
            int x2 = 0;
            int y2 = 0;
            double score = 0;
            for (TileVerdict t : group) {
                x1 = Math.min(x1, t.x());
                y1 = Math.min(y1, t.y());
                x2 = Math.max(x2, t.x() + Tiles.SIZE);
                y2 = Math.max(y2, t.y() + Tiles.SIZE);
                score = Math.max(score, t.score());
            }
            out.add(new DetectedObject(group.get(0).cls().id(), Math.min(1, score), Box.ofPixels(x1, y1, x2, y2, width, height)));
        }
        return out;
    }
}
