package io.gridwatch.backtest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.gridwatch.cases.Alert;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one rule set would have raised over the replayed readings.
 *
 * @param readings          readings replayed
 * @param sensors           distinct sensors among them
 * @param cases             the cases, in the order they were raised
 * @param alertsByState     alerts sent, by state ({@code raised}, {@code escalated}, {@code cleared}); watches included
 * @param detectionsByState detections of the rules, by state ({@code raised}, {@code update}, {@code cleared},
 *                          {@code watch}, {@code offline}, {@code online})
 * @param alerts            every alert, in order (case alerts and district watches)
 * @param skipped           detections the case tracker refused, with its reason (e.g. a manhole sensor with no
 *                          attached cover: no 部件 class to file a case under); empty when all went through
 */
@JsonPropertyOrder({"readings", "sensors", "cases", "alerts_by_state", "detections_by_state", "alerts", "skipped"})
public record BacktestResult(int readings, int sensors, List<ReplayedCase> cases, SortedMap<String, Integer> alertsByState,
                             SortedMap<String, Integer> detectionsByState, List<Alert> alerts, List<String> skipped) {

    public BacktestResult {
        cases = List.copyOf(cases);
        alertsByState = new TreeMap<>(alertsByState);
        detectionsByState = new TreeMap<>(detectionsByState);
        alerts = List.copyOf(alerts);
        skipped = List.copyOf(skipped);
    }

    /** Alerts sent in this state, 0 when none. */
    public int alerts(String state) {
        return alertsByState.getOrDefault(state, 0);
    }

    /** Detections in this state, 0 when none. */
    public int detections(String state) {
        return detectionsByState.getOrDefault(state, 0);
    }

    /** The cases of one problem, in order. */
    public List<ReplayedCase> casesOf(String problemKey) {
        return cases.stream().filter(c -> c.problemKey().equals(problemKey)).toList();
    }
}
