package io.gridwatch.bench;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridSet;
import io.gridwatch.grid.UnitGrid;
import io.gridwatch.geo.Utm51N;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Point → unit grid look-ups on the full Dalian grid set, one thread (= one core).
 * {@code inDistricts}: points drawn uniformly over the area of the grids (every look-up finds one);
 * {@code overBox}: points drawn uniformly over the districts' bounding box (sea and land, about a
 * third found). Each invocation looks up {@value #BATCH} prepared points.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class GridIndexBenchmark {

    static final int BATCH = 1 << 16;

    GridIndex index;
    double[] lonIn = new double[BATCH];
    double[] latIn = new double[BATCH];
    double[] lonBox = new double[BATCH];
    double[] latBox = new double[BATCH];

    @Setup(Level.Trial)
    public void setUp() {
        Path cache = Path.of(System.getProperty("gridwatch.cache", "var/cache"));
        GridSet set = GridCache.dalian(cache, GridwatchConfig.defaults().grids());
        index = new GridIndex(set);
        Random r = new Random(1);
        for (int i = 0; i < BATCH; i++) {
            // a random grid, then a random point inside its lattice cell that the grid holds
            while (true) {
                UnitGrid g = set.grid(r.nextInt(set.grids().size()));
                var env = g.utm().getEnvelopeInternal();
                double x = env.getMinX() + r.nextDouble() * env.getWidth();
                double y = env.getMinY() + r.nextDouble() * env.getHeight();
                double[] ll = Utm51N.inverse(x, y);
                if (index.locate(ll[0], ll[1]) == g.ordinal()) {
                    lonIn[i] = ll[0];
                    latIn[i] = ll[1];
                    break;
                }
            }
            lonBox[i] = 121.15 + r.nextDouble() * 0.69;
            latBox[i] = 38.79 + r.nextDouble() * 0.33;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void inDistricts(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(index.locate(lonIn[i], latIn[i]));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void overBox(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(index.locate(lonBox[i], latBox[i]));
        }
    }
}
