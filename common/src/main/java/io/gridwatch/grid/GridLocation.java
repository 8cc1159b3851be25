package io.gridwatch.grid;

import java.util.Optional;

/**
 * Where a point lies: its unit grid and everything the grid nests in, with Chinese names.
 *
 * @param managementArea the management area (管理区, such as 高新园区) when the street belongs to one
 */
public record GridLocation(String gridCode, String districtCode, String district, String streetCode, String street,
                           String communityCode, String community, Optional<String> managementArea, double areaM2) {

    public static GridLocation of(GridSet set, UnitGrid g) {
        return new GridLocation(g.code(), g.districtCode(), set.district(g).name(), g.streetCode(), set.street(g).name(),
                g.communityCode(), set.community(g).name(), set.managementAreaOf(g.streetCode()), g.areaM2());
    }
}
