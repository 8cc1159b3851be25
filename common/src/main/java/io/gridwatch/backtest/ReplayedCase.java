package io.gridwatch.backtest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.gridwatch.cases.CaseFile;

import java.util.List;

/**
 * One case a replay would have raised: the case as {@link io.gridwatch.cases.CaseTracker} last left it,
 * with when it was raised and ended. Case ids are numbered within the replay (1, 2, … per district and day),
 * so they may coincide with real cases' ids: compare replays by {@link #problemKey}, not by id.
 *
 * @param problemKey  what makes detections one problem ({@code sensor:<id>:<family>})
 * @param severity    the highest severity reached (a case's severity only rises), or null without a ladder
 * @param firstSeen   epoch ms: when the condition began
 * @param lastSeen    epoch ms: the latest detection that saw it; once ended, when the readings first showed the cause gone
 * @param raisedAt    epoch ms: the detection that opened the case
 * @param endedAt     epoch ms: the detection that cleared it, or null when it was still open at the end of the replay
 * @param occurrences detections counted on the case
 * @param status      the last status ({@code filed}, {@code collected}, {@code verified} once ended)
 * @param alerts      the states of the alerts sent for it, in order ({@code raised}, {@code escalated}, {@code cleared})
 */
@JsonPropertyOrder({"problem_key", "case_id", "rule_id", "category", "grid", "severity", "first_seen", "last_seen", "raised_at",
        "ended_at", "occurrences", "status", "alerts"})
public record ReplayedCase(String problemKey, String caseId, String ruleId, CaseFile.Category category, CaseFile.Grid grid,
                           String severity, long firstSeen, long lastSeen, long raisedAt, Long endedAt, int occurrences,
                           String status, List<String> alerts) {

    public ReplayedCase {
        alerts = List.copyOf(alerts);
    }

    public boolean ended() {
        return endedAt != null;
    }
}
