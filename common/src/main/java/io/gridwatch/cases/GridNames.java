package io.gridwatch.cases;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.admin.Community;
import io.gridwatch.admin.District;
import io.gridwatch.admin.Street;
import io.gridwatch.grid.GridSet;

/**
 * The Chinese names of the district (区), street (街道) and community (社区) a unit grid nests in.
 * A grid code starts with its community, street and district codes ({@link io.gridwatch.grid.GridCode}),
 * so the administrative divisions answer this without the grid geometry.
 */
@FunctionalInterface
public interface GridNames {

    /**
     * The names for a grid code; for a null or unknown code, the names of whatever prefix is known
     * ({@code districtCode} when the grid code is null), null for the rest.
     */
    CaseFile.Grid names(String gridCode, String districtCode);

    static GridNames of(GridSet grids) {
        return of(grids.divisions());
    }

    static GridNames of(AdministrativeDivisions divisions) {
        return (gridCode, districtCode) -> {
            String d = gridCode != null && gridCode.length() >= 6 ? gridCode.substring(0, 6) : districtCode;
            String district = d == null ? null : divisions.district(d).map(District::name).orElse(null);
            String street = gridCode != null && gridCode.length() >= 9
                    ? divisions.street(gridCode.substring(0, 9)).map(Street::name).orElse(null) : null;
            String community = gridCode != null && gridCode.length() >= 12
                    ? divisions.community(gridCode.substring(0, 12)).map(Community::name).orElse(null) : null;
            return new CaseFile.Grid(gridCode, district, street, community);
        };
    }
}
