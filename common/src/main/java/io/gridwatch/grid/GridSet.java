package io.gridwatch.grid;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.admin.Community;
import io.gridwatch.admin.District;
import io.gridwatch.admin.Street;
import io.gridwatch.config.GridwatchConfig.ManagementArea;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.operation.union.UnaryUnionOp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The unit grids of the districts, with the lattice pieces they are made of, the administrative
 * divisions they nest in, and the management areas that group streets. Built by
 * {@link GridPartitioner}; immutable.
 */
public final class GridSet implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** Said wherever derived boundaries are shown: they are not the city's real ones. */
    public static final String SYNTHETIC_NOTE = "street and community boundaries and the unit grids are SYNTHETIC: "
            + "derived deterministically from the real district boundaries and the real street/community codes "
            + "(no real street, community or grid boundaries were available)";

    private final AdministrativeDivisions divisions;
    private final Map<String, Geometry> districtUtm;
    private final Lattice lattice;
    private final List<UnitGrid> grids;
    private final List<Piece> pieces;
    private final List<ManagementArea> managementAreas;
    private final Map<String, UnitGrid> byCode;
    private final Map<String, String> areaByStreet;
    private final Map<String, List<UnitGrid>> byCommunity;
    private transient Map<String, Geometry> communityUnions;
    private transient Map<String, Geometry> streetUnions;

    GridSet(AdministrativeDivisions divisions, Map<String, Geometry> districtUtm, Lattice lattice,
            List<UnitGrid> grids, List<Piece> pieces, List<ManagementArea> managementAreas) {
        this.divisions = divisions;
        this.districtUtm = Map.copyOf(districtUtm);
        this.lattice = lattice;
        this.grids = List.copyOf(grids);
        this.pieces = List.copyOf(pieces);
        this.managementAreas = List.copyOf(managementAreas);
        Map<String, UnitGrid> codes = new HashMap<>();
        Map<String, List<UnitGrid>> communities = new HashMap<>();
        for (UnitGrid g : this.grids) {
            codes.put(g.code(), g);
            communities.computeIfAbsent(g.communityCode(), k -> new ArrayList<>()).add(g);
        }
        this.byCode = Map.copyOf(codes);
        this.byCommunity = Map.copyOf(communities);
        Map<String, String> areas = new HashMap<>();
        for (ManagementArea a : this.managementAreas) {
            for (String s : a.streets()) {
                if (divisions.street(s).isEmpty()) {
                    throw new IllegalArgumentException("management area " + a.name() + " names unknown street " + s);
                }
                String previous = areas.put(s, a.name());
                if (previous != null) {
                    throw new IllegalArgumentException("street " + s + " is in two management areas: " + previous + ", " + a.name());
                }
            }
        }
        this.areaByStreet = Map.copyOf(areas);
    }

    public AdministrativeDivisions divisions() {
        return divisions;
    }

    public Lattice lattice() {
        return lattice;
    }

    /** All grids, ordered by code; a grid's ordinal is its position here. */
    public List<UnitGrid> grids() {
        return grids;
    }

    public UnitGrid grid(int ordinal) {
        return grids.get(ordinal);
    }

    public Optional<UnitGrid> grid(String code) {
        return Optional.ofNullable(byCode.get(code));
    }

    public List<UnitGrid> gridsOf(String communityCode) {
        return byCommunity.getOrDefault(communityCode, List.of());
    }

    public List<Piece> pieces() {
        return pieces;
    }

    public List<ManagementArea> managementAreas() {
        return managementAreas;
    }

    /** The management area (such as 高新园区) a street belongs to, if any. */
    public Optional<String> managementAreaOf(String streetCode) {
        return Optional.ofNullable(areaByStreet.get(streetCode));
    }

    /** The district's real boundary in UTM 51N metres. */
    public Geometry districtUtm(String districtCode) {
        Geometry g = districtUtm.get(districtCode);
        if (g == null) {
            throw new IllegalArgumentException("unknown district " + districtCode);
        }
        return g;
    }

    public District district(UnitGrid g) {
        return divisions.district(g.districtCode()).orElseThrow();
    }

    public Street street(UnitGrid g) {
        return divisions.street(g.streetCode()).orElseThrow();
    }

    public Community community(UnitGrid g) {
        return divisions.community(g.communityCode()).orElseThrow();
    }

    /** A community's (synthetic) boundary: the union of its grids. */
    public Geometry communityUtm(String communityCode) {
        return unions(false).computeIfAbsent(communityCode, c -> union(gridsOf(c).stream().map(UnitGrid::utm).toList()));
    }

    /** A street's (synthetic) boundary: the union of its communities. */
    public Geometry streetUtm(String streetCode) {
        return unions(true).computeIfAbsent(streetCode, s -> union(divisions.communitiesOf(s).stream()
                .map(c -> communityUtm(c.code())).filter(g -> !g.isEmpty()).toList()));
    }

    /** Separate caches: a street's union is computed from its communities' cached unions. */
    private synchronized Map<String, Geometry> unions(boolean streets) {
        if (communityUnions == null) {
            communityUnions = new ConcurrentHashMap<>();
            streetUnions = new ConcurrentHashMap<>();
        }
        return streets ? streetUnions : communityUnions;
    }

    private static Geometry union(Collection<Geometry> parts) {
        if (parts.isEmpty()) {
            return new org.locationtech.jts.geom.GeometryFactory().createPolygon();
        }
        return UnaryUnionOp.union(parts);
    }
}
