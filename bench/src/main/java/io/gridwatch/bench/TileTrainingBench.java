package io.gridwatch.bench;

import io.gridwatch.models.cnn.Nd4jRuntime;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileNet;
import io.gridwatch.models.cnn.Trainer;
import io.gridwatch.models.tiles.TileBatches;
import io.gridwatch.models.tiles.TileSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training throughput of the tile net ({@link TileNet}) in tiles a second: {@code net.fit} on
 * batches of real training tiles (40 generated scenes, normalised as the trainer does), with the
 * layers' oneDNN helpers and, for comparison, without them (DL4J's im2col path: what M2.1 does
 * unless {@link Nd4jRuntime} switches the helpers on). The OpenMP thread count is the process's
 * ({@code OMP_NUM_THREADS}); {@code bench/run tile-training} runs it with 1 and with 2.
 * Scene drawing is not in these figures: the trainer draws on the other core meanwhile.
 *
 * <p>Usage: {@code bench/run tile-training [--seconds 20] [--batch 64]}
 */
public final class TileTrainingBench {

    public static void main(String[] args) {
        RulesJobBench.Args a = new RulesJobBench.Args(args);
        int seconds = a.integer("seconds", 20);
        int batch = a.integer("batch", 64);
        Nd4jRuntime.init();
        System.out.printf("OMP_NUM_THREADS=%s, %s%n", System.getenv("OMP_NUM_THREADS"), ProcStats.loadAverage());
        Trainer quiet = new Trainer(new PrintStream(OutputStream.nullOutputStream()));
        TileSet set = quiet.trainingTiles(Trainer.Options.defaults(Task.OBJECTS), 0, 40);
        NormalizerStandardize norm = new NormalizerStandardize();
        norm.fit(new TileBatches(set, 256, 1, false));
        TileBatches it = new TileBatches(set, batch, 1, true);
        it.setPreProcessor(norm);
        List<DataSet> batches = new ArrayList<>();
        while (it.hasNext()) {
            DataSet d = it.next();
            if (d.numExamples() == batch) {
                batches.add(d);
            }
        }
        System.out.printf(Locale.ROOT, "%,d tiles from 40 scenes, %d batches of %d%n", set.size(), batches.size(), batch);
        for (boolean helpers : new boolean[] {true, false}) {
            System.setProperty("org.eclipse.deeplearning4j.helpers.disable", Boolean.toString(!helpers));
            MultiLayerNetwork net = TileNet.create(Task.OBJECTS, 7, 5e-3, 100_000);
            for (int i = 0; i < 10; i++) {
                net.fit(batches.get(i % batches.size())); // warm-up
            }
            long t0 = System.nanoTime();
            long tiles = 0;
            int i = 0;
            while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
                net.fit(batches.get(i++ % batches.size()));
                tiles += batch;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s: %,.0f tiles/s training (%d batches in %.1f s), %s%n",
                    helpers ? "oneDNN helpers     " : "no helpers (im2col)", tiles / s, i, s, ProcStats.loadAverage());
        }
        System.out.printf("ND4J threads %d%n", Nd4j.getEnvironment().maxMasterThreads());
    }
}
