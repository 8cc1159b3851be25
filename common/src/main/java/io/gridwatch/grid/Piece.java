package io.gridwatch.grid;

import org.locationtech.jts.geom.Geometry;

/**
 * The part of one lattice cell that belongs to one unit grid. Most grids are one whole cell;
 * along a district border a cell is cut, and a small cut piece joins a neighbouring grid.
 *
 * @param col   lattice column
 * @param row   lattice row
 * @param grid  ordinal of the unit grid it belongs to
 * @param full  the whole cell (no point-in-polygon test needed)
 * @param utm   its shape in UTM 51N metres
 */
public record Piece(int col, int row, int grid, boolean full, Geometry utm) implements java.io.Serializable {
}
