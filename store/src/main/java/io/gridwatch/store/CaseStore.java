package io.gridwatch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.cases.CaseStatus;
import io.gridwatch.json.Json;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Cases in PostgreSQL: {@code gw_case} holds the latest state of each case (the full case JSON in
 * {@code payload}, the columns that queries filter on beside it), {@code case_event} the audit trail,
 * one row per lifecycle message.
 *
 * <p>Writing is idempotent, so a sink may replay messages after a crash: the case row never moves back
 * (an older message — fewer occurrences, or the same count with an earlier status — changes nothing, and a
 * status a person set further along the workflow is kept), and an audit row is written once per
 * {@link CaseMessage#messageId()}.
 */
public final class CaseStore {

    /** {@code array_position} of a status in workflow order, as SQL. */
    private static final String STATUS_ORDER = CaseStatus.ALL.stream().map(s -> "'" + s + "'")
            .collect(Collectors.joining(",", "ARRAY[", "]::text[]"));

    private final DataSource dataSource;

    public CaseStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    public void write(CaseMessage message) {
        write(List.of(message));
    }

    /** Writes messages in order, in one transaction. */
    public void write(List<CaseMessage> messages) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (CaseMessage m : messages) {
                    write(c, m);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException("writing " + messages.size() + " case messages failed: " + e.getMessage(), e);
        }
    }

    private static void write(Connection c, CaseMessage m) throws SQLException {
        CaseFile f = m.caseFile();
        Stored stored = lock(c, f.caseId());
        String payload = json(f);
        if (stored == null) {
            try (PreparedStatement ps = c.prepareStatement(INSERT + " ON CONFLICT (case_id) DO NOTHING")) {
                bind(ps, f, payload, m.problemKey());
                if (ps.executeUpdate() == 0) {
                    stored = lock(c, f.caseId()); // written by another writer meanwhile: from here on, an update of it
                }
            }
        }
        String before = stored == null ? null : stored.status();
        if (stored != null) {
            stored.requireSameProblem(m);
            if (stored.problemKey() == null && m.problemKey() != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE gw_case SET problem_key = ? WHERE case_id = ?")) {
                    ps.setString(1, m.problemKey());
                    ps.setString(2, f.caseId());
                    ps.executeUpdate();
                }
            }
            // only forward: more occurrences, or as many and a status no earlier; a later status stays — except that a
            // case the job itself ended (auto-verified, or rejected when late readings withdrew it) may be reopened by a
            // correction (修正: late readings showed it had not cleared)
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE gw_case SET
                        status = CASE WHEN array_position(%1$s, ?::text) >= array_position(%1$s, status::text)
                                        OR (status::text IN ('verified', 'rejected') AND ?::text IN ('collected', 'filed'))
                                      THEN ? ELSE status END,
                        category_kind = ?, category_code = ?, grid_code = ?, district_code = ?, street_code = ?, severity = ?,
                        first_seen = ?, last_seen = ?, occurrences = ?, confidence = ?, department = ?, deadline = ?, rule_id = ?,
                        payload = ?::jsonb, updated_at = now()
                    WHERE case_id = ?
                      AND (occurrences < ? OR (occurrences = ? AND array_position(%1$s, status::text) <= array_position(%1$s, ?::text)))
                      AND payload IS DISTINCT FROM ?::jsonb
                    """.formatted(STATUS_ORDER))) {
                int i = 1;
                ps.setString(i++, f.status());
                ps.setString(i++, f.status());
                ps.setString(i++, f.status());
                i = bindColumns(ps, i, f);
                ps.setString(i++, payload);
                ps.setString(i++, f.caseId());
                ps.setInt(i++, f.occurrences());
                ps.setInt(i++, f.occurrences());
                ps.setString(i++, f.status());
                ps.setString(i, payload);
                ps.executeUpdate();
            }
            // the stored payload says the status the row has (a person may have moved it on)
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE gw_case SET payload = jsonb_set(payload, '{status}', to_jsonb(status::text)) "
                            + "WHERE case_id = ? AND payload->>'status' IS DISTINCT FROM status::text")) {
                ps.setString(1, f.caseId());
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO case_event (case_id, type, from_status, to_status, actor, payload, message_id)
                VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)
                ON CONFLICT (case_id, message_id) DO NOTHING
                """)) {
            ps.setString(1, f.caseId());
            ps.setString(2, m.type());
            ps.setString(3, before);
            ps.setString(4, f.status());
            ps.setString(5, f.ruleId() == null ? "gridwatch-cases" : "rule:" + f.ruleId());
            ps.setString(6, json(m));
            ps.setString(7, m.messageId());
            ps.executeUpdate();
        }
    }

    private static final String INSERT = """
            INSERT INTO gw_case (status, category_kind, category_code, grid_code, district_code, street_code, severity,
                                 first_seen, last_seen, occurrences, confidence, department, deadline, rule_id, payload, case_id,
                                 problem_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)
            """;

    private static void bind(PreparedStatement ps, CaseFile f, String payload, String problemKey) throws SQLException {
        ps.setString(1, f.status());
        int i = bindColumns(ps, 2, f);
        ps.setString(i++, payload);
        ps.setString(i++, f.caseId());
        ps.setString(i, problemKey);
    }

    /** The stored case's row, locked for this transaction; null when there is none. */
    private static Stored lock(Connection c, String caseId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT status, problem_key, category_kind, category_code, grid_code,
                       payload->'sources'->0->>'type', payload->'sources'->0->>'id'
                FROM gw_case WHERE case_id = ? FOR UPDATE
                """)) {
            ps.setString(1, caseId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Stored(caseId, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7)) : null;
            }
        }
    }

    /**
     * What the stored row says about the problem its case is. A case never changes its problem key, class, grid or
     * first source, so a write that differs in any of them is another problem's case under a reused id.
     */
    private record Stored(String caseId, String status, String problemKey, String categoryKind, String categoryCode,
                          String gridCode, String firstSourceType, String firstSourceId) {

        void requireSameProblem(CaseMessage m) {
            CaseFile f = m.caseFile();
            CaseFile.Source first = f.sources().isEmpty() ? null : f.sources().get(0);
            boolean sameKey = problemKey == null || m.problemKey() == null || problemKey.equals(m.problemKey());
            boolean sameCase = Objects.equals(categoryKind, f.category().kind()) && Objects.equals(categoryCode, f.category().code())
                    && Objects.equals(gridCode, f.grid() == null ? null : f.grid().code())
                    && (first == null || firstSourceId == null
                        || (Objects.equals(firstSourceType, first.type()) && Objects.equals(firstSourceId, first.id())));
            if (!sameKey || !sameCase) {
                throw new CaseConflictException(caseId, describe(problemKey, categoryKind, categoryCode, gridCode,
                        firstSourceType, firstSourceId), describe(m.problemKey(), f.category().kind(), f.category().code(),
                        f.grid() == null ? null : f.grid().code(), first == null ? null : first.type(), first == null ? null : first.id()));
            }
        }

        private static String describe(String key, String kind, String code, String grid, String sourceType, String sourceId) {
            return (key == null ? "(problem key not recorded)" : key) + " [" + kind + " " + code + " in grid " + grid
                    + (sourceId == null ? "" : ", first seen by " + sourceType + " " + sourceId) + "]";
        }
    }

    /** category_kind … rule_id, from index {@code i}; returns the next index. */
    private static int bindColumns(PreparedStatement ps, int i, CaseFile f) throws SQLException {
        String grid = f.grid() == null ? null : f.grid().code();
        ps.setString(i++, f.category().kind());
        ps.setString(i++, f.category().code());
        ps.setString(i++, grid);
        ps.setString(i++, grid != null ? grid.substring(0, 6) : districtOf(f.caseId()));
        ps.setString(i++, grid != null ? grid.substring(0, 9) : null);
        ps.setString(i++, f.severity());
        ps.setTimestamp(i++, Timestamp.from(Instant.ofEpochMilli(f.firstSeen())));
        ps.setTimestamp(i++, Timestamp.from(Instant.ofEpochMilli(f.lastSeen())));
        ps.setInt(i++, f.occurrences());
        ps.setDouble(i++, f.confidence());
        ps.setString(i++, f.department());
        if (f.deadline() == null) {
            ps.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setTimestamp(i++, Timestamp.from(Instant.ofEpochMilli(f.deadline())));
        }
        ps.setString(i++, f.ruleId());
        return i;
    }

    /** The district of a case id GW-210211-…, null for the no-district placeholder. */
    private static String districtOf(String caseId) {
        String[] parts = caseId.split("-");
        return parts.length > 1 && parts[1].matches("\\d{6}") && !parts[1].equals("000000") ? parts[1] : null;
    }

    /**
     * The stored cases, oldest first.
     *
     * @param since  only cases seen at or after this time ({@code last_seen}), or null for all
     * @param status only cases in this status, or null for all
     */
    public List<CaseFile> list(Instant since, String status) {
        if (status != null) {
            CaseStatus.require(status);
        }
        StringBuilder sql = new StringBuilder("SELECT payload FROM gw_case WHERE true");
        if (since != null) {
            sql.append(" AND last_seen >= ?");
        }
        if (status != null) {
            sql.append(" AND status = ?");
        }
        sql.append(" ORDER BY first_seen, case_id");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            if (since != null) {
                ps.setTimestamp(i++, Timestamp.from(since));
            }
            if (status != null) {
                ps.setString(i, status);
            }
            List<CaseFile> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.mapper().readValue(rs.getString(1), CaseFile.class));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("listing cases failed: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored case is not valid case JSON: " + e.getOriginalMessage(), e);
        }
    }

    public Optional<CaseFile> find(String caseId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT payload FROM gw_case WHERE case_id = ?")) {
            ps.setString(1, caseId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Json.mapper().readValue(rs.getString(1), CaseFile.class)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("reading case " + caseId + " failed: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new StoreException("case " + caseId + " is not valid case JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(Object o) {
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
