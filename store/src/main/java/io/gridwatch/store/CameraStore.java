package io.gridwatch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.grid.GridLocation;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.TelemetryParser;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The camera registry (table {@code camera}, CONTRACTS.md §2): imported from YAML, read by ingest and the video job.
 * An import is one transaction: all cameras or none. Importing a camera again updates it in place; its unit grid is
 * derived from where it stands on every import. Calibration and zones are kept as JSON in the shape of §2
 * ({@link CameraFile#toJson}), so what is stored reads back through the same checks as the file.
 */
public final class CameraStore {

    private final DataSource dataSource;

    public CameraStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** A camera as stored, with its derived unit grid (null outside every grid) and when it last changed. */
    public record StoredCamera(Camera camera, String gridCode, Instant updatedAt) {
    }

    /**
     * Inserts or updates {@code cameras} in one transaction; a camera stored exactly so is left untouched.
     *
     * @param grids derives each camera's unit grid from its location
     */
    public RegistryImport upsert(List<Camera> cameras, TelemetryParser.GridLookup grids) {
        int inserted = 0;
        int updated = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO camera AS k (camera_id, url, lon, lat, calibration, zones, grid_code)
                    VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)
                    ON CONFLICT (camera_id) DO UPDATE SET url = excluded.url, lon = excluded.lon, lat = excluded.lat,
                      calibration = excluded.calibration, zones = excluded.zones, grid_code = excluded.grid_code, updated_at = now()
                    WHERE (k.url, k.lon, k.lat, k.calibration, k.zones, k.grid_code)
                          IS DISTINCT FROM (excluded.url, excluded.lon, excluded.lat, excluded.calibration, excluded.zones, excluded.grid_code)
                    RETURNING (xmax = 0) AS inserted""")) {
                for (Camera cam : cameras) {
                    ObjectNode json = CameraFile.toJson(cam);
                    ps.setString(1, cam.id());
                    ps.setString(2, cam.url());
                    ps.setDouble(3, cam.location().lon());
                    ps.setDouble(4, cam.location().lat());
                    ps.setString(5, json.has("calibration") ? json.get("calibration").toString() : null);
                    ps.setString(6, json.get("zones").toString());
                    ps.setString(7, grids.lookup(cam.location().lon(), cam.location().lat()).map(GridLocation::gridCode).orElse(null));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            if (rs.getBoolean(1)) {
                                inserted++;
                            } else {
                                updated++;
                            }
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not import cameras, nothing was stored: " + e.getMessage(), e);
        }
        return new RegistryImport(inserted, updated, cameras.size() - inserted - updated);
    }

    /**
     * Removes cameras from the registry (and their health rows) in one transaction.
     *
     * @return the ids that were registered and are removed now, in the order given
     */
    public List<String> delete(List<String> cameraIds) {
        List<String> removed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM camera WHERE camera_id = ?");
                 PreparedStatement health = c.prepareStatement("DELETE FROM camera_health WHERE camera_id = ?")) {
                for (String id : cameraIds) {
                    ps.setString(1, id);
                    if (ps.executeUpdate() > 0) {
                        removed.add(id);
                    }
                    health.setString(1, id);
                    health.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not remove cameras, nothing was removed: " + e.getMessage(), e);
        }
        return removed;
    }

    /** Every registered camera, ordered by id. */
    public List<StoredCamera> list() {
        List<StoredCamera> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT camera_id, url, lon, lat, calibration, zones, grid_code, updated_at FROM camera ORDER BY camera_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ObjectNode json = Json.mapper().createObjectNode();
                json.put("id", rs.getString(1));
                json.put("url", rs.getString(2));
                json.putObject("location").put("lon", rs.getDouble(3)).put("lat", rs.getDouble(4));
                String calibration = rs.getString(5);
                if (calibration != null) {
                    json.set("calibration", parse(calibration));
                }
                json.set("zones", parse(rs.getString(6)));
                out.add(new StoredCamera(CameraFile.fromJson(json), rs.getString(7), rs.getTimestamp(8).toInstant()));
            }
        } catch (SQLException e) {
            throw new StoreException("could not read the camera registry: " + e.getMessage(), e);
        }
        return out;
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException("the camera registry holds JSON that does not parse: " + e.getOriginalMessage(), e);
        }
    }
}
