package io.gridwatch.models.tiles;

import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.scene.Scene;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Labelled tiles for one task, kept as bytes (12 KiB a tile) and turned into arrays a batch at a
 * time. Built from generated scenes: every grid tile, tiles at random offsets, and tiles centred on
 * each target (mirrored at random), so the net sees objects at every position within a tile.
 * Tiles of no class are thinned to keep the classes within a few times each other.
 */
public final class TileSet {

    private final Task task;
    private final List<byte[]> tiles = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final int[] gridCounts;

    public TileSet(Task task) {
        this.task = task;
        this.gridCounts = new int[task.classes().size()];
    }

    /**
     * Per class, the unambiguous grid tiles of the training scenes before any thinning: the class
     * shares a detector meets in these frames, against which the training set's shares are skewed.
     */
    public int[] gridCounts() {
        return gridCounts.clone();
    }

    public Task task() {
        return task;
    }

    public int size() {
        return tiles.size();
    }

    public byte[] tile(int i) {
        return tiles.get(i);
    }

    public int label(int i) {
        return labels.get(i);
    }

    public void add(byte[] tile, int label) {
        if (tile.length != Tiles.BYTES || label < 0 || label >= task.classes().size()) {
            throw new IllegalArgumentException("bad tile or label " + label);
        }
        tiles.add(tile);
        labels.add(label);
    }

    public int[] counts() {
        int[] c = new int[task.classes().size()];
        labels.forEach(l -> c[l]++);
        return c;
    }

    /**
     * Adds the training tiles of one scene. {@code keepNone} is the chance of keeping a tile of no
     * class from the grid and random offsets (tiles near distractors are kept at least half the time:
     * they are the hard ones).
     */
    public void addTrainingTiles(Scene scene, SplittableRandom r, double keepNone) {
        int w = scene.width();
        int h = scene.height();
        List<int[]> spots = new ArrayList<>(Tiles.grid(w, h));
        int[] gridLabels = task.labels(scene.mask(), w, spots);
        for (int label : gridLabels) {
            if (label != Task.AMBIGUOUS) {
                gridCounts[label]++;
            }
        }
        for (int i = 0; i < 8; i++) {
            spots.add(new int[] {r.nextInt(w - Tiles.SIZE + 1), r.nextInt(h - Tiles.SIZE + 1)});
        }
        for (Scene.Placed p : scene.placed()) {
            int n = p.cls() == io.gridwatch.models.SceneClass.NONE ? 1 : 5;
            for (int i = 0; i < n; i++) {
                double cx = (p.box().x1() + (p.box().x2() - p.box().x1()) * r.nextDouble()) * w;
                double cy = (p.box().y1() + (p.box().y2() - p.box().y1()) * r.nextDouble()) * h;
                int x = (int) Math.max(0, Math.min(w - Tiles.SIZE, cx - Tiles.SIZE / 2.0 + r.nextInt(-12, 13)));
                int y = (int) Math.max(0, Math.min(h - Tiles.SIZE, cy - Tiles.SIZE / 2.0 + r.nextInt(-12, 13)));
                spots.add(new int[] {x, y, p.cls() == io.gridwatch.models.SceneClass.NONE ? 1 : 0});
            }
        }
        for (int i = 0; i < spots.size(); i++) {
            int[] s = spots.get(i);
            int label = i < gridLabels.length ? gridLabels[i] : task.label(scene.mask(), w, s[0], s[1]);
            if (label == Task.AMBIGUOUS) {
                continue;
            }
            if (label == 0) {
                double keep = s.length == 3 && s[2] == 1 ? Math.max(0.5, keepNone) : keepNone;
                if (r.nextDouble() >= keep) {
                    continue;
                }
            }
            add(Tiles.cut(scene.image(), s[0], s[1], r.nextBoolean()), label);
        }
    }
}
