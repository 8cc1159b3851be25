package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.scenario.CityDay;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.store.AlertStore;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.ReadingStore;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sensor pipeline's "Done means" (issue 3) on one MiniCluster at parallelism 2, with real Kafka,
 * Mosquitto and PostgreSQL (testkit). The scripted city day over MQTT, which needs ingest as well, is in
 * {@code system-tests/} ({@code CityDayOverMqttTest}). Each test runs its own job on its own day, sensors and database;
 * see {@link PipelineHarness} for how they keep apart on the shared topics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SensorPipelineTest {

    private static final Logger LOG = LoggerFactory.getLogger(SensorPipelineTest.class);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static PipelineHarness it;
    /** A grid of 凌水街道 (高新园区), 甘井子区. */
    static final String GRID = "210211016001002";
    static final long DAY_MS = 86_400_000L;

    @BeforeAll
    static void start() throws Exception {
        it = new PipelineHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    static long dayStart(String isoDate) {
        return LocalDate.parse(isoDate).atStartOfDay(CityDay.SHANGHAI).toInstant().toEpochMilli();
    }

    static Reading reading(long day, String sensor, int minute, double waterCm) {
        long ts = day + minute * 60_000L;
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put("water_level_cm", waterCm);
        return new Reading(Reading.SCHEMA, sensor, SensorType.WATER_LEVEL, Reading.TELEMETRY, ts, Instant.ofEpochMilli(ts).toString(),
                ts + 300, (long) minute, values, null, 121.510085, 39.037103, GRID, "210211", null, 60);
    }

    /** A water level sensor's minutes {@code from … to-1}, at {@code depth(minute)} cm. */
    static List<Reading> series(long day, String sensor, int from, int to, Function<Integer, Double> depth) {
        List<Reading> out = new ArrayList<>();
        for (int m = from; m < to; m++) {
            out.add(reading(day, sensor, m, Math.max(0, depth.apply(m))));
        }
        return out;
    }

    static String sourceOf(JsonNode caseMessage) {
        return caseMessage.path("case").path("sources").get(0).path("id").asText();
    }

    static Map<String, List<String>> lifecycleBySensor(List<JsonNode> caseMessages) {
        Map<String, List<String>> out = new TreeMap<>();
        caseMessages.forEach(m -> out.computeIfAbsent(sourceOf(m), k -> new ArrayList<>()).add(m.path("type").asText()));
        return out;
    }

    static String stateAndSeverity(JsonNode alert) {
        return alert.path("state").asText() + "/" + alert.path("severity").asText();
    }

    // ---- a flood through Kafka: the whole output path -------------------------------------------------

    @Test
    @Order(1)
    void aFloodRaisesOneCaseThatEscalatesAndClearsWithAlertsOnKafkaMqttAndPostgres(@InjectMiniCluster MiniCluster cluster) throws Exception {
        long day = dayStart("2026-07-28");
        String jdbcUrl = it.newDatabase("pipeline_flood");
        String group = "it-flood-" + UUID.randomUUID();
        it.startReadingsFromNow(group);
        JobClient job = it.start(cluster, it.settings(jdbcUrl, group, Duration.ofSeconds(1)), new Configuration(), "flood");
        try {
            // water stands at 20 cm (blue) for 10 minutes, rises to 36 cm (yellow), then drains below 5 cm
            List<Reading> in = new ArrayList<>(series(day, "wl-it-1", 0, 60,
                    m -> m < 4 ? 5.0 * m : m < 14 ? 20 : m < 30 ? 36 : m < 36 ? 36 - 6.0 * (m - 29) : 0));
            // a quiet neighbour, with a spike that must raise nothing
            in.addAll(series(day, "wl-it-quiet", 0, 60, m -> m == 20 ? 60.0 : 0.0));
            it.produce(in);
            try (Database db = it.open(jdbcUrl)) {
                it.awaitSettled(cluster, job.getJobID(), db, day, day + DAY_MS, in.size());
            }

            List<JsonNode> cases = it.caseMessagesOf(Set.of("wl-it-1", "wl-it-quiet"));
            assertThat(cases).extracting(c -> c.path("type").asText()).containsExactly("new", "update", "end");
            JsonNode first = cases.get(0).path("case");
            assertThat(first.path("case_id").asText()).matches("GW-210211-20260728-\\d{6}");
            assertThat(first.path("category").path("code").asText()).isEqualTo("0406");
            assertThat(first.path("category").path("name").asText()).isEqualTo("道路积水");
            assertThat(first.path("grid").path("code").asText()).isEqualTo(GRID);
            assertThat(first.path("grid").path("street").asText()).isEqualTo("凌水街道");
            assertThat(first.path("severity").asText()).isEqualTo("blue");
            assertThat(cases.get(1).path("case").path("severity").asText()).isEqualTo("yellow");
            assertThat(cases.get(2).path("case").path("status").asText()).isEqualTo("verified");
            assertThat(cases).allSatisfy(c -> assertThat(sourceOf(c)).isEqualTo("wl-it-1"));

            List<JsonNode> alerts = new ArrayList<>(it.alertsBetween(day, day + DAY_MS));
            // keyed by alert id over several partitions (CONTRACTS.md §3): in time order only by their "at"
            alerts.sort(Comparator.comparingLong(a -> a.path("at").asLong()));
            assertThat(alerts).extracting(SensorPipelineTest::stateAndSeverity)
                    .containsExactly("raised/blue", "escalated/yellow", "cleared/yellow");
            assertThat(alerts.get(0).path("message").asText()).contains("凌水街道").contains("道路积水").contains("蓝色");
            assertThat(it.mqttAlertsBetween(day, day + DAY_MS)).extracting(a -> a.path("alert_id").asText())
                    .containsExactlyInAnyOrderElementsOf(alerts.stream().map(a -> a.path("alert_id").asText()).toList());

            try (Database db = it.open(jdbcUrl)) {
                assertThat(new CaseStore(db.dataSource()).list(null, null)).singleElement()
                        .satisfies(c -> assertThat(c.status()).isEqualTo("verified"));
                assertThat(new AlertStore(db.dataSource()).list(null)).extracting(a -> a.alertId())
                        .containsExactlyInAnyOrderElementsOf(alerts.stream().map(a -> a.path("alert_id").asText()).toList());
                // the readings themselves, for Grafana and replays: one per minute and sensor
                assertThat(new ReadingStore(db).readingsPerSensor(Instant.ofEpochMilli(day), Instant.ofEpochMilli(day + DAY_MS)))
                        .containsExactly(Map.entry("wl-it-1", 60L), Map.entry("wl-it-quiet", 60L));
            }
        } finally {
            PipelineHarness.cancel(job);
        }
    }

    // ---- crash and restart from the last checkpoint --------------------------------------------------

    @Test
    @Order(3)
    void afterACrashTheJobResumesFromItsLastCheckpointWithoutLosingOrDuplicatingCasesOrAlerts(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path checkpoints) throws Exception {
        long day = dayStart("2026-07-30");
        String jdbcUrl = it.newDatabase("pipeline_crash");
        String group = "it-crash-" + UUID.randomUUID();
        it.startReadingsFromNow(group);
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        // no periodic checkpoints in the first run: the test decides where the last one lies
        JobClient first = it.start(cluster, it.settings(jdbcUrl, group, Duration.ofHours(1)), conf, "crash: first run");
        JobClient second = null;
        Function<Integer, Double> flood = m -> m < 4 ? 5.0 * m : m < 14 ? 20 : m < 30 ? 36 : m < 36 ? 36 - 6.0 * (m - 29) : 0;
        long from = day;
        long to = day + DAY_MS;
        try {
            // raised (blue) before the checkpoint
            it.produce(series(day, "wl-crash-1", 0, 14, flood));
            await().atMost(PipelineHarness.WAIT).until(() -> it.mqttAlertsBetween(from, to).size() >= 1);
            String checkpoint = cluster.triggerCheckpoint(first.getJobID()).get();
            LOG.info("checkpoint at {}", checkpoint);
            // escalated (yellow) after it: published on MQTT, pending in a Kafka transaction when the job dies
            it.produce(series(day, "wl-crash-1", 14, 20, flood));
            await().atMost(PipelineHarness.WAIT).until(() -> it.mqttAlertsBetween(from, to).size() >= 2);
            PipelineHarness.cancel(first);

            Configuration restore = new Configuration(conf);
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint);
            second = it.start(cluster, it.settings(jdbcUrl, group, Duration.ofSeconds(1)), restore, "crash: restored");
            // the rest of the flood, and a second flood whose case must get a number of its own
            List<Reading> rest = new ArrayList<>(series(day, "wl-crash-1", 20, 60, flood));
            rest.addAll(series(day, "wl-crash-2", 20, 60, m -> m < 45 ? 18.0 : 0.0));
            it.produce(rest);
            try (Database db = it.open(jdbcUrl)) {
                it.awaitSettled(cluster, second.getJobID(), db, from, to, 100);
            }
        } finally {
            PipelineHarness.cancel(first);
            PipelineHarness.cancel(second);
        }

        List<JsonNode> cases = it.caseMessagesOf(Set.of("wl-crash-1", "wl-crash-2"));
        assertThat(lifecycleBySensor(cases)).isEqualTo(Map.of("wl-crash-1", List.of("new", "update", "end"), "wl-crash-2", List.of("new", "end")));
        Map<String, String> caseIds = new HashMap<>();
        cases.forEach(c -> caseIds.put(sourceOf(c), c.path("case").path("case_id").asText()));
        assertThat(caseIds.values()).doesNotHaveDuplicates();

        List<JsonNode> alerts = new ArrayList<>(it.alertsBetween(from, to));
        alerts.sort(Comparator.comparingLong(a -> a.path("at").asLong()));
        assertThat(alerts).extracting(a -> a.path("case_id").asText() + " " + stateAndSeverity(a)).containsExactlyInAnyOrder(
                caseIds.get("wl-crash-1") + " raised/blue", caseIds.get("wl-crash-1") + " escalated/yellow",
                caseIds.get("wl-crash-1") + " cleared/yellow", caseIds.get("wl-crash-2") + " raised/blue",
                caseIds.get("wl-crash-2") + " cleared/blue");
        List<String> alertIds = alerts.stream().map(a -> a.path("alert_id").asText()).toList();
        assertThat(alertIds).doesNotHaveDuplicates();

        // MQTT is at least once: the escalation sent before the crash is sent again after it, with the same id
        List<String> mqttIds = it.mqttAlertsBetween(from, to).stream().map(a -> a.path("alert_id").asText()).toList();
        assertThat(Set.copyOf(mqttIds)).isEqualTo(Set.copyOf(alertIds));
        String escalated = caseIds.get("wl-crash-1") + "/flood/escalated/yellow";
        assertThat(mqttIds.stream().filter(escalated::equals)).as("repeats of %s in %s", escalated, mqttIds).hasSize(2);

        try (Database db = it.open(jdbcUrl)) {
            assertThat(new CaseStore(db.dataSource()).list(null, null)).extracting(c -> c.caseId() + " " + c.status())
                    .containsExactlyInAnyOrder(caseIds.get("wl-crash-1") + " verified", caseIds.get("wl-crash-2") + " verified");
            assertThat(auditTrail(db)).isEqualTo(Map.of(caseIds.get("wl-crash-1"), List.of("new", "update", "end"),
                    caseIds.get("wl-crash-2"), List.of("new", "end")));
            assertThat(new AlertStore(db.dataSource()).list(null)).extracting(a -> a.alertId()).containsExactlyInAnyOrderElementsOf(alertIds);
            assertThat(new ReadingStore(db).readingsPerSensor(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)))
                    .isEqualTo(Map.of("wl-crash-1", 60L, "wl-crash-2", 40L));
        }
    }

    private static Map<String, List<String>> auditTrail(Database db) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        try (var c = db.dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT case_id, type FROM case_event ORDER BY id")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return out;
    }

    // ---- a rule pushed at run time -------------------------------------------------------------------

    /** Runs last: the rules topic is read from its start by every job, and this test leaves a deletion behind. */
    @Test
    @Order(4)
    void aRulePushedAtRunTimeChangesWhatTheNextReadingsRaise(@InjectMiniCluster MiniCluster cluster) throws Exception {
        long day = dayStart("2026-07-29");
        String jdbcUrl = it.newDatabase("pipeline_rules");
        String group = "it-rules-" + UUID.randomUUID();
        it.startReadingsFromNow(group);
        JobClient job = it.start(cluster, it.settings(jdbcUrl, group, Duration.ofSeconds(1)), new Configuration(), "rules");
        try (Database db = it.open(jdbcUrl)) {
            // the default rule (CONTRACTS.md §1): 20 cm held for 5 minutes raises
            it.produce(series(day, "wl-rule-a", 0, 10, m -> 20.0));
            it.awaitSettled(cluster, job.getJobID(), db, day, day + DAY_MS, 10);
            assertThat(lifecycleBySensor(it.caseMessagesOf(Set.of("wl-rule-a")))).isEqualTo(Map.of("wl-rule-a", List.of("new")));

            // an analyst raises the threshold to 25 cm, on the rules topic, while the job runs
            String rule = """
                    {"schema": 1, "rule_id": "water_level.default", "sensor_type": "water_level", "kind": "threshold",
                     "category": {"kind": "event", "code": "0406"}, "team": "flood",
                     "threshold": {
                       "raise": [{"all": [{"metric": "water_level_cm", "op": ">=", "value": 25}], "for_s": 300}],
                       "clear": [{"all": [{"metric": "water_level_cm", "op": "<", "value": 5}], "for_s": 600}],
                       "severity": {"metric": "water_level_cm", "levels": [
                         {"at": 25, "severity": "blue"}, {"at": 30, "severity": "yellow"},
                         {"at": 50, "severity": "orange"}, {"at": 80, "severity": "red"}]}}}""";
            long offset = it.pushRule("water_level.default", rule);
            // a checkpoint after the rule was read completed: every sensor rules subtask has it
            it.awaitRuleApplied(group + "-rules", offset);

            List<Reading> next = new ArrayList<>(series(day, "wl-rule-b", 10, 30, m -> 20.0));
            next.addAll(series(day, "wl-rule-c", 10, 30, m -> 27.0));
            next.addAll(series(day, "wl-rule-a", 10, 30, m -> m < 15 ? 20.0 : 0.0));
            it.produce(next);
            it.awaitSettled(cluster, job.getJobID(), db, day, day + DAY_MS, 10 + next.size());

            // 20 cm no longer raises, 27 cm does; the case opened under the old rule still ends by its clear condition
            assertThat(lifecycleBySensor(it.caseMessagesOf(Set.of("wl-rule-a", "wl-rule-b", "wl-rule-c"))))
                    .isEqualTo(Map.of("wl-rule-a", List.of("new", "end"), "wl-rule-c", List.of("new")));
        } finally {
            PipelineHarness.cancel(job);
            it.pushRule("water_level.default", null); // back to the shipped default for any later job
        }
    }
}
