package io.gridwatch.jobs;

import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.cases.Severity;
import io.gridwatch.catalogue.CatalogueClass;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One case per problem across sources, in the cases operator itself (Flink's keyed harness, keyed by district as in the
 * job): standing water seen by a camera where a gauge measures it, a stall seen by two cameras; and what must stay apart.
 */
class CrossSourceCasesTest {

    static final String GRID = "210211016003007"; // 甘井子区 凌水街道 凌海社区
    static final long T0 = Instant.parse("2026-11-25T02:00:00Z").toEpochMilli();
    static final long MIN = 60_000;
    /** A point in {@link #GRID}; 0.0009° of latitude is ~100 m. */
    static final double LON = 121.5301;
    static final double LAT = 38.8756;

    KeyedOneInputStreamOperatorTestHarness<String, Detection, CaseMessage> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Detection, CaseMessage> newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new CasesFunction(GridwatchConfig.Edition.CLASSIC, new SensorGraphTest.InMemoryCaseNumbers())),
                d -> d.districtCode() == null ? SensorPipeline.NO_DISTRICT : d.districtCode(), Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static Detection gauge(String sensor, String state, double lat, long ts) {
        String rule = "water_level.default";
        ArrayList<Detection.Evidence> ev = new ArrayList<>(List.of(Detection.Evidence.sensorSeries(sensor, T0, ts)));
        return new Detection(1, sensor + "/" + rule + "/" + ts + "/" + state, Detection.Source.sensor(sensor), rule,
                Detection.State.of(state), "sensor:" + sensor + ":" + rule, new Detection.Category(CatalogueClass.Kind.EVENT, "0406"),
                null, "flood", Severity.YELLOW, ts, state.equals("cleared") ? ts - 10 * MIN : T0, 0.7, LON, lat, GRID, "210211",
                "water_level_cm", state.equals("cleared") ? 2.0 : 35.0, "cm", ev, null, null);
    }

    static Detection camera(String camera, String zone, String code, String state, double lat, long ts) {
        String rule = "camera." + code;
        ArrayList<Detection.Evidence> ev = new ArrayList<>(List.of(Detection.Evidence.frame(
                "file:///var/evidence/" + camera + "/" + ts + ".jpg", ts, new double[] {0.3, 0.5, 0.6, 0.9}, "ab".repeat(32))));
        return new Detection(1, camera + "/" + zone + "/" + ts + "/" + state, Detection.Source.camera(camera, zone), rule,
                Detection.State.of(state), "camera:" + camera + ":" + zone + ":" + code,
                new Detection.Category(CatalogueClass.Kind.EVENT, code), null, code.equals("0406") ? "flood" : null, null, ts,
                ts - 3 * MIN, 0.6, LON, lat, GRID, "210211", null, null, null, ev, null, null);
    }

    void feed(Detection... ds) throws Exception {
        for (Detection d : ds) {
            harness.processElement(d, d.ts());
        }
    }

    List<CaseMessage> messages() {
        return harness.extractOutputValues();
    }

    List<Alert> alerts() {
        return harness.getSideOutput(CasesFunction.ALERTS) == null ? List.of()
                : harness.getSideOutput(CasesFunction.ALERTS).stream().map(r -> r.getValue()).toList();
    }

    @Test
    void waterSeenByACameraWhereAGaugeMeasuresItIsOneCaseWithTwoSources() throws Exception {
        // the camera looks at the road 80 m from the gauge: the neighbouring grid's reach
        feed(gauge("wl-0031", "raised", LAT, T0),
                camera("cam-zs-0001", "road", "0406", "raised", LAT + 0.00072, T0 + 2 * MIN));
        assertThat(messages()).extracting(CaseMessage::type).containsExactly("new", "update");
        CaseFile shared = messages().get(1).caseFile();
        assertThat(shared.caseId()).isEqualTo(messages().get(0).caseFile().caseId());
        assertThat(shared.sources()).containsExactly(new CaseFile.Source("sensor", "wl-0031"),
                new CaseFile.Source("camera", "cam-zs-0001", "road"));
        assertThat(shared.confidence()).as("two independent sources: noisy-OR of 0.7 and 0.6").isCloseTo(0.88, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(shared.status()).as("0.88 reaches the filing threshold that neither source reached alone").isEqualTo("filed");
        assertThat(shared.evidence()).extracting(CaseFile.Evidence::type).containsExactly("sensor_series", "frame");
        assertThat(shared.evidence().get(1).sha256()).isEqualTo("ab".repeat(32));
        assertThat(messages()).extracting(m -> m.problemKey()).containsOnly("sensor:wl-0031:water_level.default");

        // the camera stops seeing water while the gauge still reads 35 cm: the flood goes on, with the camera's closing frame
        feed(camera("cam-zs-0001", "road", "0406", "cleared", LAT + 0.00072, T0 + 20 * MIN));
        assertThat(messages()).extracting(CaseMessage::type).containsExactly("new", "update", "update");
        CaseFile left = messages().get(2).caseFile();
        assertThat(left.evidence()).extracting(CaseFile.Evidence::uri).contains("file:///var/evidence/cam-zs-0001/" + (T0 + 20 * MIN) + ".jpg");
        assertThat(left.status()).isEqualTo(shared.status());
        assertThat(left.occurrences()).as("a source leaving is not another sighting").isEqualTo(shared.occurrences());
        assertThat(left.lastSeen()).isEqualTo(shared.lastSeen());
        // the camera sees it again: the same case, no second one
        feed(camera("cam-zs-0001", "road", "0406", "raised", LAT + 0.00072, T0 + 25 * MIN));
        assertThat(messages()).extracting(m -> m.caseFile().caseId()).containsOnly(shared.caseId());
        // both cleared: the case ends once, one raised and one cleared alert for the flood team
        feed(gauge("wl-0031", "cleared", LAT, T0 + 40 * MIN),
                camera("cam-zs-0001", "road", "0406", "cleared", LAT + 0.00072, T0 + 42 * MIN));
        assertThat(messages()).extracting(CaseMessage::type).endsWith("end");
        assertThat(messages()).filteredOn(m -> m.type().equals("end")).hasSize(1);
        assertThat(messages()).extracting(m -> m.caseFile().caseId()).containsOnly(shared.caseId());
        assertThat(alerts()).extracting(Alert::state).containsExactly("raised", "cleared");
        assertThat(messages().get(messages().size() - 1).caseFile().lastSeen()).as("ends when the last source cleared")
                .isGreaterThan(T0 + 30 * MIN);

        // afterwards each is on its own again: a new camera sighting opens a new case
        feed(camera("cam-zs-0001", "road", "0406", "raised", LAT + 0.00072, T0 + 300 * MIN));
        assertThat(messages().get(messages().size() - 1).type()).isEqualTo("new");
        assertThat(messages().get(messages().size() - 1).caseFile().caseId()).isNotEqualTo(shared.caseId());
        assertThat(messages().get(messages().size() - 1).caseFile().sources()).hasSize(1);
    }

    @Test
    void theGaugeClearingFirstLeavesTheCameraCaseOpenUntilItClears() throws Exception {
        feed(gauge("wl-0031", "raised", LAT, T0),
                camera("cam-zs-0001", "road", "0406", "raised", LAT, T0 + MIN),
                gauge("wl-0031", "cleared", LAT, T0 + 30 * MIN));
        // the gauge leaves the case, its readings' series now ending where the water went down there
        assertThat(messages()).extracting(CaseMessage::type).containsExactly("new", "update", "update");
        assertThat(messages().get(2).caseFile().status()).isEqualTo("filed");
        feed(camera("cam-zs-0001", "road", "0406", "cleared", LAT, T0 + 35 * MIN));
        assertThat(messages()).extracting(CaseMessage::type).containsExactly("new", "update", "update", "end");
        assertThat(messages().get(3).caseFile().status()).isEqualTo("verified");
    }

    @Test
    void aStallSeenByTwoCamerasIsOneCase() throws Exception {
        // 5 m apart on the ground, through two calibrations
        feed(camera("cam-a", "plaza", "0501", "raised", LAT, T0),
                camera("cam-b", "square", "0501", "raised", LAT + 0.000045, T0 + MIN));
        assertThat(messages()).extracting(CaseMessage::type).containsExactly("new", "update");
        assertThat(messages().get(1).caseFile().sources()).extracting(CaseFile.Source::id).containsExactly("cam-a", "cam-b");
    }

    @Test
    void whatMustStayApartStaysApart() throws Exception {
        feed(
                // two gauges 50 m apart: two places to pump
                gauge("wl-0031", "raised", LAT, T0), gauge("wl-0032", "raised", LAT + 0.00045, T0),
                // a stall 100 m away from another: two stalls
                camera("cam-a", "plaza", "0501", "raised", LAT, T0), camera("cam-b", "square", "0501", "raised", LAT + 0.0009, T0),
                // garbage where a stall is: another problem
                camera("cam-c", "bins", "0102", "raised", LAT, T0),
                // water 500 m from the gauges
                camera("cam-d", "road", "0406", "raised", LAT + 0.0045, T0));
        assertThat(messages()).extracting(CaseMessage::type).containsOnly("new").hasSize(6);
        assertThat(messages()).extracting(m -> m.caseFile().caseId()).doesNotHaveDuplicates();
    }

    @Test
    void theMergeSurvivesASnapshotAndRestore() throws Exception {
        feed(gauge("wl-0031", "raised", LAT, T0), camera("cam-zs-0001", "road", "0406", "raised", LAT, T0 + MIN));
        var snapshot = harness.snapshot(1, T0 + 2 * MIN);
        harness.close();
        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        feed(gauge("wl-0031", "cleared", LAT, T0 + 30 * MIN));
        assertThat(messages()).as("the camera still sees water after the restore: no end").extracting(CaseMessage::type)
                .containsExactly("update");
        feed(camera("cam-zs-0001", "road", "0406", "cleared", LAT, T0 + 35 * MIN));
        assertThat(messages()).extracting(CaseMessage::type).containsExactly("update", "end");
        assertThat(messages().get(1).caseFile().sources()).hasSize(2);
        harness.processWatermark(new Watermark(T0 + 10 * 3600_000L));
        assertThat(harness.numKeyedStateEntries()).as("ended problems and their group leave the state").isZero();
    }
}
