package io.gridwatch.bench;

import io.gridwatch.models.DetectorConfig;
import io.gridwatch.models.Detectors;
import io.gridwatch.models.Detector;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.tiles.ScenePool;
import io.gridwatch.models.tiles.Tiles;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How long the committed tile models take per 64×64 tile, single-threaded as the target says
 * (run with OMP_NUM_THREADS=1, which bench/run sets): one tile per call (a camera zone of one
 * tile), a frame's 63 tiles per call (the detector's way), and the whole cnn-tiles detector on a
 * 320×240 frame. Prints the machine's load beside the figures: it is shared.
 *
 * <p>Usage: {@code bench/run tile-inference [--rounds 5] [--calls 400]}
 */
public final class TileInferenceBench {

    public static void main(String[] args) throws Exception {
        RulesJobBench.Args a = new RulesJobBench.Args(args);
        int rounds = a.integer("rounds", 5);
        int calls = a.integer("calls", 400);
        io.gridwatch.models.cnn.Nd4jRuntime.init();
        System.out.printf("OMP_NUM_THREADS=%s, ND4J threads %s, %s%n", System.getenv("OMP_NUM_THREADS"),
                Nd4j.getEnvironment().maxMasterThreads(), ProcStats.loadAverage());
        List<Scene> scenes = ScenePool.heldOut(20);
        List<byte[]> tiles = new ArrayList<>();
        for (Scene s : scenes) {
            tiles.addAll(Tiles.cutFrame(s.image()).tiles());
        }
        for (Task t : Task.values()) {
            TileClassifier m = TileClassifier.committed(t);
            System.out.printf(Locale.ROOT, "%n%s model: %,d parameters, %,d bytes%n", t.id(), m.net().numParams(), m.metadata().fileBytes());
            report("  one tile a call     ", rounds, () -> {
                for (int i = 0; i < calls; i++) {
                    m.tileScores(List.of(tiles.get(i % tiles.size())));
                }
                return calls;
            });
            report("  63 tiles a call     ", rounds, () -> {
                int done = 0;
                for (int i = 0; i + 63 <= tiles.size() && done < calls * 4; i += 63) {
                    m.tileScores(tiles.subList(i, i + 63));
                    done += 63;
                }
                return done;
            });
        }
        try (Detector d = Detectors.create(new DetectorConfig.CnnTiles("committed", 0.5))) {
            System.out.println();
            report("cnn-tiles detector, a 320×240 frame (63 tiles × 2 models), per frame", rounds, () -> {
                for (Scene s : scenes) {
                    d.detect(s.image(), 0);
                }
                return scenes.size();
            });
        }
        System.out.printf("%nafter: %s%n", ProcStats.loadAverage());
    }

    interface Work {
        int run() throws Exception;
    }

    private static void report(String what, int rounds, Work w) throws Exception {
        w.run(); // warm-up
        w.run();
        double[] ms = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            int n = w.run();
            ms[r] = (System.nanoTime() - t0) / 1e6 / n;
        }
        double mean = Arrays.stream(ms).average().orElse(0);
        double sd = Math.sqrt(Arrays.stream(ms).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, rounds - 1));
        double min = Arrays.stream(ms).min().orElse(0);
        System.out.printf(Locale.ROOT, "%s: %.3f ms (± %.3f sd over %d rounds; best round %.3f ms)%n", what, mean, sd, rounds, min);
    }
}
