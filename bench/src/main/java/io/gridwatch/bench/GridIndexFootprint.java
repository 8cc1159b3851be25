package io.gridwatch.bench;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridSet;
import org.openjdk.jol.info.GraphLayout;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Prints the heap the grid index needs: its own arrays (what a look-up reads), and, for scale, the
 * whole grid set with every grid's polygon (needed to export or store grids, not to look them up).
 * Measured with JOL's object-graph walk, so object headers and padding count.
 */
public final class GridIndexFootprint {

    public static void main(String[] args) throws Exception {
        Path cache = Path.of(System.getProperty("gridwatch.cache", "var/cache"));
        GridSet set = GridCache.dalian(cache, GridwatchConfig.defaults().grids());
        GridIndex index = new GridIndex(set);
        long arrays = GraphLayout.parseInstance(index).subtract(GraphLayout.parseInstance(set)).totalSize();
        long all = GraphLayout.parseInstance(index).totalSize();
        System.out.printf(Locale.ROOT, "grids:                          %,d (%,d lattice cells cut by a border)%n", set.grids().size(), index.cutCells());
        System.out.printf(Locale.ROOT, "index (arrays + projection):    %,d bytes = %.2f MiB   (counted by the index itself: %,d bytes)%n",
                arrays, arrays / 1048576.0, index.indexBytes());
        System.out.printf(Locale.ROOT, "index + full grid set (shapes): %,d bytes = %.2f MiB%n", all, all / 1048576.0);
        System.out.printf(Locale.ROOT, "projection error (polynomial vs exact UTM): %.2e m%n", index.projectionErrorM());
    }
}
