package io.gridwatch.models;

import io.gridwatch.models.cnn.ContextStage;
import io.gridwatch.models.cnn.Task;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The neighbourhood stage on hand-made grids of tile scores: its features, and that it learns what neighbours say. */
class ContextStageTest {

    static float[] snow(double p) {
        return new float[] {(float) (1 - p), (float) p};
    }

    /** A 5 × 4 grid of snow scores, 0.01 everywhere but where given. */
    static float[][] grid(int cols, int rows, int[][] at, double[] p) {
        float[][] g = new float[cols * rows][];
        Arrays.fill(g, snow(0.01));
        for (int i = 0; i < at.length; i++) {
            g[at[i][1] * cols + at[i][0]] = snow(p[i]);
        }
        return g;
    }

    @Test
    void featuresReadTheTileAndItsNeighbours() {
        assertThat(ContextStage.featureNames(Task.SNOW)).containsExactly("log p(none)", "log p(snow)",
                "log max p(snow) of the 8 neighbours", "log mean p(snow) of the 8 neighbours", "log max p(snow) of the 4 edge neighbours",
                "log max p(snow) of the 5×5 ring", "log p(snow) × log max p(snow) of the 8 neighbours", "row (0 top .. 1 bottom)");
        assertThat(ContextStage.featureNames(Task.OBJECTS)).hasSize(4 + 3 * 5 + 1);
        // tile (1,1) of a 5 × 4 grid: a diagonal neighbour (2,2) at 0.9, an edge neighbour (1,2) at 0.5, (3,3) in the ring at 0.8
        float[][] g = grid(5, 4, new int[][] {{2, 2}, {1, 2}, {3, 3}}, new double[] {0.9, 0.5, 0.8});
        double[] f = ContextStage.features(g, 5, 4, 1 * 5 + 1);
        double eps = 1e-4;
        assertThat(f[0]).isCloseTo(Math.log(0.99 + eps), within(1e-6));
        assertThat(f[1]).isCloseTo(Math.log(0.01 + eps), within(1e-6));
        assertThat(f[2]).isCloseTo(Math.log(0.9 + eps), within(1e-6));
        assertThat(f[3]).isCloseTo(Math.log((0.9 + 0.5 + 6 * 0.01) / 8 + eps), within(1e-6));
        assertThat(f[4]).isCloseTo(Math.log(0.5 + eps), within(1e-6));
        assertThat(f[5]).isCloseTo(Math.log(0.8 + eps), within(1e-6));
        assertThat(f[6]).isCloseTo(Math.log(0.01 + eps) * Math.log(0.9 + eps), within(1e-6));
        assertThat(f[7]).isCloseTo(1 / 3.0, within(1e-9));
        // a corner tile has 3 neighbours; the top row is 0, the bottom row 1
        double[] corner = ContextStage.features(g, 5, 4, 0);
        assertThat(corner[3]).isCloseTo(Math.log(0.01 + eps), within(1e-6));
        assertThat(corner[7]).isZero();
        assertThat(ContextStage.features(g, 5, 4, 19)[7]).isEqualTo(1.0);
    }

    /**
     * Frames where a doubtful tile (p 0.3–0.45) is snow exactly when a neighbour is surely snow: alone, such a tile is
     * called none; the fitted stage calls it snow beside a sure one and keeps it none on its own.
     */
    @Test
    void aDoubtfulTileBesideASureOneIsCalledWhatItsNeighbourIs() {
        SplittableRandom r = new SplittableRandom(5);
        List<ContextStage.Frame> frames = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            int cols = 5;
            int rows = 4;
            int x = 1 + r.nextInt(3);
            int y = 1 + r.nextInt(2);
            boolean beside = r.nextBoolean();
            double doubt = 0.3 + 0.15 * r.nextDouble();
            float[][] p = beside ? grid(cols, rows, new int[][] {{x, y}, {x + 1, y}}, new double[] {doubt, 0.95})
                    : grid(cols, rows, new int[][] {{x, y}}, new double[] {doubt});
            int[] truth = new int[cols * rows];
            truth[y * cols + x] = beside ? 1 : 0;
            if (beside) {
                truth[y * cols + x + 1] = 1;
            }
            frames.add(new ContextStage.Frame(p, cols, rows, truth));
        }
        ContextStage stage = ContextStage.fit(Task.SNOW, frames);
        float[][] besideSure = grid(5, 4, new int[][] {{2, 1}, {3, 1}}, new double[] {0.35, 0.95});
        float[][] alone = grid(5, 4, new int[][] {{2, 1}}, new double[] {0.35});
        assertThat(besideSure[7][1]).isLessThan(0.5f); // the tile alone says none
        assertThat(stage.apply(besideSure, 5, 4)[7][1]).isGreaterThan(0.5f);
        assertThat(stage.apply(alone, 5, 4)[7][1]).isLessThan(0.5f);
        // and it is a pure function of the data: fitted again, the same weights
        assertThat(ContextStage.fit(Task.SNOW, frames).weights()).isDeepEqualTo(stage.weights());
    }

    @Test
    void aGridOfTheWrongShapeIsRefused() {
        ContextStage stage = ContextStage.fit(Task.SNOW, List.of(new ContextStage.Frame(grid(2, 2, new int[0][], new double[0]), 2, 2,
                new int[] {0, 0, 0, 0})));
        assertThatThrownBy(() -> stage.apply(grid(2, 2, new int[0][], new double[0]), 3, 2)).hasMessageContaining("3×2 grid needs 6 tiles, got 4");
        assertThatThrownBy(() -> new ContextStage.Frame(new float[3][], 2, 2, new int[4])).hasMessageContaining("2×2 grid needs 4 tiles");
    }
}
