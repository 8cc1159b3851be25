package io.gridwatch.jobs;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules operator alone, in Flink's keyed-broadcast harness: output, state, timers, rule changes. */
class SensorRulesFunctionTest {

    static final long T0 = Instant.parse("2026-07-28T00:00:00Z").toEpochMilli();
    static final long MIN = 60_000L;

    KeyedBroadcastOperatorTestHarness<String, Reading, RuleChange, Detection> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new SensorRulesFunction(), Reading::sensorId,
                Types.STRING, SensorRulesFunction.RULES);
        // as in the job (RuleChanges.WATERMARKS): the rules input never holds event time back
        harness.processBroadcastWatermark(Long.MAX_VALUE);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static Reading water(String sensor, int minute, double cm) {
        long ts = T0 + minute * MIN;
        return new Reading(Reading.SCHEMA, sensor, SensorType.WATER_LEVEL, Reading.TELEMETRY, ts, Instant.ofEpochMilli(ts).toString(),
                ts, (long) minute, new LinkedHashMap<>(Map.of("water_level_cm", cm)), null, 121.51, 39.037, "210211016001002", "210211",
                null, 60);
    }

    List<String> states() {
        return harness.extractOutputValues().stream().map(d -> d.source().id() + "/" + d.state() + "/" + d.severity()).toList();
    }

    @Test
    void aHeldThresholdRaisesOnceAndOneTimerPerSensorWatchesForSilence() throws Exception {
        for (int m = 0; m <= 6; m++) {
            harness.processElement(water("wl-1", m, 20), T0 + m * MIN);
            harness.processElement(water("wl-2", m, 0), T0 + m * MIN);
        }
        assertThat(states()).containsExactly("wl-1/raised/blue");
        // one timer per sensor however many readings came (not one per reading)
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    }

    @Test
    void silenceRaisesOfflineOnlyAtTheDeadlineThatReadingsKeptMovingOn() throws Exception {
        for (int m = 0; m <= 10; m++) {
            harness.processElement(water("wl-1", m, 0), T0 + m * MIN);
        }
        // the first reading armed a timer at minute 3; the watermark passes it while readings have moved the deadline on
        harness.processWatermark(T0 + 5 * MIN);
        assertThat(states()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        // three intervals of silence after the last reading (minute 10): offline
        harness.processWatermark(T0 + 13 * MIN + 1);
        assertThat(states()).containsExactly("wl-1/offline/null");
        harness.processElement(water("wl-1", 20, 0), T0 + 20 * MIN);
        assertThat(states()).containsExactly("wl-1/offline/null", "wl-1/online/null");
    }

    @Test
    void aRulePushedAtRunTimeAppliesToTheNextReadings() throws Exception {
        String stricter = "water_level.default";
        String water = """
                {"schema": 1, "rule_id": "water_level.default", "sensor_type": "water_level", "kind": "threshold", "enabled": true,
                 "category": {"kind": "event", "code": "0406"}, "team": "flood",
                 "threshold": {
                   "raise": [{"all": [{"metric": "water_level_cm", "op": ">=", "value": 25}], "for_s": 300}],
                   "clear": [{"all": [{"metric": "water_level_cm", "op": "<", "value": 5}], "for_s": 600}]}}""";
        harness.processBroadcastElement(new RuleChange(stricter, water), T0);
        for (int m = 0; m <= 6; m++) {
            harness.processElement(water("wl-1", m, 20), T0 + m * MIN);
        }
        assertThat(states()).as("20 cm no longer raises once the threshold is 25 cm").isEmpty();
        harness.processBroadcastElement(new RuleChange(stricter, null), T0 + 7 * MIN);
        for (int m = 7; m <= 13; m++) {
            harness.processElement(water("wl-1", m, 20), T0 + m * MIN);
        }
        assertThat(states()).as("deleting the override brings back the 15 cm default").containsExactly("wl-1/raised/blue");
    }

    /**
     * Issue 11, finding 7: a rule that cannot work, arriving on gw.rules.v1 past the CLI, is refused by the job (logged, not
     * applied, no crash); the rule in force before stays. {@code water_level_cm >= 0} as a clear condition once turned one
     * 8-minute flood into 6 flapping cases.
     */
    @Test
    void aRuleThatCannotWorkIsNotAppliedAndTheRuleBeforeStays() throws Exception {
        String flapping = """
                {"schema": 1, "rule_id": "water_level.default", "sensor_type": "water_level", "kind": "threshold", "enabled": true,
                 "category": {"kind": "event", "code": "0406"}, "team": "flood",
                 "threshold": {
                   "raise": [{"all": [{"metric": "water_level_cm", "op": ">=", "value": 15}], "for_s": 300}],
                   "clear": [{"all": [{"metric": "water_level_cm", "op": ">=", "value": 0}], "for_s": 0}]}}""";
        String noSuchCategory = flapping.replace("\"op\": \">=\", \"value\": 0}], \"for_s\": 0", "\"op\": \"<\", \"value\": 5}], \"for_s\": 600")
                .replace("0406", "0477");
        String wrongMetric = flapping.replace("\"metric\": \"water_level_cm\", \"op\": \">=\", \"value\": 15", "\"metric\": \"fill_pct\", \"op\": \">=\", \"value\": 15");
        harness.processBroadcastElement(new RuleChange("water_level.default", flapping), T0);
        harness.processBroadcastElement(new RuleChange("water_level.default", noSuchCategory), T0);
        harness.processBroadcastElement(new RuleChange("water_level.default", wrongMetric), T0);
        for (int m = 0; m <= 20; m++) {
            harness.processElement(water("wl-1", m, 20), T0 + m * MIN);
        }
        // the default (clear below 5 cm for 10 min) is still in force: one case, raised once, never cleared by 20 cm of water
        assertThat(states()).containsExactly("wl-1/raised/blue");
        assertThat(harness.getOperator().getOperatorStateBackend().getBroadcastState(SensorRulesFunction.RULES).immutableEntries())
                .isEmpty();
    }

    /**
     * The lateness bound ({@code jobs.sensor_pipeline.lateness_s}) reaches the evaluator: a low reading of minute 3 that
     * arrives after minute 9 breaks the hold that raised at minute 5 — within an hour's bound the raise is corrected, within
     * a 2-minute bound the reading is too old to re-judge and the raise stands.
     */
    @Test
    void aLateReadingIsReJudgedOnlyWithinTheConfiguredLateness() throws Exception {
        assertThat(lateLowReading(Duration.ofHours(1))).hasSize(2).first().isEqualTo("wl-1/raised/blue");
        assertThat(lateLowReading(Duration.ofMinutes(2))).containsExactly("wl-1/raised/blue");
        assertThatThrownBy(() -> new SensorRulesFunction(GridwatchConfig.Edition.CLASSIC, Duration.ofDays(2)))
                .hasMessageContaining("lateness");
    }

    private static List<String> lateLowReading(Duration lateness) throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new SensorRulesFunction(GridwatchConfig.Edition.CLASSIC, lateness), Reading::sensorId, Types.STRING, SensorRulesFunction.RULES)) {
            h.processBroadcastWatermark(Long.MAX_VALUE);
            for (int m = 0; m <= 9; m++) {
                if (m != 3) {
                    h.processElement(water("wl-1", m, 20), T0 + m * MIN);
                }
            }
            h.processElement(water("wl-1", 3, 0), T0 + 3 * MIN);
            return h.extractOutputValues().stream().map(d -> d.source().id() + "/" + d.state() + "/" + d.severity()).toList();
        }
    }
}
