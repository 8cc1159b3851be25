package io.gridwatch.jobs;

import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole sensor graph ({@link SensorPipeline#build}) on the shared MiniCluster at parallelism 2 with in-memory
 * sources and sinks: readings and a rule change in; detections, case messages and alerts (the side output) out. No
 * Kafka, MQTT or PostgreSQL: seconds, and it fails when the wiring breaks — the keyBy by sensor and by district, the
 * broadcast rules, the alerts' side output, the watermarks that fire the timers.
 */
class SensorGraphTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** A grid of 凌水街道 (高新园区), 甘井子区. */
    static final String GRID = "210211016001002";
    static final long DAY = LocalDate.parse("2026-07-28").atStartOfDay(java.time.ZoneId.of("Asia/Shanghai")).toInstant().toEpochMilli();
    static final long MIN = 60_000L;

    static Reading water(String sensor, long ts, double cm, int intervalS) {
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put("water_level_cm", cm);
        return new Reading(Reading.SCHEMA, sensor, SensorType.WATER_LEVEL, Reading.TELEMETRY, ts, Instant.ofEpochMilli(ts).toString(),
                ts + 300, (ts - DAY) / 1_000, values, null, 121.510085, 39.037103, GRID, "210211", null, intervalS);
    }

    /** A sensor reporting every minute, minutes {@code 0 … minutes-1}, at {@code depth(minute)} cm. */
    static List<Reading> perMinute(String sensor, int minutes, IntFunction<Double> depth) {
        List<Reading> out = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            out.add(water(sensor, DAY + m * MIN, depth.apply(m), 60));
        }
        return out;
    }

    // ---- the scripted flood, with a rule pushed for one sensor -------------------------------------------------

    @Test
    void aScriptedFloodRaisesEscalatesAndClearsOneCaseAndARuleOnTheBroadcastStreamApplies() throws Exception {
        List<Reading> in = new ArrayList<>();
        // 20 cm (blue) for 10 minutes, 36 cm (yellow), then it drains below 5 cm
        in.addAll(perMinute("wl-flood", 60, m -> m < 4 ? 5.0 * m : m < 14 ? 20 : m < 30 ? 36 : m < 36 ? 36 - 6.0 * (m - 29) : 0));
        // a spike that must raise nothing
        in.addAll(perMinute("wl-quiet", 60, m -> m == 20 ? 60.0 : 0.0));
        // 20 cm for 30 minutes would raise by default; the analysts' rule for this sensor raises at 25 cm only
        in.addAll(perMinute("wl-strict", 30, m -> 20.0));
        String strict = """
                {"schema": 1, "rule_id": "wl-strict.raise25", "family": "water_level.default", "sensor_type": "water_level",
                 "kind": "threshold", "scope": {"sensor": "wl-strict"}, "category": {"kind": "event", "code": "0406"}, "team": "flood",
                 "threshold": {
                   "raise": [{"all": [{"metric": "water_level_cm", "op": ">=", "value": 25}], "for_s": 300}],
                   "clear": [{"all": [{"metric": "water_level_cm", "op": "<", "value": 5}], "for_s": 600}]}}""";

        Run run = Run.of(in, List.of(new RuleChange("wl-strict.raise25", strict)));

        Map<String, List<String>> lifecycles = run.lifecycleBySensor();
        assertThat(lifecycles).as("one case, for the flood only").isEqualTo(Map.of("wl-flood", List.of("new", "update", "end")));
        List<CaseMessage> flood = run.cases;
        CaseFile first = flood.get(0).caseFile();
        assertThat(first.caseId()).matches("GW-210211-20260728-\\d{6}");
        assertThat(first.category().code()).isEqualTo("0406");
        assertThat(first.grid().street()).isEqualTo("凌水街道");
        assertThat(flood).extracting(m -> m.caseFile().severity()).containsExactly("blue", "yellow", "yellow");
        assertThat(flood.get(2).caseFile().status()).isEqualTo("verified");
        assertThat(flood).extracting(CaseMessage::problemKey).containsOnly("sensor:wl-flood:water_level.default");

        // the alerts come out of the cases operator's side output
        assertThat(run.alerts).extracting(a -> a.state() + "/" + a.severity())
                .containsExactly("raised/blue", "escalated/yellow", "cleared/yellow");
        assertThat(run.alerts).extracting(Alert::caseId).containsOnly(first.caseId());
        assertThat(run.alerts.get(0).message()).contains("凌水街道", "道路积水", "蓝色");

        // detections: the flood's raise, rise and clear, and (once the bounded input ends, its watermark passes every
        // deadline) every sensor offline — the timers fire
        assertThat(run.detections("wl-flood")).startsWith("raised", "update", "cleared");
        assertThat(run.detections("wl-quiet")).containsExactly("offline");
        assertThat(run.detections("wl-strict")).as("the broadcast rule was in force").containsExactly("offline");
    }

    // ---- late and shuffled readings: judged in event time -------------------------------------------------------

    /**
     * Issue 11, finding 5, through the whole graph: a sensor reporting every 30 s whose readings arrive shuffled within
     * 5-minute batches (a device flushing its buffer after an outage), with 19 cm of water for 18 minutes, ends with the
     * case and alerts of the same readings in order — here a second sensor beside it in the same job.
     */
    @Test
    void readingsShuffledWithinBatchesEndWithTheCaseAndAlertsOfSortedArrival() throws Exception {
        IntFunction<Double> depth = i -> i < 20 ? 0.0 : i < 56 ? 19.0 : 0.0; // 30-s steps: 10 min dry, 18 min at 19 cm, 24 min dry
        List<Reading> sorted = new ArrayList<>();
        List<Reading> shuffled = new ArrayList<>();
        for (int i = 0; i < 104; i++) {
            sorted.add(water("wl-sorted", DAY + i * 30_000L, depth.apply(i), 30));
            shuffled.add(water("wl-shuffled", DAY + i * 30_000L, depth.apply(i), 30));
        }
        Random random = new Random(20260728L);
        for (int from = 0; from < shuffled.size(); from += 10) {
            Collections.shuffle(shuffled.subList(from, Math.min(from + 10, shuffled.size())), random);
        }
        assertThat(shuffled.stream().map(Reading::ts).toList()).isNotEqualTo(sorted.stream().map(Reading::ts).toList());

        List<Reading> in = new ArrayList<>(sorted);
        in.addAll(shuffled);
        Run run = Run.of(in, List.of());

        Map<String, CaseFile> last = run.lastCaseBySensor();
        assertThat(last).containsOnlyKeys("wl-sorted", "wl-shuffled");
        assertThat(run.lifecycleBySensor().get("wl-sorted")).containsExactly("new", "end");
        assertThat(run.lifecycleBySensor().get("wl-shuffled")).startsWith("new").endsWith("end");
        CaseFile a = last.get("wl-sorted");
        CaseFile b = last.get("wl-shuffled");
        assertThat(a.caseId()).isNotEqualTo(b.caseId());
        assertThat(List.of(b.category().code(), b.severity(), b.firstSeen(), b.lastSeen(), b.status()))
                .isEqualTo(List.of(a.category().code(), a.severity(), a.firstSeen(), a.lastSeen(), a.status()));
        assertThat(a.firstSeen()).isEqualTo(DAY + 20 * 30_000L);
        assertThat(run.alertStates(a.caseId())).containsExactly("raised/blue", "cleared/blue");
        assertThat(run.alertStates(b.caseId())).isEqualTo(run.alertStates(a.caseId()));
    }

    // ---- the run: in-memory sources and sinks around the production graph ---------------------------------------

    /** What one bounded run of the graph put out, in the order each sink received it. */
    static final class Run {
        final List<Detection> detectionList;
        final List<CaseMessage> cases;
        final List<Alert> alerts;

        private Run(List<Detection> detections, List<CaseMessage> cases, List<Alert> alerts) {
            this.detectionList = detections;
            this.cases = cases;
            this.alerts = alerts;
        }

        static Run of(List<Reading> readings, List<RuleChange> changes) throws Exception {
            // fromData cannot be empty: without changes, the tombstone of a rule that never was (changes nothing)
            List<RuleChange> rules = changes.isEmpty() ? List.of(new RuleChange("no.such.rule", null)) : changes;
            String id = UUID.randomUUID().toString();
            RULES_SENT.put(id, new CountDownLatch(rules.size()));
            try {
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
                env.setParallelism(2);
                env.setBufferTimeout(0); // the rule change travels at once, not after a buffer's timeout
                GridwatchConfig.SensorPipelineConfig job = GridwatchConfig.defaults().jobs().sensorPipeline();
                // each source and what follows it at parallelism 1, as a Kafka partition: a sensor's readings stay in list order
                DataStream<RuleChange> ruleStream = env.fromData(new ArrayList<>(rules), TypeInformation.of(RuleChange.class))
                        .map(new Announce(id)).returns(TypeInformation.of(RuleChange.class)).setParallelism(1)
                        .assignTimestampsAndWatermarks(RuleChanges.WATERMARKS).setParallelism(1);
                DataStream<Reading> readingStream = env.fromData(new ArrayList<>(readings), Readings.TYPE)
                        .map(new AwaitRules(id)).returns(Readings.TYPE).setParallelism(1)
                        .assignTimestampsAndWatermarks(WatermarkStrategy.<Reading>forBoundedOutOfOrderness(job.outOfOrderness())
                                .withTimestampAssigner((r, t) -> r.ts())).setParallelism(1);
                SensorPipeline.build(readingStream, ruleStream, new SensorPipeline.Outputs(
                                List.of(new Collecting<>(id + "/detections")), List.of(new Collecting<>(id + "/cases")),
                                List.of(new Collecting<>(id + "/alerts"))),
                        GridwatchConfig.Edition.CLASSIC, job.lateness(), new InMemoryCaseNumbers());
                env.execute("sensor graph in memory");
                return new Run(Collecting.take(id + "/detections"), Collecting.take(id + "/cases"), Collecting.take(id + "/alerts"));
            } finally {
                RULES_SENT.remove(id);
            }
        }

        /** A sensor's detection states, in the order emitted. */
        List<String> detections(String sensor) {
            return detectionList.stream().filter(d -> d.source().id().equals(sensor))
                    .map(d -> String.valueOf(d.state()).toLowerCase(Locale.ROOT)).toList();
        }

        Map<String, List<String>> lifecycleBySensor() {
            Map<String, List<String>> out = new TreeMap<>();
            cases.forEach(m -> out.computeIfAbsent(m.caseFile().sources().get(0).id(), k -> new ArrayList<>()).add(m.type()));
            return out;
        }

        Map<String, CaseFile> lastCaseBySensor() {
            Map<String, CaseFile> out = new TreeMap<>();
            cases.forEach(m -> out.put(m.caseFile().sources().get(0).id(), m.caseFile()));
            return out;
        }

        List<String> alertStates(String caseId) {
            return alerts.stream().filter(a -> caseId.equals(a.caseId())).sorted(Comparator.comparingLong(Alert::at))
                    .map(a -> a.state() + "/" + a.severity()).collect(Collectors.toList());
        }
    }

    /**
     * The broadcast input is not ordered against the readings: the readings wait until the rules source has sent its
     * changes (the job runs in this JVM, on the MiniCluster), so that a rule is in force from the first reading, as it is
     * in production for rules pushed before the readings.
     */
    static final Map<String, CountDownLatch> RULES_SENT = new ConcurrentHashMap<>();

    /** Passes rule changes on, counting down its run's latch for each (one subtask: the rules source's). */
    static final class Announce implements MapFunction<RuleChange, RuleChange> {
        private final String run;

        Announce(String run) {
            this.run = run;
        }

        @Override
        public RuleChange map(RuleChange change) {
            RULES_SENT.get(run).countDown();
            return change;
        }
    }

    /** Holds the first reading until the rule changes of its run were sent. */
    static final class AwaitRules extends org.apache.flink.api.common.functions.RichMapFunction<Reading, Reading> {
        private final String run;
        private transient boolean open;

        AwaitRules(String run) {
            this.run = run;
        }

        @Override
        public Reading map(Reading r) throws Exception {
            if (!open) {
                CountDownLatch sent = RULES_SENT.get(run);
                if (sent != null && !sent.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the rule changes were not sent within 30 s");
                }
                open = true;
            }
            return r;
        }
    }

    /** Collects what a sink receives, by name, in this JVM. */
    static final class Collecting<T> implements Sink<T> {
        private static final Map<String, ConcurrentLinkedQueue<Object>> RECEIVED = new ConcurrentHashMap<>();
        private final String name;

        Collecting(String name) {
            this.name = name;
            RECEIVED.put(name, new ConcurrentLinkedQueue<>());
        }

        @SuppressWarnings("unchecked")
        static <T> List<T> take(String name) {
            return new ArrayList<>((ConcurrentLinkedQueue<T>) (ConcurrentLinkedQueue<?>) RECEIVED.remove(name));
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            ConcurrentLinkedQueue<Object> queue = RECEIVED.get(name);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /**
     * Case numbers in memory: per district and day, counted by the subtask that holds the district (the cases operator is
     * keyed by district, so numbers stay unique); a replayed opening detection gets its number again.
     */
    static final class InMemoryCaseNumbers implements CaseNumberSource {
        @Override
        public Numbering open() {
            Map<String, Integer> last = new HashMap<>();
            Map<String, Integer> byOpening = new HashMap<>();
            return (district, day, opening) -> byOpening.computeIfAbsent(opening.detectionId(),
                    k -> last.merge(district + "/" + day, 1, Integer::sum));
        }
    }
}
