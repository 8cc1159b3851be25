package io.gridwatch.store;

import io.gridwatch.testkit.TestServices;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridPartitioner;
import io.gridwatch.grid.GridSet;
import io.gridwatch.grid.UnitGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.geojson.GeoJsonReader;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The grids and the catalogue written to the real PostgreSQL, twice, and read back. */
class ReferenceDataStoreTest {

    static Database db;
    static GridSet xigang;

    @BeforeAll
    static void setUp() {
        db = Database.open(TestServices.shared().newDatabase("refdata"), TestServices.shared().postgresUser());
        db.migrate();
        AdministrativeDivisions all = AdministrativeDivisions.dalian();
        // 西岗区 alone keeps the test quick; the management area names a street of 甘井子区, so none here
        AdministrativeDivisions divisions = new AdministrativeDivisions(
                all.districts().stream().filter(d -> d.code().equals("210203")).toList(),
                all.streetsOf("210203"),
                all.streetsOf("210203").stream().flatMap(s -> all.communitiesOf(s.code()).stream()).toList());
        xigang = new GridPartitioner().build(divisions, new GridwatchConfig.Grids(100, 2000, List.of(
                new GridwatchConfig.ManagementArea("测试管理区", List.of("210203001")))));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    static long count(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void gridsAreStoredNestedAndWritingAgainChangesNothing() throws Exception {
        GridStore store = new GridStore(db.dataSource());
        GridStore.Written first = store.write(xigang);
        assertThat(first.grids()).isEqualTo(xigang.grids().size());
        assertThat(first.communities()).isEqualTo(49);
        assertThat(count("SELECT count(*) FROM unit_grid")).isEqualTo(xigang.grids().size());
        assertThat(count("SELECT count(*) FROM unit_grid g JOIN community c ON c.code = g.community_code "
                + "JOIN street s ON s.code = c.street_code JOIN district d ON d.code = s.district_code WHERE d.name = '西岗区'"))
                .isEqualTo(xigang.grids().size());
        assertThat(count("SELECT count(*) FROM unit_grid WHERE NOT synthetic")).isZero();
        assertThat(count("SELECT count(*) FROM management_area_street WHERE area_name = '测试管理区'")).isEqualTo(1);

        GridStore.Written again = store.write(xigang);
        assertThat(again.removed()).isZero();
        assertThat(count("SELECT count(*) FROM unit_grid")).isEqualTo(xigang.grids().size());

        // the stored polygon is the grid, in WGS-84
        UnitGrid g = xigang.grids().get(xigang.grids().size() / 2);
        String json;
        try (Connection c = db.dataSource().getConnection();
             var ps = c.prepareStatement("SELECT geom_geojson::text, area_m2 FROM unit_grid WHERE code = ?")) {
            ps.setString(1, g.code());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                json = rs.getString(1);
                assertThat(rs.getDouble(2)).isCloseTo(g.areaM2(), within(1e-6));
            }
        }
        Geometry stored = GridPartitioner.toUtm(new GeoJsonReader().read(json));
        assertThat(stored.getArea()).isCloseTo(g.areaM2(), within(1.0));
        assertThat(stored.getCentroid().distance(g.utm().getCentroid())).isLessThan(0.05);

        // per-street counts come back grouped by the stored names
        assertThat(store.countsByStreet().get("西岗区").values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(xigang.grids().size());
    }

    @Test
    void catalogueEditionsAreStoredSideBySideAndIdempotently() throws Exception {
        CatalogueStore store = new CatalogueStore(db.dataSource());
        Catalogue classic = Catalogue.load(GridwatchConfig.Edition.CLASSIC);
        Catalogue gb = Catalogue.load(GridwatchConfig.Edition.GB47678_2026);
        assertThat(store.write(classic)).isEqualTo(classic.size());
        assertThat(store.write(gb)).isEqualTo(gb.size());
        assertThat(store.write(classic)).isEqualTo(classic.size());
        assertThat(count("SELECT count(*) FROM catalogue_class")).isEqualTo(classic.size() + gb.size());
        assertThat(count("SELECT count(*) FROM catalogue_class WHERE edition = 'classic' AND code = '0406' AND name = '道路积水'")).isEqualTo(1);
    }
}
