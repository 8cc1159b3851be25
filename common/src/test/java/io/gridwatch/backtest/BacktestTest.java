package io.gridwatch.backtest;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.backtest.Comparison.Change;
import io.gridwatch.cases.CaseTracker;
import io.gridwatch.cases.GridNames;
import io.gridwatch.cases.Responsibility;
import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig.Edition;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BacktestTest {

    /** 2026-07-28T00:00:00Z = 08:00 in Asia/Shanghai. */
    static final long T0 = 1_785_196_800_000L;
    static final long MIN = 60_000L;
    static final String GRID = "210211016003007"; // 甘井子区 凌水街道 凌海社区

    static Backtest backtest;

    @BeforeAll
    static void setUp() {
        backtest = new Backtest(tracker());
    }

    static CaseTracker tracker() {
        return new CaseTracker(Catalogue.load(Edition.CLASSIC), GridNames.of(AdministrativeDivisions.dalian()),
                Responsibility.load(), CaseTracker.Settings.DEFAULTS);
    }

    static Reading reading(String sensor, SensorType type, String component, long ts, long seq, String metric, double value) {
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put(metric, value);
        return new Reading(Reading.SCHEMA, sensor, type, Reading.TELEMETRY, ts, null, ts, seq, values, null,
                121.5301, 38.8756, GRID, "210211", component, 60);
    }

    /** One water-level reading a minute from {@code fromMinute}, with these depths (cm). */
    static List<Reading> water(String sensor, int fromMinute, double... cm) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < cm.length; i++) {
            out.add(reading(sensor, SensorType.WATER_LEVEL, null, T0 + (fromMinute + i) * MIN, fromMinute + i, "water_level_cm", cm[i]));
        }
        return out;
    }

    static double[] repeat(double v, int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /** Dry 3 min, 20 cm for 12 min (over 15 cm, under 25 cm), then 2 cm for 15 min: one blue case under the defaults. */
    static List<Reading> flood(String sensor) {
        return water(sensor, 0, concat(repeat(0, 3), repeat(20, 12), repeat(2, 15)));
    }

    /** The default water rule raising at {@code cm} held for {@code forS}. */
    static RuleSet candidate(double cm, int forS) {
        return RuleSet.defaults().with(RuleSet.parseRule("""
                {"schema":1,"rule_id":"water_level.default","sensor_type":"water_level","kind":"threshold",
                 "category":{"kind":"event","code":"0406"},"team":"flood",
                 "threshold":{"raise":[{"all":[{"metric":"water_level_cm","op":">=","value":%s}],"for_s":%d}],
                              "clear":[{"all":[{"metric":"water_level_cm","op":"<","value":5}],"for_s":600}],
                              "severity":{"metric":"water_level_cm","levels":[{"at":15,"severity":"blue"},{"at":30,"severity":"yellow"},
                                          {"at":50,"severity":"orange"},{"at":80,"severity":"red"}]}}}
                """.formatted(cm, forS)));
    }

    @Test
    void aFloodUnderTheDefaultsIsOneCaseRaisedHeldAndCleared() {
        BacktestResult r = backtest.run(flood("wl-bt-1"), RuleSet.defaults());
        assertThat(r.readings()).isEqualTo(30);
        assertThat(r.sensors()).isEqualTo(1);
        assertThat(r.cases()).hasSize(1);
        ReplayedCase c = r.cases().get(0);
        assertThat(c.problemKey()).isEqualTo("sensor:wl-bt-1:water_level.default");
        assertThat(c.caseId()).isEqualTo("GW-210211-20260728-000001");
        assertThat(c.category().code()).isEqualTo("0406");
        assertThat(c.category().name()).isEqualTo("道路积水");
        assertThat(c.grid().street()).isEqualTo("凌水街道");
        assertThat(c.severity()).isEqualTo("blue");
        assertThat(c.firstSeen()).isEqualTo(T0 + 3 * MIN);   // the first reading over 15 cm
        assertThat(c.raisedAt()).isEqualTo(T0 + 8 * MIN);    // held 5 min
        assertThat(c.endedAt()).isEqualTo(T0 + 25 * MIN);    // under 5 cm from minute 15, for 10 min
        assertThat(c.status()).isEqualTo("verified");
        assertThat(c.alerts()).containsExactly("raised", "cleared");
        assertThat(r.alerts("raised")).isEqualTo(1);
        assertThat(r.alerts("cleared")).isEqualTo(1);
        assertThat(r.detections("raised")).isEqualTo(1);
        assertThat(r.skipped()).isEmpty();
    }

    @Test
    void aCandidateRaisingAt25cmMissesTheFloodTheLiveRulesRaised() {
        Comparison cmp = backtest.compare(flood("wl-bt-1"), RuleSet.defaults(), candidate(25, 300));
        assertThat(cmp.live().cases()).hasSize(1);
        assertThat(cmp.candidate().cases()).isEmpty();
        assertThat(cmp.candidate().alertsByState()).isEmpty();
        assertThat(cmp.problems()).singleElement().satisfies(p -> {
            assertThat(p.problemKey()).isEqualTo("sensor:wl-bt-1:water_level.default");
            assertThat(p.change()).isEqualTo(Change.ONLY_LIVE);
        });
        assertThat(cmp.with(Change.ONLY_CANDIDATE)).isEmpty();
    }

    @Test
    void aLongerHoldRaisesTheSameCaseLater() {
        Comparison cmp = backtest.compare(flood("wl-bt-1"), RuleSet.defaults(), candidate(15, 600));
        assertThat(cmp.problems()).singleElement().satisfies(p -> {
            assertThat(p.change()).isEqualTo(Change.CHANGED);
            assertThat(p.changes()).containsExactly(new Comparison.FieldChange("cases[0].raised_at",
                    "2026-07-28T08:08:00+08:00", "2026-07-28T08:13:00+08:00"));
        });
        Comparison same = backtest.compare(flood("wl-bt-1"), RuleSet.defaults(), candidate(15, 300));
        assertThat(same.problems()).extracting(Comparison.ProblemDiff::change).containsExactly(Change.SAME);
    }

    @Test
    void readingsInAnyOrderAreReplayedInEventTimeOrder() {
        List<Reading> ordered = new ArrayList<>(flood("wl-bt-1"));
        ordered.addAll(flood("wl-bt-2").stream().map(r -> shift(r, 2 * MIN)).toList());
        List<Reading> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new Random(42));
        assertThat(shuffled).isNotEqualTo(ordered);
        BacktestResult fromOrdered = backtest.run(ordered, RuleSet.defaults());
        BacktestResult fromShuffled = backtest.run(shuffled, RuleSet.defaults());
        assertThat(fromShuffled).isEqualTo(fromOrdered);
        // as given, most readings would be late for their sensor and count for no hold: nothing would be raised
        assertThat(fromShuffled.cases()).extracting(ReplayedCase::raisedAt).containsExactly(T0 + 8 * MIN, T0 + 10 * MIN);
    }

    @Test
    void twoSensorsAreTwoProblemsNumberedInTheOrderRaised() {
        List<Reading> readings = new ArrayList<>(flood("wl-bt-b").stream().map(r -> shift(r, 2 * MIN)).toList());
        readings.addAll(flood("wl-bt-a"));
        BacktestResult r = backtest.run(readings, RuleSet.defaults());
        assertThat(r.sensors()).isEqualTo(2);
        assertThat(r.cases()).extracting(ReplayedCase::problemKey, ReplayedCase::caseId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("sensor:wl-bt-a:water_level.default", "GW-210211-20260728-000001"),
                org.assertj.core.groups.Tuple.tuple("sensor:wl-bt-b:water_level.default", "GW-210211-20260728-000002"));
        assertThat(r.alerts("raised")).isEqualTo(2);
    }

    @Test
    void oneProblemIsOneCaseHoweverOftenItRisesAndRepeats() {
        List<Reading> readings = water("wl-bt-1", 0, concat(repeat(20, 6), repeat(35, 3), repeat(55, 3), repeat(85, 3), repeat(40, 5)));
        readings.add(readings.get(7)); // a duplicate delivery (same seq)
        BacktestResult r = backtest.run(readings, RuleSet.defaults());
        assertThat(r.cases()).singleElement().satisfies(c -> {
            assertThat(c.severity()).isEqualTo("red");
            assertThat(c.ended()).isFalse();
            assertThat(c.alerts()).containsExactly("raised", "escalated", "escalated", "escalated");
        });
        assertThat(r.detections("raised")).isEqualTo(1);
        assertThat(r.detections("update")).isEqualTo(3);
    }

    @Test
    void offlineTimersFireWhenOtherSensorsPassTheDeadline() {
        // A: minutes 0..4, silent, then 12..19; B: minutes 0..20. A's deadline: 4 min + 3 × 60 s = 7 min
        List<Reading> readings = new ArrayList<>(water("wl-bt-a", 0, repeat(1, 5)));
        readings.addAll(water("wl-bt-a", 12, repeat(1, 8)));
        readings.addAll(water("wl-bt-b", 0, repeat(1, 21)));
        BacktestResult r = backtest.run(readings, RuleSet.defaults());
        assertThat(r.detections("offline")).isEqualTo(1); // at 7 min; not at the end (A's last deadline, 22 min, is after B's last reading)
        assertThat(r.detections("online")).isEqualTo(1);  // at 12 min
        assertThat(r.cases()).isEmpty();                   // a maintenance signal, not a case
        assertThat(r.alertsByState()).isEmpty();

        // with a watermark 10 min behind, A's reading at 12 min comes before the timer could fire: never offline
        BacktestResult lagging = new Backtest(tracker(), Duration.ofMinutes(10)).run(readings, RuleSet.defaults());
        assertThat(lagging.detections("offline")).isZero();
        assertThat(lagging.detections("online")).isZero();
    }

    @Test
    void aSensorSilentAfterItsLastReadingGoesOfflineOnlyOnceOthersPassItsDeadline() {
        List<Reading> readings = new ArrayList<>(water("wl-bt-a", 0, repeat(1, 3)));
        assertThat(backtest.run(readings, RuleSet.defaults()).detections("offline")).isZero();
        readings.addAll(water("wl-bt-b", 0, repeat(1, 6)));   // up to minute 5: A's deadline (5 min) not yet passed by the watermark
        assertThat(backtest.run(readings, RuleSet.defaults()).detections("offline")).isZero();
        readings.addAll(water("wl-bt-b", 6, repeat(1, 1)));   // minute 6: watermark 5:55 passes 5:00
        assertThat(backtest.run(readings, RuleSet.defaults()).detections("offline")).isEqualTo(1);
    }

    @Test
    void aDetectionTheCaseTrackerRefusesIsReportedNotFatal() {
        // a manhole sensor with no attached cover: the default rule takes its class from the component, so there is none
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            readings.add(reading("mh-bt-1", SensorType.MANHOLE, null, T0 + i * MIN, i, "cover_open", 1));
        }
        readings.addAll(flood("wl-bt-1"));
        BacktestResult r = backtest.run(readings, RuleSet.defaults());
        assertThat(r.skipped()).singleElement().asString().startsWith("mh-bt-1/manhole.default/").contains("no category");
        assertThat(r.cases()).extracting(ReplayedCase::problemKey).containsExactly("sensor:wl-bt-1:water_level.default");
    }

    @Test
    void nothingToReplayIsAnEmptyResult() {
        BacktestResult r = backtest.run(List.of(), RuleSet.defaults());
        assertThat(r.readings()).isZero();
        assertThat(r.cases()).isEmpty();
        assertThat(backtest.compare(List.of(), RuleSet.defaults(), RuleSet.defaults()).problems()).isEmpty();
    }

    static Reading shift(Reading r, long ms) {
        return new Reading(r.schema(), r.sensorId(), r.type(), r.kind(), r.ts() + ms, r.tsIso(), r.receivedAt() + ms, r.seq(),
                r.values(), r.online(), r.lon(), r.lat(), r.gridCode(), r.districtCode(), r.componentCode(), r.intervalS());
    }
}
