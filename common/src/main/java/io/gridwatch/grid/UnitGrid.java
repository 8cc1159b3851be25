package io.gridwatch.grid;

import org.locationtech.jts.geom.Geometry;

import java.util.Objects;

/**
 * 单元网格 — a unit grid: about 100 m × 100 m (万米), inside one community.
 *
 * @param ordinal       position in {@link GridSet#grids()}, what {@link GridIndex} returns
 * @param code          15-digit code ({@link GridCode})
 * @param communityCode 12-digit code of its community
 * @param seq           sequence number inside the community, west→east, north→south
 * @param utm           its shape in UTM 51N metres
 * @param areaM2        area in square metres (UTM plane)
 * @param interior      a whole lattice cell, not cut by a district border
 */
public record UnitGrid(int ordinal, String code, String communityCode, int seq, Geometry utm, double areaM2, boolean interior) implements java.io.Serializable {

    public UnitGrid {
        GridCode.require(code);
        Objects.requireNonNull(utm, "utm");
        if (!code.startsWith(communityCode)) {
            throw new IllegalArgumentException("grid " + code + " is not coded under community " + communityCode);
        }
    }

    public String streetCode() {
        return code.substring(0, 9);
    }

    public String districtCode() {
        return code.substring(0, 6);
    }
}
