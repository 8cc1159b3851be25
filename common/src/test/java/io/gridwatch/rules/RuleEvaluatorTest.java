package io.gridwatch.rules;

import io.gridwatch.detection.Detection;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.SensorType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.gridwatch.rules.TestSensor.MIN;
import static io.gridwatch.rules.TestSensor.T0;
import static org.assertj.core.api.Assertions.assertThat;

class RuleEvaluatorTest {

    // ---- threshold: the scripted flood ----------------------------------------------------------

    @Test
    void aFloodRisesEscalatesAndClearsExactlyOnce() throws Exception {
        TestSensor wl = TestSensor.water("wl-0031");
        //        minute: 0  1  2   3   4   5   6   7   8   9  10  11  12  13  14  15 16 17 ...
        wl.series(0, 0, 2, 10, 16, 18, 20, 22, 25, 28, 32, 45, 55, 60, 40, 20, 10, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0);

        assertThat(wl.summary()).containsExactly(
                "raised@480s:blue",     // >= 15 since minute 3, held 5 min at minute 8
                "update@540s:yellow",   // 32 cm
                "update@660s:orange",   // 55 cm; 60 stays orange, falling depths never lower it
                "cleared@1560s:orange"); // < 5 cm since minute 16, held 10 min at minute 26

        Detection raised = wl.detections.get(0);
        assertThat(raised.detectionId()).isEqualTo("wl-0031/water_level.default/" + (T0 + 8 * MIN) + "/raised");
        assertThat(raised.problemKey()).isEqualTo("sensor:wl-0031:water_level.default");
        assertThat(raised.startedAt()).isEqualTo(T0 + 3 * MIN);
        assertThat(raised.category()).isEqualTo(new Detection.Category(io.gridwatch.catalogue.CatalogueClass.Kind.EVENT, "0406"));
        assertThat(raised.team()).isEqualTo("flood");
        assertThat(raised.confidence()).isEqualTo(1.0);
        assertThat(raised.metric()).isEqualTo("water_level_cm");
        assertThat(raised.value()).isEqualTo(28.0);
        assertThat(raised.unit()).isEqualTo("cm");
        assertThat(raised.gridCode()).isEqualTo("210211016003007");
        assertThat(raised.districtCode()).isEqualTo("210211");
        assertThat(raised.lon()).isEqualTo(121.5301);
        assertThat(raised.source()).isEqualTo(Detection.Source.sensor("wl-0031"));
        assertThat(raised.evidence()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("sensor_series");
            assertThat(e.uri()).isEqualTo("gridwatch://readings/wl-0031?from=" + (T0 + 3 * MIN) + "&to=" + (T0 + 8 * MIN));
        });
        assertThat(Json.mapper().writeValueAsString(raised)).contains(
                "\"detection_id\":\"wl-0031/water_level.default/1785197280000/raised\"",
                "\"problem_key\":\"sensor:wl-0031:water_level.default\"", "\"severity\":\"blue\"",
                "\"started_at\":1785196980000", "\"unit\":\"cm\"");
        assertThat(wl.detections).extracting(Detection::problemKey).containsOnly(raised.problemKey());
        assertThat(wl.detections.subList(0, 3)).extracting(Detection::startedAt).containsOnly(T0 + 3 * MIN);
        Detection cleared = wl.detections.get(3);
        assertThat(cleared.startedAt()).as("the first reading below 5 cm").isEqualTo(T0 + 16 * MIN);
        assertThat(cleared.evidence()).singleElement().satisfies(e -> assertThat(e.uri())
                .as("the evidence still spans the whole flood").isEqualTo("gridwatch://readings/wl-0031?from=" + (T0 + 3 * MIN) + "&to=" + (T0 + 26 * MIN)));
    }

    @Test
    void theSameInputGivesTheSameDetections() {
        TestSensor a = TestSensor.water("wl-1");
        TestSensor b = TestSensor.water("wl-1");
        double[] depths = {16, 17, 18, 19, 20, 21, 35, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        a.series(0, depths);
        b.series(0, depths);
        assertThat(a.detections).hasSize(3).isEqualTo(b.detections);
    }

    // ---- noise ---------------------------------------------------------------------------------

    @Test
    void aSingleReadingSpikeRaisesNothing() {
        TestSensor wl = TestSensor.water("wl-spike");
        wl.series(0, 0, 0, 1, 250, 0, 1, 0, 0, 0, 0, 0, 0, 0);
        assertThat(wl.detections).isEmpty();
    }

    @Test
    void aFlakySensorAroundTheThresholdRaisesNothing() {
        TestSensor wl = TestSensor.water("wl-flaky");
        double[] depths = new double[120];
        for (int i = 0; i < depths.length; i++) {
            depths[i] = i % 5 == 4 ? 14.5 : 15.5; // above for 4 minutes, then one reading below
        }
        wl.series(0, depths);
        assertThat(wl.detections).isEmpty();
    }

    @Test
    void hysteresisKeepsACaseOpenWhileTheDepthFlapsAroundTheClearLevel() {
        TestSensor wl = TestSensor.water("wl-hyst");
        wl.series(0, 20, 20, 20, 20, 20, 20);
        assertThat(wl.summary()).containsExactly("raised@300s:blue");
        double[] flapping = new double[60];
        for (int i = 0; i < flapping.length; i++) {
            flapping[i] = i % 3 == 2 ? 6 : 4;   // below 5 for two minutes, then above: never 10 minutes below
        }
        wl.series(6, flapping);
        assertThat(wl.detections).hasSize(1);
        wl.series(66, 12, 12, 12);              // between the levels: still open, no re-raise
        wl.series(69, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4);
        assertThat(wl.summary()).containsExactly("raised@300s:blue", "cleared@4740s:blue");
    }

    @Test
    void duplicateDeliveriesAreDroppedBeforeAnyRule() {
        TestSensor rain = new TestSensor("rg-1", SensorType.RAIN_GAUGE, "210211", "g", null, 60, RuleSet.defaults());
        var first = rain.reading(T0, 7L, 20);
        assertThat(rain.send(first)).isEmpty();
        assertThat(rain.send(first)).isEmpty();          // counted twice it would make 40 mm >= 30
        assertThat(rain.send(rain.reading(T0 + MIN, 7L, 20))).isEmpty(); // the same seq, even with another time
        assertThat(rain.send(rain.reading(T0 + 2 * MIN, 8L, 5))).isEmpty();
        assertThat(rain.send(rain.reading(T0 + 3 * MIN, 9L, 5))).singleElement()
                .satisfies(d -> assertThat(d.value()).isEqualTo(30.0));
    }

    @Test
    void theDuplicateFilterIsBoundedAndSurvivesACounterReset() {
        SensorRuleState s = new SensorRuleState();
        for (long q = 100; q < 200; q++) {
            assertThat(s.isDuplicate(q, T0 + q)).isFalse();
        }
        assertThat(s.isDuplicate(199L, T0)).isTrue();
        assertThat(s.isDuplicate(150L, T0)).isTrue();
        s.lastTs = T0 + 199;
        s.logReset(1);
        s.logInsert(T0 + 120, new double[] {0});
        assertThat(s.isDuplicate(120L, T0 + 120)).as("below the window, and the replay log holds its time: a repeat").isTrue();
        assertThat(s.isDuplicate(110L, T0 + 110)).as("below the window, a time the log lacks: a late reading").isFalse();
        assertThat(s.isDuplicate(1L, T0 + 500)).as("a newer reading with a small seq: the device restarted").isFalse();
        assertThat(s.isDuplicate(2L, T0 + 560)).isFalse();
        assertThat(s.isDuplicate(1L, T0 + 500)).isTrue();
        assertThat(s.isDuplicate(null, T0)).isFalse();
    }

    // ---- event time ------------------------------------------------------------------------------

    @Test
    void aLateReadingIsJudgedInEventTimeOrder() {
        TestSensor wl = TestSensor.water("wl-late");
        wl.series(0, 16, 16, 16, 16, 16);
        assertThat(wl.send(T0 + 2 * MIN + 30_000, 0)).as("late, but before anything was raised: nothing to correct").isEmpty();
        assertThat(wl.send(T0 + 5 * MIN, 16)).as("the low reading at 2:30 broke the hold").isEmpty();
        assertThat(wl.series(6, 16, 16, 16)).singleElement().satisfies(d -> {
            assertThat(d.state()).isEqualTo(Detection.State.RAISED);
            assertThat(d.startedAt()).as("the run that began after the low reading").isEqualTo(T0 + 3 * MIN);
            assertThat(d.ts()).isEqualTo(T0 + 8 * MIN);
        });

        TestSensor other = TestSensor.water("wl-late-2");
        other.series(20, 0);
        for (int m = 0; m < 10; m++) {
            other.send(T0 + m * MIN, 40); // ten minutes of buffered high readings, all older than minute 20
        }
        assertThat(other.summary()).as("raised when the late readings complete the hold, as sorted arrival would")
                .containsExactly("raised@300s:yellow");
        assertThat(other.detections.get(0).startedAt()).isEqualTo(T0);
        assertThat(other.state.lastTs()).isEqualTo(T0 + 20 * MIN);
    }

    @Test
    void aReadingOlderThanTheLatenessBoundIsNotUsedForHolds() {
        TestSensor wl = TestSensor.water("wl-too-late");
        wl.series(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        wl.series(75, 0); // more than an hour later: minutes 0–9 left the replay log
        for (int m = 2; m < 10; m++) {
            wl.send(T0 + m * MIN, 40);
        }
        assertThat(wl.detections).as("older than the log reaches: no retroactive raise").isEmpty();
    }

    @Test
    void aLateReadingStillCountsInAWindowSum() {
        TestSensor rain = new TestSensor("rg-late", SensorType.RAIN_GAUGE, "210211", "g", null, 60, RuleSet.defaults());
        rain.series(10, 25);
        assertThat(rain.send(T0 + 5 * MIN, 6)).singleElement().satisfies(d -> {
            assertThat(d.state()).isEqualTo(Detection.State.WATCH);
            assertThat(d.value()).isEqualTo(31.0);
            assertThat(d.ts()).isEqualTo(T0 + 10 * MIN);
        });
        assertThat(rain.send(T0 - 70 * MIN, 100)).as("older than the window").isEmpty();
    }

    @Test
    void aLongGapEndsAHold() {
        TestSensor wl = TestSensor.water("wl-gap");
        wl.series(0, 16, 16, 16);
        wl.series(60, 16, 16, 16);     // an hour of silence: the hold restarts at minute 60
        assertThat(wl.detections).isEmpty();
        wl.series(63, 16, 16, 16);
        assertThat(wl.summary()).containsExactly("raised@3900s:blue");
    }

    // ---- offline ---------------------------------------------------------------------------------

    @Test
    void aSilentSensorGoesOfflineAndComesBackOnline() {
        TestSensor wl = TestSensor.water("wl-off");
        wl.series(0, 0);
        long deadline = T0 + 3 * 60_000L;
        assertThat(wl.evaluator.nextTimer(wl.state)).isEqualTo(deadline);
        assertThat(wl.timer(deadline - 1)).isEmpty();
        assertThat(wl.timer(deadline + 5_000)).singleElement().satisfies(d -> {
            assertThat(d.state()).isEqualTo(Detection.State.OFFLINE);
            assertThat(d.ts()).as("the deadline, not the watermark").isEqualTo(deadline);
            assertThat(d.startedAt()).isEqualTo(T0);
            assertThat(d.detectionId()).isEqualTo("wl-off/water_level.offline/" + deadline + "/offline");
            assertThat(d.problemKey()).isEqualTo("sensor:wl-off:water_level.offline");
            assertThat(d.category()).isNull();
            assertThat(d.severity()).isNull();
        });
        assertThat(wl.evaluator.nextTimer(wl.state)).isEqualTo(Long.MIN_VALUE);
        assertThat(wl.timer(deadline + 60 * MIN)).isEmpty();
        assertThat(wl.send(T0 + 30 * MIN, 0)).singleElement().satisfies(d -> {
            assertThat(d.state()).isEqualTo(Detection.State.ONLINE);
            assertThat(d.startedAt()).isEqualTo(T0);
        });
        assertThat(wl.send(T0 + 31 * MIN, 0)).isEmpty();
        assertThat(wl.evaluator.nextTimer(wl.state)).isEqualTo(T0 + 34 * MIN);
    }

    @Test
    void theRegistryIntervalSetsTheOfflineDeadline() {
        TestSensor mh = new TestSensor("mh-1", SensorType.MANHOLE, "210211", "g", "0103", 10, RuleSet.defaults());
        mh.send(T0, 0, 0);
        assertThat(mh.evaluator.nextTimer(mh.state)).isEqualTo(T0 + 30_000);
    }

    @Test
    void aStatusMessageSayingOfflineMarksTheSensorOfflineAtOnce() {
        TestSensor wl = TestSensor.water("wl-will");
        wl.series(0, 0);
        assertThat(wl.send(wl.status(T0 + MIN, false))).extracting(Detection::state).containsExactly(Detection.State.OFFLINE);
        assertThat(wl.evaluator.nextTimer(wl.state)).isEqualTo(Long.MIN_VALUE);
        assertThat(wl.send(wl.status(T0 + 2 * MIN, false))).isEmpty();
        assertThat(wl.send(T0 + 3 * MIN, 0)).extracting(Detection::state).containsExactly(Detection.State.ONLINE);
    }

    // ---- the other default rules -------------------------------------------------------------------

    @Test
    void anOpenManholeIsFiledUnderItsCoversComponentCode() {
        TestSensor mh = new TestSensor("mh-7", SensorType.MANHOLE, "210202", "g", "0103", 10, RuleSet.defaults());
        for (int i = 0; i <= 3; i++) {
            mh.send(T0 + i * 10_000L, 1, 3);   // open, not tilted
        }
        assertThat(mh.detections).singleElement().satisfies(d -> {
            assertThat(d.state()).isEqualTo(Detection.State.RAISED);
            assertThat(d.ts()).isEqualTo(T0 + 30_000);
            assertThat(d.category()).isEqualTo(new Detection.Category(io.gridwatch.catalogue.CatalogueClass.Kind.COMPONENT, "0103"));
            assertThat(d.componentCode()).isEqualTo("0103");
            assertThat(d.metric()).isEqualTo("cover_open");
            assertThat(d.unit()).isNull();
            assertThat(d.severity()).isNull();
        });
        for (int i = 0; i <= 45; i++) {
            mh.send(T0 + 40_000L + i * 10_000L, 0, i < 10 ? 6 : 2); // closed; tilted 6 degrees for 100 s, then 2
        }
        assertThat(mh.detections).extracting(Detection::state).containsExactly(Detection.State.RAISED, Detection.State.CLEARED);
        assertThat(mh.detections.get(1).ts()).isEqualTo(T0 + 140_000L + 300_000L);
    }

    @Test
    void aTiltedCoverCountsLikeAnOpenOne() {
        TestSensor mh = new TestSensor("mh-8", SensorType.MANHOLE, "210202", "g", "0101", 10, RuleSet.defaults());
        mh.send(T0, 1, 0);
        mh.send(T0 + 10_000, 0, 20);  // closed switch but tilted: the alternative keeps holding
        mh.send(T0 + 20_000, 1, 20);
        mh.send(T0 + 30_000, 0, 16);
        assertThat(mh.detections).singleElement().satisfies(d -> assertThat(d.metric()).isEqualTo("tilt_deg"));
    }

    @Test
    void aFullBinRaisesAfterFifteenMinutesWithTheBinAttached() {
        TestSensor bin = new TestSensor("bin-1", SensorType.BIN_FILL, "210203", "g", null, 300, RuleSet.defaults());
        bin.send(T0, 92);
        bin.send(T0 + 5 * MIN, 95);
        bin.send(T0 + 10 * MIN, 97);
        assertThat(bin.detections).isEmpty();
        bin.send(T0 + 15 * MIN, 99);
        assertThat(bin.detections).singleElement().satisfies(d -> {
            assertThat(d.category()).isEqualTo(new Detection.Category(io.gridwatch.catalogue.CatalogueClass.Kind.EVENT, "0102"));
            assertThat(d.componentCode()).isEqualTo("0305");
            assertThat(d.unit()).isEqualTo("%");
            assertThat(d.team()).isNull();
        });
        bin.send(T0 + 20 * MIN, 60);
        bin.send(T0 + 25 * MIN, 40);   // emptied: cleared on the first reading below 50 %
        assertThat(bin.detections).extracting(Detection::state).containsExactly(Detection.State.RAISED, Detection.State.CLEARED);
    }

    @Test
    void snowRaisesAfterTenMinutesAndIceOnTheFirstReading() {
        TestSensor snow = new TestSensor("rw-1", SensorType.ROAD_WEATHER, "210211", "g", null, 60, RuleSet.defaults());
        for (int m = 0; m <= 10; m++) {
            snow.send(T0 + m * MIN, 3, 2);  // 3 cm of snow on a +2 °C road
        }
        assertThat(snow.detections).singleElement().satisfies(d -> {
            assertThat(d.ts()).isEqualTo(T0 + 10 * MIN);
            assertThat(d.team()).isEqualTo("snow");
            assertThat(d.category().code()).isEqualTo("0407");
            assertThat(d.confidence()).isEqualTo(1.0);
        });

        TestSensor ice = new TestSensor("rw-2", SensorType.ROAD_WEATHER, "210211", "g", null, 60, RuleSet.defaults());
        ice.send(T0, 0, -1);
        assertThat(ice.send(T0 + MIN, 0.3, -1)).singleElement().satisfies(d -> {
            assertThat(d.metric()).isEqualTo("road_temp_c");
            assertThat(d.unit()).isEqualTo("°C");
            assertThat(d.confidence()).as("rests on one reading").isEqualTo(RuleEvaluator.SINGLE_READING_CONFIDENCE);
        });
    }

    @Test
    void heavyRainRaisesADistrictWatchAndClearsWhenTheHourDriesUp() {
        TestSensor rain = new TestSensor("rg-9", SensorType.RAIN_GAUGE, "210211", "g", null, 60, RuleSet.defaults());
        double[] mm = new double[130];
        for (int i = 0; i < 6; i++) {
            mm[i] = 5;
        }
        rain.series(0, mm);
        assertThat(rain.detections).extracting(Detection::state).containsExactly(Detection.State.WATCH, Detection.State.CLEARED);
        Detection watch = rain.detections.get(0);
        assertThat(watch.ts()).isEqualTo(T0 + 5 * MIN);
        assertThat(watch.problemKey()).isEqualTo("district:210211:rain_gauge.default");
        assertThat(watch.team()).isEqualTo("flood");
        assertThat(watch.category()).isNull();
        assertThat(watch.value()).isEqualTo(30.0);
        assertThat(watch.unit()).isEqualTo("mm");
        // the first minutes leave the hour's window 60 minutes later: 15 mm < 20
        assertThat(rain.detections.get(1).ts()).isEqualTo(T0 + 62 * MIN);
    }

    // ---- rate --------------------------------------------------------------------------------------

    static final String RATE_RULE = """
            {"schema":1,"rule_id":"water_level.rising","sensor_type":"water_level","kind":"rate","team":"flood",
             "category":{"kind":"event","code":"0406"},
             "rate":{"metric":"water_level_cm","window_s":600,"op":">=","value":2,"for_s":120,"clear_value":0.5,"clear_for_s":300}}""";

    @Test
    void waterRisingFastRaisesARateRule() {
        TestSensor wl = TestSensor.water("wl-rate");
        wl.rules = RuleSet.parse(RATE_RULE);
        double[] depths = new double[30];
        for (int i = 0; i < depths.length; i++) {
            depths[i] = i < 15 ? 3 * i : 42;  // 3 cm/min for a quarter of an hour, then steady
        }
        wl.series(0, depths);
        // the baseline needs half a window (minute 5); the rate then holds 2 minutes: raised at minute 7.
        // Steady from minute 14: the 10-minute rate falls below 0.5 cm/min at minute 23, held 5 minutes
        assertThat(wl.summary()).containsExactly("raised@420s", "cleared@1680s");
        assertThat(wl.detections.get(0).problemKey()).isEqualTo("sensor:wl-rate:water_level.rising");
        assertThat(wl.detections.get(0).startedAt()).isEqualTo(T0 + 5 * MIN);
    }

    @Test
    void aSpikeDoesNotMakeARate() {
        TestSensor wl = TestSensor.water("wl-rate-spike");
        wl.rules = RuleSet.parse(RATE_RULE);
        double[] depths = new double[30];
        depths[12] = 120;
        wl.series(0, depths);
        assertThat(wl.detections).isEmpty();
    }

    // ---- scope, schedule, rule changes ------------------------------------------------------------

    static final String DISTRICT_RULE = """
            {"schema":1,"rule_id":"water_level.ganjingzi","family":"water_level.default","sensor_type":"water_level",
             "kind":"threshold","scope":{"district":"210211"},"category":{"kind":"event","code":"0406"},"team":"flood",
             "threshold":{"raise":[{"all":[{"metric":"water_level_cm","op":">=","value":10}],"for_s":0}],
                          "clear":[{"all":[{"metric":"water_level_cm","op":"<","value":5}],"for_s":600}]}}""";
    static final String SENSOR_RULE = """
            {"schema":1,"rule_id":"water_level.wl-0007","family":"water_level.default","sensor_type":"water_level",
             "kind":"threshold","scope":{"sensor":"wl-0007"},"category":{"kind":"event","code":"0406"},"team":"flood",
             "threshold":{"raise":[{"all":[{"metric":"water_level_cm","op":">=","value":40}],"for_s":0}],
                          "clear":[{"all":[{"metric":"water_level_cm","op":"<","value":5}],"for_s":600}]}}""";

    @Test
    void aDistrictRuleOverridesTheDefaultThereAndASensorRuleOverridesBoth() {
        RuleSet rules = RuleSet.defaults().with(RuleSet.parseRule(DISTRICT_RULE)).with(RuleSet.parseRule(SENSOR_RULE));
        TestSensor inDistrict = new TestSensor("wl-0001", SensorType.WATER_LEVEL, "210211", "g1", null, 60, rules);
        TestSensor elsewhere = new TestSensor("wl-0002", SensorType.WATER_LEVEL, "210202", "g2", null, 60, rules);
        TestSensor special = new TestSensor("wl-0007", SensorType.WATER_LEVEL, "210211", "g1", null, 60, rules);
        for (TestSensor s : List.of(inDistrict, elsewhere, special)) {
            s.series(0, 12, 12, 30, 30);
        }
        assertThat(inDistrict.detections).singleElement().satisfies(d -> {
            assertThat(d.ruleId()).isEqualTo("water_level.ganjingzi");
            assertThat(d.problemKey()).as("the family names the problem").isEqualTo("sensor:wl-0001:water_level.default");
            assertThat(d.ts()).isEqualTo(T0);
        });
        assertThat(elsewhere.detections).isEmpty();
        assertThat(special.detections).isEmpty();
        special.series(4, 45);
        assertThat(special.detections).singleElement()
                .satisfies(d -> assertThat(d.ruleId()).isEqualTo("water_level.wl-0007"));

        assertThat(rules.effective(SensorType.WATER_LEVEL, "water_level.default", "wl-0002", "g2", "210202").ruleId())
                .isEqualTo("water_level.default");
    }

    @Test
    void aDisabledSensorRuleSilencesThatSensorOnly() {
        String off = SENSOR_RULE.replace("\"kind\":\"threshold\"", "\"kind\":\"threshold\",\"enabled\":false");
        RuleSet rules = RuleSet.defaults().with(RuleSet.parseRule(off));
        TestSensor silenced = new TestSensor("wl-0007", SensorType.WATER_LEVEL, "210211", "g", null, 60, rules);
        TestSensor other = new TestSensor("wl-0008", SensorType.WATER_LEVEL, "210211", "g", null, 60, rules);
        silenced.series(0, 90, 90, 90, 90, 90, 90, 90);
        other.series(0, 90, 90, 90, 90, 90, 90, 90);
        assertThat(silenced.detections).isEmpty();
        assertThat(other.summary()).containsExactly("raised@300s:red");
    }

    @Test
    void outsideItsScheduleARuleIsIdle() {
        String json = RuleSet.defaults().rule("bin_fill.default").map(RuleSetTest::toJson).orElseThrow()
                .replace("\"kind\":\"threshold\"", "\"kind\":\"threshold\",\"schedule\":\"07:00-22:00\"");
        RuleSet rules = RuleSet.defaults().with(RuleSet.parseRule(json));
        TestSensor bin = new TestSensor("bin-s", SensorType.BIN_FILL, "210203", "g", null, 300, rules);
        long night = T0 + 15 * 60 * MIN;          // 23:00 in Shanghai
        for (int m = 0; m <= 60; m += 5) {
            bin.send(night + m * MIN, 99);
        }
        assertThat(bin.detections).isEmpty();
        long morning = T0 + 24 * 60 * MIN;        // 08:00 the next day
        for (int m = 0; m <= 15; m += 5) {
            bin.send(morning + m * MIN, 99);
        }
        assertThat(bin.detections).singleElement().satisfies(d -> {
            assertThat(d.ts()).isEqualTo(morning + 15 * MIN);
            assertThat(d.startedAt()).as("the run restarted when the rule woke up").isEqualTo(morning);
        });
    }

    @Test
    void aNewRuleSetAppliesToTheNextReadingAndAnOpenCaseContinues() {
        TestSensor wl = TestSensor.water("wl-0100");
        wl.series(0, 12, 12, 12);
        assertThat(wl.detections).isEmpty();
        String lower = DISTRICT_RULE.replace("\"rule_id\":\"water_level.ganjingzi\",", "\"rule_id\":\"water_level.default\",")
                .replace("\"family\":\"water_level.default\",", "").replace("\"scope\":{\"district\":\"210211\"},", "");
        wl.rules = wl.rules.with(RuleSet.parseRule(lower));
        assertThat(wl.send(T0 + 3 * MIN, 12)).extracting(Detection::state).containsExactly(Detection.State.RAISED);
        wl.rules = RuleSet.defaults();            // back to the defaults: the case stays open, clears by their clear
        wl.series(4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3);
        assertThat(wl.detections).extracting(Detection::state).containsExactly(Detection.State.RAISED);
        wl.series(14, 3);
        assertThat(wl.detections).extracting(Detection::state).containsExactly(Detection.State.RAISED, Detection.State.CLEARED);
    }

    @Test
    void aDeletedRuleRaisesNothingMore() {
        TestSensor wl = TestSensor.water("wl-del");
        wl.rules = wl.rules.without("water_level.default");
        wl.series(0, 90, 90, 90, 90, 90, 90, 90);
        assertThat(wl.detections).isEmpty();
        assertThat(wl.state.slots).extracting(s -> s.family).containsExactly("water_level.offline");
    }
}
