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
 * Alerts (CONTRACTS.md §5) in the time-series table {@code alert}. Idempotent: an alert is keyed by
 * {@code (alert_id, at)}, and a replayed one is ignored.
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

    /** Writes alerts in one transaction; returns how many were new. */
    public int write(List<Alert> alerts) {
        if (alerts.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (Alert a : alerts) {
                    ps.setTimestamp(1, Timestamp.from(Instant.ofEpochMilli(a.at())));
                    ps.setString(2, a.alertId());
                    ps.setString(3, a.team());
                    ps.setString(4, a.state());
                    ps.setString(5, a.severity());
                    ps.setString(6, a.caseId());
                    ps.setString(7, a.grid() == null ? null : a.grid().code());
                    ps.setString(8, a.districtCode());
                    ps.setString(9, Json.mapper().writeValueAsString(a));
                    ps.addBatch();
                }
                int inserted = 0;
                for (int n : ps.executeBatch()) {
                    inserted += Math.max(n, 0);
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
