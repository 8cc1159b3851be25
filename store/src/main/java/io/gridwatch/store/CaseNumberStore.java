package io.gridwatch.store;

import io.gridwatch.cases.CaseIds;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Case sequence numbers (CONTRACTS.md §4: {@code GW-<district>-<yyyyMMdd>-<seq>}) handed out by PostgreSQL, so that
 * they are unique forever whatever happens to a job's state: a job started without state, after lost checkpoints,
 * or beside another job still continues each district's day where it stood ({@code case_counter}).
 *
 * <p>A number is handed out once per opening detection ({@code case_number}, keyed by
 * {@code Detection.detectionId()}, which is deterministic): the same detection replayed after a restore gets its
 * number back, so that the case, its Kafka messages and its alert ids come out the same again.
 */
public final class CaseNumberStore {

    private final DataSource dataSource;

    public CaseNumberStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The sequence number of the case that {@code openingDetection} opens: the one it was given before, or the next
     * one of the district and day.
     *
     * @param districtCode     6 digits ({@link CaseIds#NO_DISTRICT} for a place outside every district)
     * @param day              the Asia/Shanghai day the case is numbered under ({@link CaseIds#day})
     * @param openingDetection the deterministic id of the detection that opens the case
     * @param problemKey       the problem the case is, kept with the number
     * @throws CaseConflictException when the detection was numbered before under another district, day or problem
     * @throws StoreException        when the database cannot be used (callers may retry: nothing was handed out)
     */
    public int allocate(String districtCode, LocalDate day, String openingDetection, String problemKey) {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(problemKey, "problemKey");
        if (districtCode == null || !districtCode.matches("\\d{6}")) {
            throw new IllegalArgumentException("district code must have 6 digits: " + districtCode);
        }
        if (openingDetection == null || openingDetection.isEmpty()) {
            throw new IllegalArgumentException("a case number needs the id of the detection that opens the case");
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Integer seq = numbered(c, districtCode, day, openingDetection, problemKey);
                if (seq == null) {
                    seq = next(c, districtCode, day);
                    if (!claim(c, districtCode, day, seq, openingDetection, problemKey)) {
                        // another allocator numbered the same detection meanwhile: its number stands, ours is undone
                        c.rollback();
                        seq = numbered(c, districtCode, day, openingDetection, problemKey);
                        if (seq == null) {
                            throw new StoreException("case number of detection " + openingDetection
                                    + " was claimed concurrently but cannot be read back");
                        }
                    }
                }
                c.commit();
                return seq;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("allocating a case number for detection " + openingDetection + " in district "
                    + districtCode + " on " + day + " failed: " + e.getMessage(), e);
        }
    }

    /** The number the detection already has, or null. */
    private static Integer numbered(Connection c, String district, LocalDate day, String detection, String problemKey)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT district_code, day, seq, problem_key, case_id FROM case_number WHERE opening_detection = ?")) {
            ps.setString(1, detection);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String d = rs.getString(1);
                LocalDate on = rs.getDate(2).toLocalDate();
                String problem = rs.getString(4);
                if (!d.equals(district) || !on.equals(day) || !problem.equals(problemKey)) {
                    throw new CaseConflictException("opening detection " + detection, "case " + rs.getString(5) + " of problem "
                            + problem + " (district " + d + ", " + on + ")",
                            "a case of problem " + problemKey + " (district " + district + ", " + day + ")");
                }
                return rs.getInt(3);
            }
        }
    }

    /** Advances the district's counter for the day; the row lock serialises allocators of one district and day. */
    private static int next(Connection c, String district, LocalDate day) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO case_counter (district_code, day, last_seq) VALUES (?, ?, 1)
                ON CONFLICT (district_code, day) DO UPDATE SET last_seq = case_counter.last_seq + 1
                RETURNING last_seq
                """)) {
            ps.setString(1, district);
            ps.setDate(2, Date.valueOf(day));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            if ("23514".equals(e.getSQLState())) { // check_violation: past 999999
                throw new IllegalStateException("district " + district + " has used all 999,999 case numbers of " + day, e);
            }
            throw e;
        }
    }

    /** Records the number as the detection's; false when another transaction recorded one for it first. */
    private static boolean claim(Connection c, String district, LocalDate day, int seq, String detection, String problemKey)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO case_number (opening_detection, problem_key, district_code, day, seq, case_id)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (opening_detection) DO NOTHING
                """)) {
            ps.setString(1, detection);
            ps.setString(2, problemKey);
            ps.setString(3, district);
            ps.setDate(4, Date.valueOf(day));
            ps.setInt(5, seq);
            ps.setString(6, CaseIds.format(district, day, seq));
            return ps.executeUpdate() == 1;
        }
    }
}
