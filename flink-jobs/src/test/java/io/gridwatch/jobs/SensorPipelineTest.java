package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.cases.Severity;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridSet;
import io.gridwatch.ingest.SensorBridge;
import io.gridwatch.ingest.SensorRegistryCache;
import io.gridwatch.scenario.CityDay;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorCsv;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.store.AlertStore;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.ReadingStore;
import io.gridwatch.store.SensorStore;
import io.gridwatch.topics.Topics;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

import java.io.StringReader;
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
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sensor pipeline's "Done means" (issue 3) on one MiniCluster at parallelism 2, with real Kafka,
 * Mosquitto and PostgreSQL (testkit). Each test runs its own job on its own day, sensors and database;
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

    // ---- the scripted city day through the real input path -------------------------------------------

    @Test
    @Order(2)
    void theScriptedCityDayOverMqttYieldsExactlyTheExpectedCasesWatchesAndDeadLetters(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long t0 = System.nanoTime();
        Path root = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath();
        GridSet gridSet = GridCache.dalian(root.resolve("var/cache"), GridwatchConfig.defaults().grids());
        GridIndex grids = new GridIndex(gridSet);
        CityDay day = new CityDay(gridSet, LocalDate.parse("2026-09-14"), 20260914L);
        CityDayScenario scenario = new CityDayScenario(day, 20 * 60);
        LOG.info("city day {}: {}", day.day(), scenario.summary());
        long dayStart = day.at(0);

        String jdbcUrl = it.newDatabase("pipeline_city");
        String group = "it-city-" + UUID.randomUUID();
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        try (Database db = it.open(jdbcUrl)) {
            new SensorStore(db.dataSource()).upsert(SensorCsv.read(new StringReader(day.registryCsv()), "city day registry"), grids::lookup);
            it.startReadingsFromNow(group);
            JobClient job = it.start(cluster, it.settings(jdbcUrl, group, Duration.ofSeconds(1)), new Configuration(), "city day");
            SensorBridge.Settings bs = new SensorBridge.Settings(it.services.mqttUri(), "it-bridge-" + run, "it-city-" + run,
                    Duration.ofMinutes(10), 1_000, it.services.kafkaBootstrap(), Duration.ofSeconds(10));
            try (SensorBridge bridge = new SensorBridge(bs, new SensorRegistryCache(new SensorStore(db.dataSource())::changesFrom),
                    grids::lookup).start()) {
                awaitSubscribed(bridge);
                long probes = bridge.stats().received();
                long p0 = System.nanoTime();
                scenario.publish(it.services.mqttUri());
                await().atMost(PipelineHarness.WAIT).until(() -> bridge.stats().accepted() >= scenario.validMessages()
                        && bridge.stats().received() - probes >= scenario.messages.size() && bridge.stats().inFlight() == 0);
                LOG.info("published and bridged {} messages in {} ms: {}", scenario.messages.size(), (System.nanoTime() - p0) / 1_000_000,
                        bridge.stats().summary());
                assertThat(bridge.stats().accepted()).isEqualTo(scenario.validMessages());
                it.awaitSettled(cluster, job.getJobID(), db, dayStart, dayStart + DAY_MS,
                        scenario.readings.values().stream().mapToLong(List::size).sum());
            } finally {
                PipelineHarness.cancel(job);
            }
            LOG.info("city day run took {} ms", (System.nanoTime() - t0) / 1_000_000);

            assertExpectedCases(day, scenario, dayStart);
            assertFloodWatches(day, dayStart);
            assertDeadLetters(scenario, "gw/v1/sensors/it-probe-");
            assertPostgres(db, day, scenario, dayStart);
        }
    }

    /** Publishes probes until the bridge has its subscription (a message sent before it would be lost). */
    private static void awaitSubscribed(SensorBridge bridge) throws Exception {
        var probe = new org.eclipse.paho.mqttv5.client.MqttClient(it.services.mqttUri(), "it-probe-" + UUID.randomUUID(),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        try {
            probe.connect();
            await().atMost(PipelineHarness.WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
                probe.publish("gw/v1/sensors/it-probe-" + UUID.randomUUID().toString().substring(0, 8) + "/telemetry",
                        "{\"ts\":0,\"values\":{\"water_level_cm\":1}}".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
                return bridge.stats().received() > 0;
            });
            probe.disconnect();
        } finally {
            probe.close();
        }
        // let the last probe arrive, so that counting from here counts only the scenario
        await().atMost(PipelineHarness.WAIT).until(() -> bridge.stats().inFlight() == 0);
        Thread.sleep(1_000);
    }

    private static void assertExpectedCases(CityDay day, CityDayScenario scenario, long dayStart) {
        Map<String, CityDay.SimSensor> sims = day.sensors().stream().collect(Collectors.toMap(CityDay.SimSensor::id, s -> s));
        List<JsonNode> messages = it.caseMessagesOf(scenario.published);
        Map<String, List<JsonNode>> bySensor = new TreeMap<>();
        messages.forEach(m -> bySensor.computeIfAbsent(sourceOf(m), k -> new ArrayList<>()).add(m));

        // exactly one case per scripted problem, none for spikes, the flaky sensor, the dropout, quiet sensors or duplicates
        assertThat(bySensor.keySet()).containsExactlyInAnyOrderElementsOf(
                day.expectedCases().stream().map(CityDay.Expected::sensorId).toList());
        List<JsonNode> alerts = it.alertsBetween(dayStart, dayStart + DAY_MS);
        Map<String, List<JsonNode>> alertsByCase = alerts.stream().filter(a -> !a.path("case_id").isNull())
                .collect(Collectors.groupingBy(a -> a.path("case_id").asText()));
        for (CityDay.Expected e : day.expectedCases()) {
            List<JsonNode> ms = bySensor.get(e.sensorId());
            String what = e.sensorId() + " " + ms.stream().map(m -> m.path("type").asText() + "/" + m.path("case").path("severity").asText()).toList();
            assertThat(ms.stream().map(m -> m.path("case").path("case_id").asText()).distinct()).as(what).hasSize(1);
            assertThat(ms.get(0).path("type").asText()).as(what).isEqualTo("new");
            assertThat(ms.get(ms.size() - 1).path("type").asText()).as(what).isEqualTo("end");
            assertThat(ms.subList(1, ms.size() - 1)).as(what).allSatisfy(m -> assertThat(m.path("type").asText()).isEqualTo("update"));
            JsonNode end = ms.get(ms.size() - 1).path("case");
            String caseId = end.path("case_id").asText();
            assertThat(caseId).as(what).startsWith("GW-" + sims.get(e.sensorId()).districtCode() + "-" + day.day().toString().replace("-", "") + "-");
            assertThat(end.path("status").asText()).as(what).isEqualTo("verified");
            assertThat(end.path("category").path("kind").asText()).as(what).isEqualTo(e.categoryKind());
            assertThat(end.path("category").path("code").asText()).as(what).isEqualTo(e.categoryCode());
            assertThat(end.path("grid").path("code").asText()).as(what).isEqualTo(sims.get(e.sensorId()).gridCode());
            String maxSeverity = null;
            for (JsonNode m : ms) {
                JsonNode sev = m.path("case").path("severity");
                if (!sev.isNull() && Severity.rises(maxSeverity, sev.asText())) {
                    maxSeverity = sev.asText();
                }
            }
            assertThat(maxSeverity).as(what).isEqualTo(e.maxSeverity());
            // ended when the cause cleared: the clearing detection is the end's last evidence
            long expectedEnd = scenario.expectedEnd(e.sensorId(), sims.get(e.sensorId()).type());
            JsonNode evidence = end.path("evidence");
            String lastUri = evidence.get(evidence.size() - 1).path("uri").asText();
            assertThat(lastUri).as(what).endsWith("&to=" + expectedEnd);
            assertThat(end.path("last_seen").asLong()).as(what + ": seen until the readings first showed the cause gone")
                    .isEqualTo(scenario.expectedLastSeen(e.sensorId(), sims.get(e.sensorId()).type()));

            List<JsonNode> caseAlerts = alertsByCase.getOrDefault(caseId, List.of());
            if (e.team() == null) {
                assertThat(caseAlerts).as(what).isEmpty();
                continue;
            }
            assertThat(caseAlerts).as(what).allSatisfy(a -> assertThat(a.path("team").asText()).isEqualTo(e.team()));
            assertThat(caseAlerts.stream().filter(a -> a.path("state").asText().equals("raised"))).as(what).hasSize(1);
            assertThat(caseAlerts.stream().filter(a -> a.path("state").asText().equals("cleared"))).as(what)
                    .singleElement().satisfies(a -> assertThat(a.path("at").asLong()).isEqualTo(expectedEnd));
            List<String> rising = caseAlerts.stream().filter(a -> !a.path("state").asText().equals("cleared"))
                    .sorted(Comparator.comparingLong(a -> a.path("at").asLong()))
                    .map(a -> a.path("severity").isNull() ? null : a.path("severity").asText()).toList();
            assertThat(rising).as(what + ": each alert a new level").doesNotHaveDuplicates();
            assertThat(rising.get(rising.size() - 1)).as(what).isEqualTo(e.maxSeverity());
        }
        assertThat(alerts).extracting(a -> a.path("alert_id").asText()).doesNotHaveDuplicates();
        assertThat(it.mqttAlertsBetween(dayStart, dayStart + DAY_MS)).extracting(a -> a.path("alert_id").asText())
                .containsExactlyInAnyOrderElementsOf(alerts.stream().map(a -> a.path("alert_id").asText()).toList());
    }

    private static void assertFloodWatches(CityDay day, long dayStart) {
        List<JsonNode> watches = it.alertsBetween(dayStart, dayStart + DAY_MS).stream().filter(a -> a.path("case_id").isNull()).toList();
        Map<String, List<String>> byDistrict = new TreeMap<>();
        watches.stream().sorted(Comparator.comparingLong(a -> a.path("at").asLong())).forEach(a -> byDistrict
                .computeIfAbsent(a.path("grid").path("code").asText().substring(0, 6), k -> new ArrayList<>())
                .add(a.path("team").asText() + "/" + a.path("state").asText()));
        Map<String, List<String>> expected = new TreeMap<>();
        day.expectedFloodWatches().forEach(d -> expected.put(d, List.of("flood/raised", "flood/cleared")));
        assertThat(byDistrict).isEqualTo(expected);
    }

    private static void assertDeadLetters(CityDayScenario scenario, String probePrefix) {
        List<ConsumerRecord<String, byte[]>> dead = it.readCommitted(Topics.DEADLETTER,
                r -> !String.valueOf(PipelineHarness.header(r, Topics.HEADER_SOURCE)).startsWith(probePrefix));
        Map<String, Long> got = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : dead) {
            assertThat(PipelineHarness.header(r, Topics.HEADER_RECEIVED)).matches("\\d+");
            assertThat(PipelineHarness.header(r, SensorBridge.HEADER_DETAIL)).isNotBlank();
            String key = new CityDayScenario.Malformed(PipelineHarness.header(r, Topics.HEADER_SOURCE), r.value(),
                    PipelineHarness.header(r, Topics.HEADER_REASON)).key();
            got.merge(key, 1L, Long::sum);
        }
        Map<String, Long> expected = new TreeMap<>();
        scenario.malformed.forEach(m -> expected.merge(m.key(), 1L, Long::sum));
        assertThat(scenario.malformed).hasSizeGreaterThan(1_000);
        assertThat(got).isEqualTo(expected);
    }

    private static void assertPostgres(Database db, CityDay day, CityDayScenario scenario, long dayStart) {
        List<String> expectedSensors = day.expectedCases().stream().map(CityDay.Expected::sensorId).toList();
        assertThat(new CaseStore(db.dataSource()).list(null, null)).hasSize(expectedSensors.size())
                .allSatisfy(c -> assertThat(c.status()).isEqualTo("verified"))
                .extracting(c -> c.sources().get(0).id()).containsExactlyInAnyOrderElementsOf(expectedSensors);
        List<String> kafkaAlertIds = it.alertsBetween(dayStart, dayStart + DAY_MS).stream().map(a -> a.path("alert_id").asText()).toList();
        assertThat(new AlertStore(db.dataSource()).list(null)).extracting(a -> a.alertId()).containsExactlyInAnyOrderElementsOf(kafkaAlertIds);
        // every distinct reading of every published sensor, once (duplicates and malformed ones not)
        Map<String, Long> expected = new TreeMap<>();
        scenario.readings.forEach((sensor, list) -> expected.put(sensor, (long) list.size()));
        assertThat(new ReadingStore(db).readingsPerSensor(Instant.ofEpochMilli(dayStart), Instant.ofEpochMilli(dayStart + DAY_MS)))
                .isEqualTo(expected);
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
