package io.gridwatch.cases;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig.Edition;
import io.gridwatch.detection.Detection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CaseTrackerTest {

    static final String GRID = "210211016003007"; // 甘井子区 凌水街道 凌海社区
    static final String GRID2 = "210204010004002"; // 沙河口区, another problem
    /** Wednesday 2026-11-25 10:00 Asia/Shanghai. */
    static final long T0 = Instant.parse("2026-11-25T02:00:00Z").toEpochMilli();
    static final long MIN = 60_000;

    static CaseTracker tracker;

    /** A per-(district, day) counter, as the operator keeps it in state. */
    final Map<String, Integer> counters = new HashMap<>();
    final CaseTracker.CaseNumbering numbering = (district, day, opening) -> counters.merge(district + "/" + day, 1, Integer::sum);

    @BeforeAll
    static void load() {
        tracker = new CaseTracker(Catalogue.load(Edition.CLASSIC), GridNames.of(AdministrativeDivisions.dalian()),
                Responsibility.load(), CaseTracker.Settings.DEFAULTS);
    }

    static Detection flood(String sensor, String grid, String state, String severity, double cm, long ts) {
        String rule = "water_level.default";
        ArrayList<Detection.Evidence> ev = new ArrayList<>();
        ev.add(Detection.Evidence.sensorSeries(sensor, T0, ts));
        return new Detection(1, sensor + "/" + rule + "/" + ts + "/" + state, Detection.Source.sensor(sensor), rule,
                Detection.State.of(state), "sensor:" + sensor + ":" + rule,
                new Detection.Category(io.gridwatch.catalogue.CatalogueClass.Kind.EVENT, "0406"), null, "flood",
                severity == null ? null : Severity.of(severity), ts,
                // a cleared detection starts where the clearing began: the default rule holds 10 min below 5 cm
                state.equals("cleared") ? ts - 10 * MIN : T0 - 5 * MIN,
                0.97, 121.5301, 38.8756, grid, grid.substring(0, 6), "water_level_cm", cm, "cm", ev, null, null);
    }

    static Detection rainWatch(String state, String severity, double mm, long ts) {
        return new Detection(1, "rg-0007/rain_gauge.watch/" + ts + "/" + state, Detection.Source.sensor("rg-0007"),
                "rain_gauge.watch", Detection.State.of(state), "watch:210211:flood", null, null, "flood",
                severity == null ? null : Severity.of(severity), ts, T0, 1.0, 121.53, 38.87,
                GRID, "210211", "rain_mm", mm, "mm", new ArrayList<>(), null, null);
    }

    /** Feeds detections in order, collecting everything they cause. */
    final class Run {
        CaseState state;
        final List<CaseMessage> messages = new ArrayList<>();
        final List<Alert> alerts = new ArrayList<>();

        Run feed(Detection... ds) {
            for (Detection d : ds) {
                CaseTracker.Outcome o = tracker.onDetection(state, d, numbering);
                state = o.state();
                messages.addAll(o.messages());
                alerts.addAll(o.alerts());
            }
            return this;
        }
    }

    static Detection[] floodScenario() {
        return new Detection[] {
                flood("wl-0031", GRID, "raised", "blue", 17.5, T0),
                flood("wl-0031", GRID, "update", "yellow", 32, T0 + 10 * MIN),
                flood("wl-0031", GRID, "update", "orange", 52, T0 + 20 * MIN),
                flood("wl-0031", GRID, "update", "orange", 55, T0 + 25 * MIN),
                flood("wl-0031", GRID, "cleared", null, 3, T0 + 90 * MIN)};
    }

    @Test
    void floodRisesEscalatesAndClearsAsOneCase() {
        Run r = new Run().feed(floodScenario());

        assertThat(r.messages).extracting(CaseMessage::type).containsExactly("new", "update", "update", "end");
        assertThat(r.messages).extracting(m -> m.caseFile().caseId()).containsOnly("GW-210211-20261125-000001");
        assertThat(r.messages).extracting(m -> m.caseFile().severity()).containsExactly("blue", "yellow", "orange", "orange");
        assertThat(r.messages).extracting(m -> m.caseFile().status()).containsExactly("filed", "filed", "filed", "verified");
        CaseFile end = r.messages.get(3).caseFile();
        assertThat(end.occurrences()).isEqualTo(4); // the repeated orange is counted, though it sent nothing
        assertThat(end.firstSeen()).isEqualTo(T0 - 5 * MIN);
        assertThat(end.lastSeen()).as("seen until the water first read below 5 cm, not only until its last rise")
                .isEqualTo(T0 + 80 * MIN);
        assertThat(r.messages.get(2).caseFile().lastSeen()).isEqualTo(T0 + 20 * MIN);
        assertThat(end.category()).isEqualTo(new CaseFile.Category("event", "0406", "道路积水", "04", "突发事件"));
        assertThat(end.grid()).isEqualTo(new CaseFile.Grid(GRID, "甘井子区", "凌水街道", "凌海社区居委会"));
        assertThat(end.department()).isEqualTo("甘井子区市政设施管理处");
        assertThat(end.sources()).containsExactly(new CaseFile.Source("sensor", "wl-0031"));
        assertThat(end.evidence()).as("one series of the whole flood, not one per detection")
                .extracting(CaseFile.Evidence::uri).containsExactly("gridwatch://readings/wl-0031?from=" + T0 + "&to=" + (T0 + 90 * MIN));
        assertThat(r.messages.get(1).caseFile().evidence()).extracting(CaseFile.Evidence::uri)
                .containsExactly("gridwatch://readings/wl-0031?from=" + T0 + "&to=" + (T0 + 10 * MIN));

        assertThat(r.alerts).extracting(Alert::state).containsExactly("raised", "escalated", "escalated", "cleared");
        assertThat(r.alerts).extracting(Alert::severity).containsExactly("blue", "yellow", "orange", "orange");
        assertThat(r.alerts).extracting(Alert::message).containsExactly(
                "凌水街道 凌海社区：道路积水 17.5 cm（蓝色）",
                "凌水街道 凌海社区：道路积水 32 cm（升级为黄色）",
                "凌水街道 凌海社区：道路积水 52 cm（升级为橙色）",
                "凌水街道 凌海社区：道路积水已解除，现3 cm");
        assertThat(r.alerts).extracting(Alert::alertId).doesNotHaveDuplicates().containsExactly(
                "GW-210211-20261125-000001/flood/raised",
                "GW-210211-20261125-000001/flood/escalated/yellow",
                "GW-210211-20261125-000001/flood/escalated/orange",
                "GW-210211-20261125-000001/flood/cleared");
        assertThat(r.alerts).allSatisfy(a -> {
            assertThat(a.caseId()).isEqualTo("GW-210211-20261125-000001");
            assertThat(a.grid()).isEqualTo(new Alert.Grid(GRID, "甘井子区", "凌水街道"));
            assertThat(a.mqttTopic()).isEqualTo("gw/v1/alerts/flood/210211");
        });
        assertThat(r.state.phase()).isEqualTo(CaseState.Phase.ENDED);
        assertThat(r.state.expiresAt()).isEqualTo(T0 + 90 * MIN + CaseState.RETENTION_MS);
    }

    @Test
    void replayedDetectionsProduceNothingNew() {
        Run r = new Run().feed(floodScenario());
        int messages = r.messages.size();
        int alerts = r.alerts.size();
        r.feed(floodScenario()); // the whole episode again, after it ended
        r.feed(flood("wl-0031", GRID, "update", "yellow", 32, T0 + 10 * MIN));
        assertThat(r.messages).hasSize(messages);
        assertThat(r.alerts).hasSize(alerts);

        Run partial = new Run().feed(flood("wl-0031", GRID, "raised", "blue", 17.5, T0),
                flood("wl-0031", GRID, "update", "yellow", 32, T0 + 10 * MIN));
        CaseState before = partial.state;
        partial.feed(flood("wl-0031", GRID, "raised", "blue", 17.5, T0), flood("wl-0031", GRID, "update", "yellow", 32, T0 + 10 * MIN));
        assertThat(partial.state).isEqualTo(before);
        assertThat(partial.messages).hasSize(2);
        assertThat(partial.alerts).hasSize(2);
    }

    @Test
    void aNewEpisodeAfterTheEndIsANewCase() {
        Run r = new Run().feed(floodScenario());
        r.feed(flood("wl-0031", GRID, "raised", "blue", 16, T0 + 200 * MIN));
        assertThat(r.messages.get(4).type()).isEqualTo("new");
        assertThat(r.messages.get(4).caseFile().caseId()).isEqualTo("GW-210211-20261125-000002");
        assertThat(r.alerts.get(4).alertId()).isEqualTo("GW-210211-20261125-000002/flood/raised");
    }

    @Test
    void twoProblemsAreTwoCases() {
        Run a = new Run().feed(flood("wl-0031", GRID, "raised", "blue", 17, T0));
        Run b = new Run().feed(flood("wl-0032", GRID, "raised", "yellow", 31, T0 + MIN));
        Run c = new Run().feed(flood("wl-0900", GRID2, "raised", "blue", 15, T0 + 2 * MIN));
        assertThat(List.of(a, b, c)).extracting(r -> r.messages.get(0).caseFile().caseId())
                .containsExactly("GW-210211-20261125-000001", "GW-210211-20261125-000002", "GW-210204-20261125-000001");
        assertThat(c.messages.get(0).caseFile().grid().district()).isEqualTo("沙河口区");
        assertThat(c.messages.get(0).caseFile().department()).isEqualTo("沙河口区市政设施管理处");
    }

    @Test
    void severityNeverFallsAndTheSameLevelNeverReAlerts() {
        Run r = new Run().feed(flood("wl-0031", GRID, "raised", "orange", 52, T0),
                flood("wl-0031", GRID, "update", "yellow", 35, T0 + MIN),
                flood("wl-0031", GRID, "update", "orange", 51, T0 + 2 * MIN),
                flood("wl-0031", GRID, "update", "red", 85, T0 + 3 * MIN),
                flood("wl-0031", GRID, "update", "red", 90, T0 + 4 * MIN));
        assertThat(r.messages).extracting(CaseMessage::type).containsExactly("new", "update");
        assertThat(r.state.caseFile().severity()).isEqualTo("red");
        assertThat(r.alerts).extracting(Alert::alertId).containsExactly(
                "GW-210211-20261125-000001/flood/raised", "GW-210211-20261125-000001/flood/escalated/red");
    }

    @Test
    void lowConfidenceIsCollectedAndFiledWhenConfirmed() {
        Detection low = withConfidence(flood("cam-1", GRID, "raised", null, 20, T0), 0.6);
        Detection again = withConfidence(flood("cam-1", GRID, "update", null, 21, T0 + MIN), 0.7);
        Detection sure = withConfidence(flood("cam-1", GRID, "update", null, 22, T0 + 2 * MIN), 0.9);
        Run r = new Run().feed(low, again, sure);
        assertThat(r.messages).extracting(m -> m.type() + ":" + m.caseFile().status())
                .containsExactly("new:collected", "update:filed");
        assertThat(r.messages.get(1).caseFile().confidence()).isEqualTo(0.9);
    }

    @Test
    void anotherSourceOfTheSameProblemUpdatesTheCase() {
        Detection first = flood("wl-0031", GRID, "raised", "blue", 17, T0);
        Detection camera = new Detection(1, "cam-9/flood/" + (T0 + MIN), new Detection.Source(Detection.SourceType.CAMERA, "cam-9"), "water_level.default",
                Detection.State.UPDATE, first.problemKey(), first.category(), null, "flood", Severity.BLUE, T0 + MIN, T0, 0.9, first.lon(), first.lat(),
                GRID, "210211", null, null, null, new ArrayList<>(List.of(
                new Detection.Evidence("frame", "gridwatch://frames/cam-9/" + (T0 + MIN), T0 + MIN, new double[] {0.31, 0.52, 0.44, 0.80}))), null, null);
        Run r = new Run().feed(first, camera);
        assertThat(r.messages).extracting(CaseMessage::type).containsExactly("new", "update");
        CaseFile f = r.messages.get(1).caseFile();
        assertThat(f.sources()).extracting(CaseFile.Source::id).containsExactly("wl-0031", "cam-9");
        assertThat(f.evidence()).extracting(CaseFile.Evidence::type).containsExactly("sensor_series", "frame");
        assertThat(f.evidence().get(1).box()).containsExactly(0.31, 0.52, 0.44, 0.80);
        assertThat(r.alerts).hasSize(1);
    }

    @Test
    void becomingUrgentBringsTheDeadlineForward() {
        // Friday 2026-11-27 16:30: 4 working hours end on Monday 11:30; orange at 16:40 gives 20:40 the same day
        long fri = Instant.parse("2026-11-27T08:30:00Z").toEpochMilli();
        Run r = new Run().feed(flood("wl-0031", GRID, "raised", "blue", 17, fri));
        assertThat(r.state.caseFile().deadline()).isEqualTo(Instant.parse("2026-11-30T03:30:00Z").toEpochMilli());
        r.feed(flood("wl-0031", GRID, "update", "orange", 55, fri + 10 * MIN));
        assertThat(r.state.caseFile().deadline()).isEqualTo(Instant.parse("2026-11-27T12:40:00Z").toEpochMilli());
    }

    @Test
    void districtWatchAlertsWithoutACase() {
        Run r = new Run().feed(rainWatch("watch", "blue", 31, T0), rainWatch("watch", "blue", 33, T0 + 5 * MIN),
                rainWatch("watch", "yellow", 52, T0 + 10 * MIN), rainWatch("watch", "blue", 40, T0 + 15 * MIN),
                rainWatch("cleared", null, 4, T0 + 60 * MIN), rainWatch("cleared", null, 2, T0 + 65 * MIN));
        assertThat(r.messages).isEmpty();
        assertThat(r.alerts).extracting(Alert::state).containsExactly("raised", "escalated", "cleared");
        assertThat(r.alerts).allSatisfy(a -> {
            assertThat(a.caseId()).isNull();
            assertThat(a.team()).isEqualTo("flood");
            assertThat(a.mqttTopic()).isEqualTo("gw/v1/alerts/flood/210211");
        });
        assertThat(r.alerts).extracting(Alert::message).containsExactly(
                "甘井子区 凌水街道：1小时降雨 31 mm，启动区域防汛预警（蓝色）",
                "甘井子区 凌水街道：1小时降雨 52 mm，区域防汛预警（升级为黄色）",
                "甘井子区 凌水街道：区域防汛预警解除");
        assertThat(r.alerts).extracting(Alert::alertId).doesNotHaveDuplicates();
        // the next rainstorm is a new episode with new alert ids
        Run next = new Run();
        next.state = r.state;
        next.feed(rainWatch("watch", "blue", 30, T0 + 600 * MIN));
        assertThat(next.alerts).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("raised");
            assertThat(r.alerts).extracting(Alert::alertId).doesNotContain(a.alertId());
        });
    }

    @Test
    void aLaggingGaugesWatchFromBeforeTheClearDoesNotOpenASecondWatch() {
        Run r = new Run().feed(rainWatch("watch", "blue", 31, T0), rainWatch("cleared", null, 4, T0 + 60 * MIN));
        // another gauge of the district, an hour late, still reports the storm as it was before the clear
        r.feed(rainWatch("watch", "blue", 35, T0 + 30 * MIN));
        assertThat(r.alerts).extracting(Alert::state).containsExactly("raised", "cleared");
        // a storm after the clear is a new episode
        r.feed(rainWatch("watch", "blue", 32, T0 + 90 * MIN));
        assertThat(r.alerts).extracting(Alert::state).containsExactly("raised", "cleared", "raised");
    }

    @Test
    void maintenanceSignalsAndStrayClearsProduceNothing() {
        Detection offline = new Detection(1, "wl-0031/offline/" + T0, Detection.Source.sensor("wl-0031"), "offline", Detection.State.OFFLINE,
                "sensor:wl-0031:offline", null, null, null, null, T0, T0, 1, 0, 0, GRID, "210211", null, null, null, null, null, null);
        CaseTracker.Outcome o = tracker.onDetection(null, offline, numbering);
        assertThat(o.isEmpty()).isTrue();
        assertThat(o.state()).isNull();
        CaseTracker.Outcome stray = tracker.onDetection(null, flood("wl-0031", GRID, "cleared", null, 2, T0), numbering);
        assertThat(stray.isEmpty()).isTrue();
        assertThat(stray.state()).isNull();
        assertThat(counters).isEmpty();
    }

    @Test
    void unknownCategoryStillMakesACaseWithTheDefaultDepartment() {
        Detection d = flood("x-1", GRID, "raised", null, 1, T0);
        d = new Detection(1, d.detectionId(), d.source(), d.ruleId(), d.state(), d.problemKey(), new Detection.Category(io.gridwatch.catalogue.CatalogueClass.Kind.EVENT, "0988"),
                null, null, null, d.ts(), d.startedAt(), d.confidence(), d.lon(), d.lat(), d.gridCode(), d.districtCode(), null, null, null, null, null, null);
        CaseFile f = tracker.onDetection(null, d, numbering).messages().get(0).caseFile();
        assertThat(f.category().name()).contains("0988");
        assertThat(f.department()).isEqualTo("甘井子区城市管理局");
    }

    @Test
    void stateSurvivesJavaSerialization() throws Exception {
        CaseState s = new Run().feed(flood("wl-0031", GRID, "raised", "blue", 17, T0)).state;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(s);
        }
    }

    @Test
    void caseIdsUseTheShanghaiDay() {
        // 2026-11-25 16:30 UTC is already the 26th in Shanghai
        assertThat(CaseIds.day(Instant.parse("2026-11-25T16:30:00Z").toEpochMilli())).isEqualTo(LocalDate.of(2026, 11, 26));
        assertThat(CaseIds.format("210211", LocalDate.of(2026, 11, 27), 42)).isEqualTo("GW-210211-20261127-000042");
    }

    static Detection withConfidence(Detection d, double c) {
        return new Detection(d.schema(), d.detectionId(), d.source(), d.ruleId(), d.state(), d.problemKey(), d.category(),
                d.componentCode(), d.team(), d.severity(), d.ts(), d.startedAt(), c, d.lon(), d.lat(), d.gridCode(), d.districtCode(),
                d.metric(), d.value(), d.unit(), d.evidence(), d.endedAt(), d.revises());
    }
}
