package io.gridwatch.grid;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.admin.Community;
import io.gridwatch.admin.District;
import io.gridwatch.admin.Street;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.geo.PointTransform;
import io.gridwatch.geo.Utm51N;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The derived Dalian unit grids and the grid index, checked against the real district boundaries. */
class UnitGridsTest {

    static AdministrativeDivisions divisions;
    static GridSet set;
    static GridIndex index;
    static final GeometryFactory GF = new GeometryFactory();

    @BeforeAll
    static void build() {
        divisions = AdministrativeDivisions.dalian();
        set = new GridPartitioner().build(divisions, GridwatchConfig.defaults().grids());
        index = new GridIndex(set);
    }

    @Test
    void everyPointInsideTheDistrictsMapsToExactlyOneGridAndPointsOutsideToNone() {
        STRtree tree = new STRtree();
        for (UnitGrid g : set.grids()) {
            tree.insert(g.utm().getEnvelopeInternal(), g);
        }
        Map<String, PreparedGeometry> districts = new HashMap<>();
        for (District d : divisions.districts()) {
            districts.put(d.code(), PreparedGeometryFactory.prepare(GridPartitioner.toUtm(d.wgs84())));
        }
        Random r = new Random(42);
        int inside = 0;
        int outside = 0;
        for (int i = 0; i < 30_000; i++) {
            double lon = 121.14 + r.nextDouble() * 0.72;
            double lat = 38.78 + r.nextDouble() * 0.36;
            double[] xy = Utm51N.forward(lon, lat);
            Point p = GF.createPoint(new Coordinate(xy[0], xy[1]));
            String district = null;
            for (var e : districts.entrySet()) {
                if (e.getValue().contains(p)) {
                    assertThat(district).as("districts overlap at %s,%s", lon, lat).isNull();
                    district = e.getKey();
                }
            }
            List<UnitGrid> holding = new ArrayList<>();
            for (Object o : tree.query(p.getEnvelopeInternal())) {
                UnitGrid g = (UnitGrid) o;
                if (g.utm().covers(p)) {
                    holding.add(g);
                }
            }
            int found = index.locate(lon, lat);
            if (district == null) {
                outside++;
                assertThat(holding).as("grids at %s,%s outside every district", lon, lat).isEmpty();
                assertThat(found).as("index at %s,%s outside every district", lon, lat).isEqualTo(GridIndex.NONE);
            } else {
                inside++;
                assertThat(holding).as("grids holding %s,%s", lon, lat).hasSize(1);
                assertThat(holding.get(0).districtCode()).isEqualTo(district);
                assertThat(found).as("index at %s,%s", lon, lat).isEqualTo(holding.get(0).ordinal());
            }
        }
        assertThat(inside).isGreaterThan(5_000);
        assertThat(outside).isGreaterThan(5_000);
    }

    @Test
    void gridsTileEachDistrictWithoutOverlap() {
        for (District d : divisions.districts()) {
            double district = GridPartitioner.toUtm(d.wgs84()).getArea();
            double sum = set.grids().stream().filter(g -> g.districtCode().equals(d.code())).mapToDouble(UnitGrid::areaM2).sum();
            assertThat(sum / district).as("grid area / district area in %s", d.name()).isCloseTo(1.0, within(0.005));
        }
        // pieces stay inside their lattice cell, a whole cell is alone in it, cut pieces do not overlap
        Map<Long, List<Piece>> byCell = new HashMap<>();
        Map<Integer, Double> pieceAreaPerGrid = new HashMap<>();
        for (Piece p : set.pieces()) {
            byCell.computeIfAbsent(((long) p.col() << 32) | p.row(), k -> new ArrayList<>()).add(p);
            pieceAreaPerGrid.merge(p.grid(), p.utm().getArea(), Double::sum);
            Envelope cell = set.lattice().cellEnvelope(p.col(), p.row());
            cell.expandBy(1e-6);
            assertThat(cell.covers(p.utm().getEnvelopeInternal())).isTrue();
        }
        double cellArea = set.lattice().cellSize() * set.lattice().cellSize();
        for (List<Piece> ps : byCell.values()) {
            if (ps.stream().anyMatch(Piece::full)) {
                assertThat(ps).hasSize(1);
                continue;
            }
            double sum = 0;
            for (int i = 0; i < ps.size(); i++) {
                sum += ps.get(i).utm().getArea();
                for (int j = i + 1; j < ps.size(); j++) {
                    assertThat(ps.get(i).utm().intersection(ps.get(j).utm()).getArea()).isLessThan(1e-6);
                }
            }
            assertThat(sum).isLessThanOrEqualTo(cellArea + 1e-6);
        }
        for (UnitGrid g : set.grids()) {
            assertThat(g.areaM2()).isCloseTo(pieceAreaPerGrid.get(g.ordinal()), within(1e-6 * cellArea));
        }
    }

    @Test
    void interiorGridsAreTenThousandSquareMetresOnTheGround() {
        // measured in an equal-area projection centred on Dalian, not in the UTM plane they were cut in
        CRSFactory crs = new CRSFactory();
        CoordinateTransform toLaea = new CoordinateTransformFactory().createTransform(
                crs.createFromParameters("wgs84", "+proj=longlat +datum=WGS84 +no_defs"),
                crs.createFromParameters("laea", "+proj=laea +lat_0=38.95 +lon_0=121.5 +datum=WGS84 +units=m +no_defs"));
        PointTransform laea = (lon, lat) -> {
            ProjCoordinate out = new ProjCoordinate();
            toLaea.transform(new ProjCoordinate(lon, lat), out);
            return new double[] {out.x, out.y};
        };
        List<UnitGrid> interior = set.grids().stream().filter(UnitGrid::interior).toList();
        assertThat(interior.size()).isGreaterThan((int) (0.9 * set.grids().size()));
        for (int i = 0; i < interior.size(); i += 25) {
            Geometry g = laea.transform(GridPartitioner.toWgs84(interior.get(i).utm()));
            assertThat(g.getArea()).as("ground area of %s", interior.get(i).code()).isCloseTo(10_000.0, within(200.0));
        }
    }

