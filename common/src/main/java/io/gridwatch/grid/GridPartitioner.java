package io.gridwatch.grid;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.admin.Community;
import io.gridwatch.admin.District;
import io.gridwatch.admin.Street;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.geo.PointTransform;
import io.gridwatch.geo.Utm51N;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.geom.util.PolygonExtracter;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.locationtech.jts.operation.union.UnaryUnionOp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives the unit grids of the districts (万米单元网格划分).
 *
 * <ol>
 *   <li>District boundaries go to UTM 51N; a district never claims area an earlier one already has.</li>
 *   <li>A lattice of {@code cell_size_m} squares covers them all. Each district takes the cells it
 *       covers whole, and the cut pieces of the cells on its border.</li>
 *   <li>A cut piece smaller than {@code sliver_max_m2} joins the neighbouring grid it shares the
 *       longest edge with, as a real 网格划分 would not keep a grid of a few square metres.</li>
 *   <li>No street or community boundaries are available, so the district's grids are split among
 *       its streets, and each street's among its communities, by recursive bisection: split the
 *       list of names in half and the grids across their longer extent in proportion (streets by
 *       their number of communities, communities equally). The result is compact, deterministic
 *       and {@link GridSet#SYNTHETIC_NOTE synthetic}.</li>
 *   <li>Inside a community, grids are numbered west→east, north→south (grid_code.md §2).</li>
 * </ol>
 */
public final class GridPartitioner {

    private static final double MIN_PIECE_M2 = 1e-3;
    private final GeometryFactory gf = new GeometryFactory();

    /** Builds the grids of {@code divisions} as {@code config} says. */
    public GridSet build(AdministrativeDivisions divisions, GridwatchConfig.Grids config) {
        Map<String, Geometry> districtUtm = new LinkedHashMap<>();
        Geometry claimed = null;
        Envelope all = new Envelope();
        for (District d : divisions.districts()) {
            Geometry g = toUtm(d.wgs84());
            if (claimed != null && g.intersects(claimed)) {
                g = g.difference(claimed);
            }
            claimed = claimed == null ? g : claimed.union(g);
            districtUtm.put(d.code(), g);
            all.expandToInclude(g.getEnvelopeInternal());
        }
        Lattice lattice = Lattice.covering(all, config.cellSizeM());

        List<Unit> units = new ArrayList<>();
        for (District d : divisions.districts()) {
            List<Unit> du = unitsOf(districtUtm.get(d.code()), lattice, config.sliverMaxM2());
            assignCommunities(divisions, d, du);
            units.addAll(du);
        }

        // number inside each community: north→south, then west→east
        Map<String, List<Unit>> byCommunity = new LinkedHashMap<>();
        for (Unit u : units) {
            byCommunity.computeIfAbsent(u.community.code(), k -> new ArrayList<>()).add(u);
        }
        List<Unit> coded = new ArrayList<>();
        for (var e : byCommunity.entrySet()) {
            List<Unit> list = e.getValue();
            list.sort(Comparator.comparingInt((Unit u) -> u.row).thenComparingInt(u -> u.col));
            if (list.size() > GridCode.MAX_SEQUENCE) {
                throw new IllegalStateException("community " + e.getKey() + " would hold " + list.size()
                        + " grids; a grid code allows " + GridCode.MAX_SEQUENCE);
            }
            for (int i = 0; i < list.size(); i++) {
                list.get(i).code = GridCode.of(e.getKey(), i + 1);
            }
            coded.addAll(list);
        }
        coded.sort(Comparator.comparing(u -> u.code));

        List<UnitGrid> grids = new ArrayList<>(coded.size());
        List<Piece> pieces = new ArrayList<>();
        for (int ordinal = 0; ordinal < coded.size(); ordinal++) {
            Unit u = coded.get(ordinal);
            Geometry shape = u.pieces.size() == 1 ? u.pieces.get(0).shape
                    : UnaryUnionOp.union(u.pieces.stream().map(p -> p.shape).toList());
            boolean interior = u.pieces.size() == 1 && u.pieces.get(0).full;
            grids.add(new UnitGrid(ordinal, u.code, u.community.code(), GridCode.sequence(u.code), shape, shape.getArea(), interior));
            for (RawPiece p : u.pieces) {
                pieces.add(new Piece(p.col, p.row, ordinal, p.full, p.shape));
            }
        }
        return new GridSet(divisions, districtUtm, lattice, grids, pieces, config.managementAreas());
    }

    /** The district's cells and cut pieces, with small pieces joined to a neighbour. */
    private List<Unit> unitsOf(Geometry district, Lattice lattice, double sliverMaxM2) {
        Envelope env = district.getEnvelopeInternal();
        int c0 = Math.max(lattice.col(env.getMinX()), 0);
        int c1 = Math.min(lattice.col(env.getMaxX()), lattice.cols() - 1);
        int r0 = Math.max(lattice.row(env.getMaxY()), 0);
        int r1 = Math.min(lattice.row(env.getMinY()), lattice.rows() - 1);
        Map<Long, RawPiece> byCell = new HashMap<>();
        List<RawPiece> all = new ArrayList<>();
        for (int r = r0; r <= r1; r++) {
            // cut the district into one row strip first: each cell then meets a small polygon, not the whole border
            Envelope strip = lattice.cellEnvelope(c0, r);
            strip.expandToInclude(lattice.cellEnvelope(c1, r));
            Geometry rowPart = polygonal(OverlayNGRobust.overlay(district, gf.toGeometry(strip), OverlayNG.INTERSECTION));
            if (rowPart.isEmpty()) {
                continue;
            }
            PreparedGeometry prepared = PreparedGeometryFactory.prepare(rowPart);
            Envelope rowEnv = rowPart.getEnvelopeInternal();
            for (int c = Math.max(c0, lattice.col(rowEnv.getMinX())); c <= Math.min(c1, lattice.col(rowEnv.getMaxX())); c++) {
                Geometry cell = lattice.cell(gf, c, r);
                RawPiece piece;
                if (prepared.covers(cell)) {
                    piece = new RawPiece(c, r, cell, true);
                } else if (prepared.intersects(cell)) {
                    Geometry cut = polygonal(OverlayNGRobust.overlay(rowPart, cell, OverlayNG.INTERSECTION));
                    if (cut.getArea() < MIN_PIECE_M2) {
                        continue;
                    }
                    piece = new RawPiece(c, r, cut, false);
                } else {
                    continue;
                }
                byCell.put(key(c, r), piece);
                all.add(piece);
            }
        }
        List<Unit> units = new ArrayList<>();
        List<RawPiece> slivers = new ArrayList<>();
        for (RawPiece p : all) {
            if (!p.full && p.shape.getArea() < sliverMaxM2) {
                slivers.add(p);
            } else {
                p.unit = new Unit(p);
                units.add(p.unit);
            }
        }
        int[][] neighbours = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        for (RawPiece s : slivers) {
            RawPiece best = null;
            double bestShared = 0;
            for (int[] n : neighbours) {
                RawPiece q = byCell.get(key(s.col + n[0], s.row + n[1]));
                if (q == null || q.unit == null || q.unit.anchor != q) {
                    continue; // join whole units only, never another sliver
                }
                double shared = s.shape.getBoundary().intersection(q.shape.getBoundary()).getLength();
                if (shared > bestShared) {
                    bestShared = shared;
                    best = q;
                }
            }
            if (best != null) {
                best.unit.pieces.add(s);
            } else {
                s.unit = new Unit(s); // an islet: keep it as a grid of its own
                units.add(s.unit);
            }
        }
        return units;
    }

    /** Recursive bisection of the district's units among its streets, then each street's among its communities. */
    private void assignCommunities(AdministrativeDivisions divisions, District d, List<Unit> units) {
        List<Street> streets = divisions.streetsOf(d.code());
        if (streets.isEmpty()) {
            throw new IllegalStateException("district " + d.code() + " " + d.name() + " has no streets");
        }
        Map<Street, List<Community>> communities = new LinkedHashMap<>();
        double[] weights = new double[streets.size()];
        for (int i = 0; i < streets.size(); i++) {
            List<Community> cs = divisions.communitiesOf(streets.get(i).code());
            if (cs.isEmpty()) {
                throw new IllegalStateException("street " + streets.get(i).code() + " " + streets.get(i).name() + " has no communities");
            }
            communities.put(streets.get(i), cs);
            weights[i] = cs.size();
        }
        List<List<Unit>> perStreet = bisect(units, weights);
        for (int i = 0; i < streets.size(); i++) {
            List<Community> cs = communities.get(streets.get(i));
            double[] equal = new double[cs.size()];
            java.util.Arrays.fill(equal, 1);
            List<List<Unit>> perCommunity = bisect(perStreet.get(i), equal);
            for (int j = 0; j < cs.size(); j++) {
                for (Unit u : perCommunity.get(j)) {
                    u.community = cs.get(j);
                }
            }
        }
    }

    /** Splits {@code units} into {@code weights.length} compact groups with sizes in proportion to the weights. */
    static List<List<Unit>> bisect(List<Unit> units, double[] weights) {
        List<List<Unit>> out = new ArrayList<>();
        bisect(new ArrayList<>(units), weights, 0, weights.length, out);
        return out;
    }

    private static void bisect(List<Unit> units, double[] w, int from, int to, List<List<Unit>> out) {
        if (to - from == 1) {
            out.add(units);
            return;
        }
        int mid = from + (to - from) / 2;
        double left = 0;
        double total = 0;
        for (int i = from; i < to; i++) {
            total += w[i];
            if (i < mid) {
                left += w[i];
            }
        }
        int minC = Integer.MAX_VALUE;
        int maxC = Integer.MIN_VALUE;
        int minR = Integer.MAX_VALUE;
        int maxR = Integer.MIN_VALUE;
        for (Unit u : units) {
            minC = Math.min(minC, u.col);
            maxC = Math.max(maxC, u.col);
            minR = Math.min(minR, u.row);
            maxR = Math.max(maxR, u.row);
        }
        Comparator<Unit> order = maxC - minC >= maxR - minR
                ? Comparator.comparingInt((Unit u) -> u.col).thenComparingInt(u -> u.row) // west part first
                : Comparator.comparingInt((Unit u) -> u.row).thenComparingInt(u -> u.col); // north part first
        units.sort(order);
        int cut = (int) Math.round(units.size() * left / total);
        // every name gets at least one grid when there are enough to go round
        cut = Math.max(Math.min(cut, units.size() - (to - mid)), Math.min(mid - from, units.size()));
        bisect(new ArrayList<>(units.subList(0, cut)), w, from, mid, out);
        bisect(new ArrayList<>(units.subList(cut, units.size())), w, mid, to, out);
    }

    private Geometry polygonal(Geometry g) {
        @SuppressWarnings("unchecked")
        List<Polygon> polys = PolygonExtracter.getPolygons(g);
        if (polys.size() == 1) {
            return polys.get(0);
        }
        return gf.createMultiPolygon(polys.toArray(Polygon[]::new));
    }

    /** A copy of {@code wgs84} in UTM 51N metres. */
    public static Geometry toUtm(Geometry wgs84) {
        Geometry g = ((PointTransform) Utm51N::forward).transform(wgs84);
        return g.isValid() ? g : g.buffer(0);
    }

    /** A copy of {@code utm} in WGS-84 lon/lat. */
    public static Geometry toWgs84(Geometry utm) {
        return ((PointTransform) Utm51N::inverse).transform(utm);
    }

    private static long key(int c, int r) {
        return ((long) c << 32) | (r & 0xffffffffL);
    }

    /** A lattice cell or cut piece while grids are being formed. */
    private static final class RawPiece {
        final int col;
        final int row;
        final Geometry shape;
        final boolean full;
        Unit unit;

        RawPiece(int col, int row, Geometry shape, boolean full) {
            this.col = col;
            this.row = row;
            this.shape = shape;
            this.full = full;
        }
    }

    /** A future unit grid: its anchor piece plus any slivers it absorbed. */
    static final class Unit {
        final RawPiece anchor;
        final int col;
        final int row;
        final List<RawPiece> pieces = new ArrayList<>();
        Community community;
        String code;

        Unit(RawPiece anchor) {
            this.anchor = anchor;
            this.col = anchor.col;
            this.row = anchor.row;
            pieces.add(anchor);
        }
    }
}
