package io.gridwatch.models.tiles;

import io.gridwatch.models.cnn.Nd4jRuntime;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Mini-batches over a {@link TileSet}: tiles become float arrays (NCHW, 0..255) only a batch at a
 * time; the order is shuffled per epoch from a fixed seed, so a run is repeatable.
 */
public final class TileBatches implements DataSetIterator {

    static {
        Nd4jRuntime.init(); // oneDNN, before ND4J loads
    }

    private final TileSet set;
    private final int batch;
    private final long seed;
    private final boolean shuffle;
    private int[] order;
    private int pos;
    private int epoch;
    private DataSetPreProcessor pre;

    public TileBatches(TileSet set, int batch, long seed, boolean shuffle) {
        this.set = set;
        this.batch = batch;
        this.seed = seed;
        this.shuffle = shuffle;
        reset();
    }

    /** Float features [n, 3, 64, 64] of the given tiles (CHW bytes), 0..255. */
    public static INDArray features(List<byte[]> tiles) {
        float[] f = new float[tiles.size() * Tiles.BYTES];
        int o = 0;
        for (byte[] t : tiles) {
            for (byte b : t) {
                f[o++] = b & 0xFF;
            }
        }
        return Nd4j.create(f, new long[] {tiles.size(), 3, Tiles.SIZE, Tiles.SIZE}, 'c');
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int n = Math.min(num, order.length - pos);
        int classes = set.task().classes().size();
        float[] f = new float[n * Tiles.BYTES];
        float[] l = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int idx = order[pos + i];
            byte[] t = set.tile(idx);
            int o = i * Tiles.BYTES;
            for (int j = 0; j < Tiles.BYTES; j++) {
                f[o + j] = t[j] & 0xFF;
            }
            l[i * classes + set.label(idx)] = 1f;
        }
        pos += n;
        DataSet ds = new DataSet(Nd4j.create(f, new long[] {n, 3, Tiles.SIZE, Tiles.SIZE}, 'c'), Nd4j.create(l, new long[] {n, classes}, 'c'));
        if (pre != null) {
            pre.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next() {
        return next(batch);
    }

    @Override
    public boolean hasNext() {
        return pos < order.length;
    }

    @Override
    public int inputColumns() {
        return Tiles.BYTES;
    }

    @Override
    public int totalOutcomes() {
        return set.task().classes().size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false; // batches are cheap to make; a prefetch thread would only compete for the two cores
    }

    @Override
    public void reset() {
        order = new int[set.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        epoch++;
        pos = 0;
    }

    /** Batches in one epoch. */
    public int batches() {
        return (set.size() + batch - 1) / batch;
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.pre = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return pre;
    }

    @Override
    public List<String> getLabels() {
        return set.task().classes().stream().map(io.gridwatch.models.SceneClass::id).toList();
    }
}