    @Test
    void codesAreUniqueFifteenDigitsAndNestInCommunityStreetDistrict() {
        Set<String> codes = new HashSet<>();
        Map<String, List<UnitGrid>> byCommunity = new HashMap<>();
        for (UnitGrid g : set.grids()) {
            assertThat(GridCode.isValid(g.code())).as(g.code()).isTrue();
            assertThat(codes.add(g.code())).as("duplicate %s", g.code()).isTrue();
            Community c = divisions.community(g.communityCode()).orElseThrow();
            Street s = divisions.street(c.streetCode()).orElseThrow();
            assertThat(g.code()).startsWith(c.code()).startsWith(s.code()).startsWith(s.districtCode());
            // the district the code names is the district the grid lies in
            Point inner = g.utm().getInteriorPoint();
            assertThat(set.districtUtm(g.districtCode()).covers(inner)).as("%s lies in its district", g.code()).isTrue();
            byCommunity.computeIfAbsent(g.communityCode(), k -> new ArrayList<>()).add(g);
        }
        assertThat(byCommunity.keySet()).as("every community has grids")
                .containsExactlyInAnyOrderElementsOf(divisions.communities().stream().map(Community::code).toList());
        // numbered 1..n, west→east then north→south by the grid's own lattice cell
        Map<Integer, Piece> anchor = new HashMap<>();
        for (Piece p : set.pieces()) {
            anchor.putIfAbsent(p.grid(), p);
        }
        for (List<UnitGrid> grids : byCommunity.values()) {
            grids.sort(java.util.Comparator.comparing(UnitGrid::code));
            for (int i = 0; i < grids.size(); i++) {
                assertThat(grids.get(i).seq()).isEqualTo(i + 1);
                if (i > 0) {
                    Piece a = anchor.get(grids.get(i - 1).ordinal());
                    Piece b = anchor.get(grids.get(i).ordinal());
                    assertThat(a.row() < b.row() || (a.row() == b.row() && a.col() < b.col()))
                            .as("%s before %s reads north→south, west→east", grids.get(i - 1).code(), grids.get(i).code()).isTrue();
                }
            }
        }
    }

    @Test
    void aPointOutsideTheDistrictsHasAClearAnswer() {
        assertThat(index.locate(120.0, 30.0)).isEqualTo(GridIndex.NONE);   // far away
        assertThat(index.locate(121.70, 38.75)).isEqualTo(GridIndex.NONE); // the sea south of 中山区
        assertThat(index.lookup(121.70, 38.75)).isEmpty();
        assertThat(index.locate(Double.NaN, 38.9)).isEqualTo(GridIndex.NONE);
    }

    @Test
    void lookupNamesDistrictStreetCommunityAndManagementArea() {
        UnitGrid hiTech = set.grids().stream().filter(g -> g.streetCode().equals("210211016") && g.interior()).findFirst().orElseThrow();
        Point c = hiTech.utm().getCentroid();
        double[] ll = Utm51N.inverse(c.getX(), c.getY());
        GridLocation loc = index.lookup(ll[0], ll[1]).orElseThrow();
        assertThat(loc.gridCode()).isEqualTo(hiTech.code());
        assertThat(loc.district()).isEqualTo("甘井子区");
        assertThat(loc.street()).isEqualTo("凌水街道");
        assertThat(loc.managementArea()).contains("高新园区");
        assertThat(loc.community()).isNotBlank();

        UnitGrid zhongshan = set.grids().stream().filter(g -> g.districtCode().equals("210202")).findFirst().orElseThrow();
        Point z = zhongshan.utm().getInteriorPoint();
        double[] zl = Utm51N.inverse(z.getX(), z.getY());
        assertThat(index.lookup(zl[0], zl[1]).orElseThrow().managementArea()).isEmpty();
    }

    @Test
    void theIndexIsSmall() {
        assertThat(index.indexBytes()).isLessThan(64L << 20);
        assertThat(index.projectionErrorM()).isLessThan(0.001);
    }

    @Test
    void thePartitionIsDeterministic() {
        // the smallest district, built twice from fresh objects
        AdministrativeDivisions xigang = new AdministrativeDivisions(
                divisions.districts().stream().filter(d -> d.code().equals("210203")).toList(),
                divisions.streetsOf("210203"),
                divisions.streetsOf("210203").stream().flatMap(s -> divisions.communitiesOf(s.code()).stream()).toList());
        GridwatchConfig.Grids cfg = new GridwatchConfig.Grids(100, 2000, List.of());
        GridSet a = new GridPartitioner().build(xigang, cfg);
        GridSet b = new GridPartitioner().build(xigang, cfg);
        assertThat(a.grids()).hasSameSizeAs(b.grids());
        for (int i = 0; i < a.grids().size(); i++) {
            assertThat(a.grid(i).code()).isEqualTo(b.grid(i).code());
            assertThat(a.grid(i).utm().equalsExact(b.grid(i).utm())).isTrue();
        }
        // and it agrees with the whole-city build: codes do not depend on the other districts
        for (UnitGrid g : a.grids()) {
            assertThat(set.grid(g.code()).orElseThrow().utm().equalsExact(g.utm(), 1e-6)).as(g.code()).isTrue();
        }
    }
}
