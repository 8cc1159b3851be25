package io.gridwatch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gridwatch.cases.Alert;
import io.gridwatch.json.Json;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Alerts (CONTRACTS.md §5) in the time-series table {@code alert}. Idempotent by alert id: an alert written
 * again (a replay after a crash: same id, same time, same case and place) is ignored. The table's key is
 * {@code (alert_id, at)} because a time-series table needs its time column in every unique key, so the store
 * itself makes sure that an alert id stands for one alert: another alert under an existing id (a case id handed
 * out twice) is refused with {@link CaseConflictException}, never stored beside or instead of the first.
 */
public final class AlertStore {

    private static final String INSERT = """
            INSERT INTO alert (at, alert_id, team, state, severity, case_id, grid_code, district_code, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (alert_id, at) DO NOTHING
            """;

    private final DataSource dataSource;

    public AlertStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Writes alerts in one transaction; returns how many were new.
     *
     * @throws CaseConflictException when an alert's id is taken by a different alert; nothing is written then
     */
    public int write(List<Alert> alerts) {
        if (alerts.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                int inserted = 0;
                for (Alert a : alerts) {
                    if (stored(c, a)) {
                        continue;
                    }
                    ps.setTimestamp(1, Timestamp.from(Instant.ofEpochMilli(a.at())));
                    ps.setString(2, a.alertId());
                    ps.setString(3, a.team());
                    ps.setString(4, a.state());
                    ps.setString(5, a.severity());
                    ps.setString(6, a.caseId());
                    ps.setString(7, a.grid() == null ? null : a.grid().code());
                    ps.setString(8, a.districtCode());
                    ps.setString(9, Json.mapper().writeValueAsString(a));
                    inserted += Math.max(ps.executeUpdate(), 0);
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException | JsonProcessingException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException("writing " + alerts.size() + " alerts failed: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write alert JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Whether this alert is stored already. Holds a transaction lock on the alert id, so that two writers of one id
     * cannot both find it absent.
     *
     * @throws CaseConflictException when the id is stored for another alert (another time, case, grid or class)
     */
    private static boolean stored(Connection c, Alert a) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "alert:" + a.alertId());
            lock.execute();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT at, case_id, grid_code, payload->'category'->>'code' FROM alert WHERE alert_id = ? ORDER BY at LIMIT 1")) {
            ps.setString(1, a.alertId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                long at = rs.getTimestamp(1).getTime();
                String caseId = rs.getString(2);
                String grid = rs.getString(3);
                String category = rs.getString(4);
                String newGrid = a.grid() == null ? null : a.grid().code();
                String newCategory = a.category() == null ? null : a.category().code();
                if (at != a.at() || !Objects.equals(caseId, a.caseId()) || !Objects.equals(grid, newGrid)
                        || !Objects.equals(category, newCategory)) {
                    throw new CaseConflictException("alert " + a.alertId(),
                            describe(caseId, category, grid, at), describe(a.caseId(), newCategory, newGrid, a.at()));
                }
                return true;
            }
        }
    }

    private static String describe(String caseId, String category, String grid, long at) {
        return "the alert of case " + caseId + " [" + category + " in grid " + grid + " at " + Instant.ofEpochMilli(at) + "]";
    }

    /** Alerts at or after {@code since} (all when null), in time order. */
    public List<Alert> list(Instant since) {
        String sql = "SELECT payload FROM alert" + (since == null ? "" : " WHERE at >= ?") + " ORDER BY at, alert_id";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (since != null) {
                ps.setTimestamp(1, Timestamp.from(since));
            }
            List<Alert> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.mapper().readValue(rs.getString(1), Alert.class));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("listing alerts failed: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored alert is not valid alert JSON: " + e.getOriginalMessage(), e);
        }
    }
}
