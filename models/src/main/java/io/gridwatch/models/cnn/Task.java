package io.gridwatch.models.cnn;

import io.gridwatch.models.SceneClass;
import io.gridwatch.models.tiles.Tiles;

import java.util.List;
import java.util.Locale;

/**
 * What one tile model decides, and how a tile's truth follows from the scene's label mask.
 * Stalls, garbage and water exclude each other within a tile, so one softmax model decides
 * among them; snow lies under all of them (a stall on snow is both), so it has a model of its own.
 */
public enum Task {
    /** 占道经营 / 暴露垃圾 / 道路积水: none, stall, garbage, water. */
    OBJECTS(List.of(SceneClass.NONE, SceneClass.STALL, SceneClass.GARBAGE, SceneClass.WATER), 0.20, 0.02),
    /** 道路积雪: none, snow. */
    SNOW(List.of(SceneClass.NONE, SceneClass.SNOW), 0.40, 0.03);

    /** A tile whose truth is neither clearly one class nor clearly none: left out of training and of tile metrics. */
    public static final int AMBIGUOUS = -1;

    private final List<SceneClass> classes;
    private final double positiveMin;
    private final double absentMax;

    Task(List<SceneClass> classes, double positiveMin, double absentMax) {
        this.classes = classes;
        this.positiveMin = positiveMin;
        this.absentMax = absentMax;
    }

    public List<SceneClass> classes() {
        return classes;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A tile counts as showing a class when at least this fraction of its pixels are of it. */
    public double positiveMin() {
        return positiveMin;
    }

    /** A tile counts as not showing a class when at most this fraction of its pixels are of it. */
    public double absentMax() {
        return absentMax;
    }

    public static Task of(String id) {
        for (Task t : values()) {
            if (t.id().equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task '" + id + "'; known: objects, snow");
    }

    /**
     * The class index (into {@link #classes()}) of the tile at (x, y) of a label mask, or
     * {@link #AMBIGUOUS}: the class covering the most pixels if it covers at least
     * {@link #positiveMin()} and every other class of the task at most {@link #absentMax()};
     * none if every class covers at most {@link #absentMax()}.
     */
    public int label(byte[] mask, int width, int x, int y) {
        int[] count = new int[SceneClass.values().length];
        for (int ty = 0; ty < Tiles.SIZE; ty++) {
            int row = (y + ty) * width + x;
            for (int tx = 0; tx < Tiles.SIZE; tx++) {
                count[mask[row + tx]]++;
            }
        }
        return label(count, Tiles.SIZE * Tiles.SIZE);
    }

    /** The {@link #label(byte[], int, int, int)} of each tile of a grid ({@link Tiles#grid}) of a label mask. */
    public int[] labels(byte[] mask, int width, List<int[]> grid) {
        int[] out = new int[grid.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = label(mask, width, grid.get(i)[0], grid.get(i)[1]);
        }
        return out;
    }

    /** The same rule over pixel counts per {@link SceneClass} ordinal. */
    public int label(int[] count, int total) {
        int best = 0;
        double bestCov = 0;
        int present = 0;
        for (int i = 1; i < classes.size(); i++) {
            double cov = count[classes.get(i).ordinal()] / (double) total;
            if (cov > absentMax) {
                present++;
            }
            if (cov > bestCov) {
                bestCov = cov;
                best = i;
            }
        }
        if (present == 0) {
            return 0;
        }
        return bestCov >= positiveMin && present == 1 ? best : AMBIGUOUS;
    }
}
