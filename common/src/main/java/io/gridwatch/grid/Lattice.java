package io.gridwatch.grid;

import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * The square lattice that unit grids are cut from, in UTM 51N metres. Its origin is the
 * north-west corner; columns run west→east, rows north→south, like the grid numbering.
 */
public record Lattice(double originX, double originY, double cellSize, int cols, int rows) implements java.io.Serializable {

    public Lattice {
        if (!(cellSize > 0) || cols < 1 || rows < 1) {
            throw new IllegalArgumentException("empty lattice");
        }
        if ((long) cols * rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("lattice too large: " + cols + " × " + rows);
        }
    }

    /** The smallest lattice with lines on multiples of {@code cellSize} that covers {@code env}. */
    public static Lattice covering(Envelope env, double cellSize) {
        double x0 = Math.floor(env.getMinX() / cellSize) * cellSize;
        double y0 = Math.ceil(env.getMaxY() / cellSize) * cellSize;
        int cols = (int) Math.ceil((env.getMaxX() - x0) / cellSize);
        int rows = (int) Math.ceil((y0 - env.getMinY()) / cellSize);
        return new Lattice(x0, y0, cellSize, Math.max(cols, 1), Math.max(rows, 1));
    }

    public int col(double x) {
        return (int) Math.floor((x - originX) / cellSize);
    }

    public int row(double y) {
        return (int) Math.floor((originY - y) / cellSize);
    }

    public Envelope cellEnvelope(int col, int row) {
        double x = originX + col * cellSize;
        double y = originY - row * cellSize;
        return new Envelope(x, x + cellSize, y - cellSize, y);
    }

    public Geometry cell(GeometryFactory gf, int col, int row) {
        return gf.toGeometry(cellEnvelope(col, row));
    }
}
