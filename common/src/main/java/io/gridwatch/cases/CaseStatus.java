package io.gridwatch.cases;

import java.util.List;

/**
 * The case statuses of CONTRACTS.md §4: the seven stages of the workflow (信息收集 → … → 结案) plus
 * {@code rejected} and {@code evaluated}. Same set as the {@code case_status} domain in PostgreSQL.
 */
public final class CaseStatus {

    /** 信息收集 — waiting for a person to confirm (confidence below the filing threshold). */
    public static final String COLLECTED = "collected";
    /** 案卷建立 — filed. */
    public static final String FILED = "filed";
    public static final String DISPATCHED = "dispatched";
    public static final String IN_PROGRESS = "in_progress";
    public static final String FEEDBACK = "feedback";
    /** 核实结案 — verified; auto-verification when the cause cleared. */
    public static final String VERIFIED = "verified";
    public static final String CLOSED = "closed";
    public static final String REJECTED = "rejected";
    public static final String EVALUATED = "evaluated";

    /** In workflow order; a replayed older message must never move a case back along it. */
    public static final List<String> ALL = List.of(COLLECTED, FILED, DISPATCHED, IN_PROGRESS, FEEDBACK, VERIFIED, CLOSED,
            REJECTED, EVALUATED);

    private CaseStatus() {
    }

    public static String require(String status) {
        if (!ALL.contains(status)) {
            throw new IllegalArgumentException("unknown case status '" + status + "'; expected one of " + ALL);
        }
        return status;
    }
}
