package io.gridwatch.grid;

import io.gridwatch.geo.PolynomialProjection;
import io.gridwatch.geo.Utm51N;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.util.PolygonExtracter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Point → unit grid for the whole grid set, in a few tens of nanoseconds and without allocating.
 *
 * <p>The grids are cut from a regular lattice, so a look-up is arithmetic: project the point
 * (a fitted polynomial, {@link PolynomialProjection}, instead of the exact transverse Mercator),
 * find its lattice cell, and read the grid from a flat {@code int[]}. Only cells cut by a
 * district border hold several pieces; those are tested point-in-polygon on packed coordinates.
 */
public final class GridIndex {

    /** Returned by {@link #locate} for a point outside every grid. */
    public static final int NONE = -1;
    /** Projection error accepted inside the index's box: far below any grid's size. */
    static final double PROJECTION_TOLERANCE_M = 0.001;
    private static final int PROJECTION_DEGREE = 6;
    private static final double MARGIN_DEG = 0.01;

    private final GridSet grids;
    private final PolynomialProjection projection;
    private final double originX;
    private final double originY;
    private final double inverseCell;
    private final int cols;
    private final int rows;
    /** Per lattice cell: a grid ordinal (≥ 0), {@link #NONE}, or −2 − k for cut cell k. */
    private final int[] cells;
    /** Cut cell k has pieces pieceStart[k] until pieceStart[k + 1]. */
    private final int[] pieceStart;
    private final int[] pieceGrid;
    /** Piece p has rings ringStart[p] until ringStart[p + 1]; ring q has coordinates coordStart[q] until coordStart[q + 1] (x, y interleaved). */
    private final int[] ringStart;
    private final int[] coordStart;
    private final double[] coords;

    public GridIndex(GridSet grids) {
        this.grids = grids;
        Lattice lattice = grids.lattice();
        this.originX = lattice.originX();
        this.originY = lattice.originY();
        this.inverseCell = 1 / lattice.cellSize();
        this.cols = lattice.cols();
        this.rows = lattice.rows();

        double[] sw = Utm51N.inverse(originX, originY - rows * lattice.cellSize());
        double[] ne = Utm51N.inverse(originX + cols * lattice.cellSize(), originY);
        double[] nw = Utm51N.inverse(originX, originY);
        double[] se = Utm51N.inverse(originX + cols * lattice.cellSize(), originY - rows * lattice.cellSize());
        this.projection = new PolynomialProjection(
                Math.min(sw[0], nw[0]) - MARGIN_DEG, Math.min(sw[1], se[1]) - MARGIN_DEG,
                Math.max(ne[0], se[0]) + MARGIN_DEG, Math.max(ne[1], nw[1]) + MARGIN_DEG,
                PROJECTION_DEGREE, PROJECTION_TOLERANCE_M);

        this.cells = new int[cols * rows];
        Arrays.fill(cells, NONE);
        Map<Integer, List<Piece>> cut = new HashMap<>();
        for (Piece p : grids.pieces()) {
            int cell = p.row() * cols + p.col();
            if (p.full()) {
                cells[cell] = p.grid();
            } else {
                cut.computeIfAbsent(cell, k -> new ArrayList<>()).add(p);
            }
        }
        List<Integer> cutCells = new ArrayList<>(cut.keySet());
        cutCells.sort(null);
        int pieceCount = cut.values().stream().mapToInt(List::size).sum();
        this.pieceStart = new int[cutCells.size() + 1];
        this.pieceGrid = new int[pieceCount];
        List<double[]> rings = new ArrayList<>();
        List<Integer> ringsPerPiece = new ArrayList<>();
        int piece = 0;
        for (int k = 0; k < cutCells.size(); k++) {
            int cell = cutCells.get(k);
            if (cells[cell] != NONE) {
                throw new IllegalStateException("lattice cell " + cell + " is both whole and cut");
            }
            cells[cell] = -2 - k;
            pieceStart[k] = piece;
            for (Piece p : cut.get(cell)) {
                pieceGrid[piece++] = p.grid();
                int before = rings.size();
                addRings(p.utm(), rings);
                ringsPerPiece.add(rings.size() - before);
            }
        }
        pieceStart[cutCells.size()] = piece;
        this.ringStart = new int[pieceCount + 1];
        for (int p = 0; p < pieceCount; p++) {
            ringStart[p + 1] = ringStart[p] + ringsPerPiece.get(p);
        }
        this.coordStart = new int[rings.size() + 1];
        for (int q = 0; q < rings.size(); q++) {
            coordStart[q + 1] = coordStart[q] + rings.get(q).length;
        }
        this.coords = new double[coordStart[rings.size()]];
        for (int q = 0; q < rings.size(); q++) {
            System.arraycopy(rings.get(q), 0, coords, coordStart[q], rings.get(q).length);
        }
    }

