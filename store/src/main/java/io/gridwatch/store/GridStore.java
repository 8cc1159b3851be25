package io.gridwatch.store;

import io.gridwatch.admin.Community;
import io.gridwatch.admin.District;
import io.gridwatch.admin.Street;
import io.gridwatch.config.GridwatchConfig.ManagementArea;
import io.gridwatch.grid.GridPartitioner;
import io.gridwatch.grid.GridSet;
import io.gridwatch.grid.UnitGrid;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.io.geojson.GeoJsonWriter;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the districts, streets, communities, management areas and unit grids of a
 * {@link GridSet} to PostgreSQL, in one transaction. Writing the same set again changes nothing;
 * grids that a new set no longer has are removed.
 */
public final class GridStore {

    /** 7 decimals of a degree is about a centimetre: enough for a 100 m grid, and a third of the bytes. */
    private static final int GEOJSON_DECIMALS = 7;
    private static final int BATCH = 2_000;

    private final DataSource dataSource;

    public GridStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Counts of what {@link #write} stored. */
    public record Written(int districts, int streets, int communities, int grids, int removed) {
    }

    public Written write(GridSet set) {
        GeoJsonWriter geojson = new GeoJsonWriter(GEOJSON_DECIMALS);
        geojson.setEncodeCRS(false);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int districts = 0;
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO district (code, name, area_m2, geom_geojson, synthetic) VALUES (?, ?, ?, ?::jsonb, false)
                        ON CONFLICT (code) DO UPDATE SET name = excluded.name, area_m2 = excluded.area_m2,
                          geom_geojson = excluded.geom_geojson, synthetic = false""")) {
                    for (District d : set.divisions().districts()) {
                        ps.setString(1, d.code());
                        ps.setString(2, d.name());
                        ps.setDouble(3, set.districtUtm(d.code()).getArea());
                        ps.setString(4, geojson.write(d.wgs84()));
                        ps.addBatch();
                        districts++;
                    }
                    ps.executeBatch();
                }
                int streets = 0;
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO street (code, district_code, name, area_m2, geom_geojson, synthetic) VALUES (?, ?, ?, ?, ?::jsonb, true)
                        ON CONFLICT (code) DO UPDATE SET district_code = excluded.district_code, name = excluded.name,
                          area_m2 = excluded.area_m2, geom_geojson = excluded.geom_geojson, synthetic = true""")) {
                    for (Street s : set.divisions().streets()) {
                        Geometry utm = set.streetUtm(s.code());
                        ps.setString(1, s.code());
                        ps.setString(2, s.districtCode());
                        ps.setString(3, s.name());
                        ps.setDouble(4, utm.getArea());
                        ps.setString(5, geojson.write(GridPartitioner.toWgs84(utm)));
                        ps.addBatch();
                        streets++;
                    }
                    ps.executeBatch();
                }
                int communities = 0;
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO community (code, street_code, name, area_m2, geom_geojson, synthetic) VALUES (?, ?, ?, ?, ?::jsonb, true)
                        ON CONFLICT (code) DO UPDATE SET street_code = excluded.street_code, name = excluded.name,
                          area_m2 = excluded.area_m2, geom_geojson = excluded.geom_geojson, synthetic = true""")) {
                    for (Community cm : set.divisions().communities()) {
                        Geometry utm = set.communityUtm(cm.code());
                        ps.setString(1, cm.code());
                        ps.setString(2, cm.streetCode());
                        ps.setString(3, cm.name());
                        ps.setDouble(4, utm.getArea());
                        ps.setString(5, geojson.write(GridPartitioner.toWgs84(utm)));
                        ps.addBatch();
                        communities++;
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement del = c.prepareStatement("DELETE FROM management_area");
                     PreparedStatement area = c.prepareStatement("INSERT INTO management_area (name) VALUES (?)");
                     PreparedStatement street = c.prepareStatement("INSERT INTO management_area_street (area_name, street_code) VALUES (?, ?)")) {
                    del.executeUpdate();
                    for (ManagementArea a : set.managementAreas()) {
                        area.setString(1, a.name());
                        area.executeUpdate();
                        for (String s : a.streets()) {
                            street.setString(1, a.name());
                            street.setString(2, s);
                            street.addBatch();
                        }
                    }
                    street.executeBatch();
                }
                int grids = 0;
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO unit_grid (code, community_code, street_code, district_code, seq, area_m2, interior,
                          min_lon, min_lat, max_lon, max_lat, centroid_lon, centroid_lat, geom_geojson, synthetic)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, true)
                        ON CONFLICT (code) DO UPDATE SET community_code = excluded.community_code, street_code = excluded.street_code,
                          district_code = excluded.district_code, seq = excluded.seq, area_m2 = excluded.area_m2,
                          interior = excluded.interior, min_lon = excluded.min_lon, min_lat = excluded.min_lat,
                          max_lon = excluded.max_lon, max_lat = excluded.max_lat, centroid_lon = excluded.centroid_lon,
                          centroid_lat = excluded.centroid_lat, geom_geojson = excluded.geom_geojson, synthetic = true
                        WHERE unit_grid.geom_geojson IS DISTINCT FROM excluded.geom_geojson
                           OR unit_grid.community_code IS DISTINCT FROM excluded.community_code""")) {
                    for (UnitGrid g : set.grids()) {
                        Geometry wgs = GridPartitioner.toWgs84(g.utm());
                        Envelope e = wgs.getEnvelopeInternal();
                        Point centroid = wgs.getCentroid();
                        ps.setString(1, g.code());
                        ps.setString(2, g.communityCode());
                        ps.setString(3, g.streetCode());
                        ps.setString(4, g.districtCode());
                        ps.setInt(5, g.seq());
                        ps.setDouble(6, g.areaM2());
                        ps.setBoolean(7, g.interior());
                        ps.setDouble(8, e.getMinX());
                        ps.setDouble(9, e.getMinY());
                        ps.setDouble(10, e.getMaxX());
                        ps.setDouble(11, e.getMaxY());
                        ps.setDouble(12, centroid.getX());
                        ps.setDouble(13, centroid.getY());
                        ps.setString(14, geojson.write(wgs));
                        ps.addBatch();
                        if (++grids % BATCH == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                int removed;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM unit_grid WHERE NOT (code = ANY (?))")) {
                    Array codes = c.createArrayOf("bpchar", set.grids().stream().map(UnitGrid::code).toArray());
                    ps.setArray(1, codes);
                    removed = ps.executeUpdate();
                }
                c.commit();
                return new Written(districts, streets, communities, grids, removed);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not store the unit grids: " + e.getMessage(), e);
        }
    }

    /** Grid counts per district and street as stored: {district name → {street name → grids}}. */
    public Map<String, Map<String, Integer>> countsByStreet() {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT d.name, s.name, count(*) FROM unit_grid g
                     JOIN street s ON s.code = g.street_code JOIN district d ON d.code = g.district_code
                     GROUP BY d.code, d.name, s.code, s.name ORDER BY d.code, s.code""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getInt(3));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("could not read grid counts: " + e.getMessage(), e);
        }
    }
}
