package io.gridwatch.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Per-camera health (table {@code camera_health}): written by the camera ingest workers every few seconds, read by
 * {@code gridwatch cameras status} and {@code gridwatch status}. A worker reports only the cameras it runs; a row it
 * stopped updating (the worker died, or the camera moved and its new worker has not reported yet) is stale.
 */
public final class CameraHealthStore {

    private final DataSource dataSource;

    public CameraHealthStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * One camera's health as a worker reported it.
     *
     * @param lastFrameAt null when no frame was decoded yet
     * @param lastError   null when there was none
     * @param updatedAt   when the worker reported it
     */
    public record Entry(String cameraId, String worker, String state, boolean online, double framesInPerS, double framesOutPerS,
                        long framesIn, long framesOut, Instant lastFrameAt, long reconnects, long errors, String lastError,
                        boolean keyFramesOnly, Instant updatedAt) {
        public Entry {
            Objects.requireNonNull(cameraId, "cameraId");
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(updatedAt, "updatedAt");
        }

        /** Whether the report is older than {@code maxAge} at {@code now}: its worker stopped reporting it. */
        public boolean staleAt(Instant now, java.time.Duration maxAge) {
            return updatedAt.plus(maxAge).isBefore(now);
        }
    }

    /** Inserts or replaces the rows of {@code entries}, in one statement batch. */
    public void upsert(Collection<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO camera_health (camera_id, worker, state, online, frames_in_per_s, frames_out_per_s, frames_in, frames_out,
                       last_frame_at, reconnects, errors, last_error, key_frames_only, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (camera_id) DO UPDATE SET worker = excluded.worker, state = excluded.state, online = excluded.online,
                       frames_in_per_s = excluded.frames_in_per_s, frames_out_per_s = excluded.frames_out_per_s,
                       frames_in = excluded.frames_in, frames_out = excluded.frames_out, last_frame_at = excluded.last_frame_at,
                       reconnects = excluded.reconnects, errors = excluded.errors, last_error = excluded.last_error,
                       key_frames_only = excluded.key_frames_only, updated_at = excluded.updated_at""")) {
            for (Entry e : entries) {
                ps.setString(1, e.cameraId());
                ps.setString(2, e.worker());
                ps.setString(3, e.state());
                ps.setBoolean(4, e.online());
                ps.setDouble(5, e.framesInPerS());
                ps.setDouble(6, e.framesOutPerS());
                ps.setLong(7, e.framesIn());
                ps.setLong(8, e.framesOut());
                if (e.lastFrameAt() == null) {
                    ps.setNull(9, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    ps.setTimestamp(9, Timestamp.from(e.lastFrameAt()));
                }
                ps.setLong(10, e.reconnects());
                ps.setLong(11, e.errors());
                ps.setString(12, e.lastError());
                ps.setBoolean(13, e.keyFramesOnly());
                ps.setTimestamp(14, Timestamp.from(e.updatedAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new StoreException("could not store camera health: " + e.getMessage(), e);
        }
    }

    /** Removes the rows of cameras that are no longer registered. */
    public void delete(Collection<String> cameraIds) {
        if (cameraIds.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM camera_health WHERE camera_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", cameraIds.toArray()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not delete camera health: " + e.getMessage(), e);
        }
    }

    /**
     * Counts over the whole system, for {@code gridwatch status}.
     *
     * @param registered cameras in the registry
     * @param reporting  registered cameras with a health report younger than the stale age
     * @param online     of those, the ones whose stream is open and read
     */
    public record Summary(long registered, long reporting, long online) {
        @Override
        public String toString() {
            return online + " online / " + registered + " registered" + (reporting < registered ? " (" + (registered - reporting)
                    + " without a fresh report)" : "");
        }
    }

    /** {@link Summary} now, a report older than {@code staleAfter} not counting. */
    public Summary summary(java.time.Duration staleAfter) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT (SELECT count(*) FROM camera),
                            count(*) FILTER (WHERE h.updated_at > now() - make_interval(secs => ?)),
                            count(*) FILTER (WHERE h.updated_at > now() - make_interval(secs => ?) AND h.online)
                     FROM camera_health h JOIN camera k USING (camera_id)""")) {
            ps.setDouble(1, staleAfter.toMillis() / 1000.0);
            ps.setDouble(2, staleAfter.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Summary(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new StoreException("could not count camera health: " + e.getMessage(), e);
        }
    }

    /** Every row, ordered by camera id. */
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT camera_id, worker, state, online, frames_in_per_s, frames_out_per_s, frames_in, frames_out, last_frame_at,
                            reconnects, errors, last_error, key_frames_only, updated_at FROM camera_health ORDER BY camera_id""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp last = rs.getTimestamp(9);
                out.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getDouble(5), rs.getDouble(6),
                        rs.getLong(7), rs.getLong(8), last == null ? null : last.toInstant(), rs.getLong(10), rs.getLong(11),
                        rs.getString(12), rs.getBoolean(13), rs.getTimestamp(14).toInstant()));
            }
        } catch (SQLException e) {
            throw new StoreException("could not read camera health: " + e.getMessage(), e);
        }
        return out;
    }
}