    private static void addRings(Geometry g, List<double[]> rings) {
        @SuppressWarnings("unchecked")
        List<Polygon> polys = PolygonExtracter.getPolygons(g);
        for (Polygon poly : polys) {
            rings.add(pack(poly.getExteriorRing()));
            for (int h = 0; h < poly.getNumInteriorRing(); h++) {
                rings.add(pack(poly.getInteriorRingN(h)));
            }
        }
    }

    private static double[] pack(LinearRing ring) {
        Coordinate[] cs = ring.getCoordinates();
        double[] out = new double[cs.length * 2];
        for (int i = 0; i < cs.length; i++) {
            out[2 * i] = cs[i].x;
            out[2 * i + 1] = cs[i].y;
        }
        return out;
    }

    /**
     * The ordinal of the unit grid that holds a WGS-84 point, or {@link #NONE}.
     * Allocation-free and thread-safe.
     */
    public int locate(double lon, double lat) {
        if (!projection.contains(lon, lat)) {
            return NONE;
        }
        return locateUtm(projection.x(lon, lat), projection.y(lon, lat));
    }

    /** As {@link #locate}, for a point already in UTM 51N metres. */
    public int locateUtm(double x, double y) {
        double fc = (x - originX) * inverseCell;
        double fr = (originY - y) * inverseCell;
        if (!(fc >= 0 && fr >= 0 && fc < cols && fr < rows)) {
            return NONE;
        }
        int v = cells[(int) fr * cols + (int) fc];
        if (v >= NONE) {
            return v;
        }
        int k = -2 - v;
        for (int p = pieceStart[k]; p < pieceStart[k + 1]; p++) {
            if (inside(p, x, y)) {
                return pieceGrid[p];
            }
        }
        return NONE;
    }

    /** Even-odd ray crossing over all rings of piece {@code p} (holes and several parts included). */
    private boolean inside(int p, double x, double y) {
        boolean in = false;
        for (int q = ringStart[p]; q < ringStart[p + 1]; q++) {
            int end = coordStart[q + 1];
            for (int i = coordStart[q], j = end - 2; i < end; j = i, i += 2) {
                double yi = coords[i + 1];
                double yj = coords[j + 1];
                if ((yi > y) != (yj > y)) {
                    double xi = coords[i];
                    double xj = coords[j];
                    if (x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
                        in = !in;
                    }
                }
            }
        }
        return in;
    }

    public GridSet grids() {
        return grids;
    }

    /** The grid holding a point, with its community, street, district and management area; empty when none. */
    public java.util.Optional<GridLocation> lookup(double lon, double lat) {
        int g = locate(lon, lat);
        return g == NONE ? java.util.Optional.empty() : java.util.Optional.of(GridLocation.of(grids, grids.grid(g)));
    }

    /** Bytes held by the index's own arrays (the grid records are shared with {@link GridSet}). */
    public long indexBytes() {
        return 4L * (cells.length + pieceStart.length + pieceGrid.length + ringStart.length + coordStart.length)
                + 8L * coords.length;
    }

    public int cutCells() {
        return pieceStart.length - 1;
    }

    public double projectionErrorM() {
        return projection.maxErrorM();
    }
}
