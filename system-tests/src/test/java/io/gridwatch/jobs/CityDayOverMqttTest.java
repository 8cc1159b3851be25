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
import io.gridwatch.sensor.SensorCsv;
import io.gridwatch.store.AlertStore;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.ReadingStore;
import io.gridwatch.store.SensorStore;
import io.gridwatch.topics.Topics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scripted city day through the real input path, across modules: devices publish over MQTT (Mosquitto), the
 * sensor bridge ({@code ingest}) puts the readings on Kafka, the sensor pipeline job ({@code flink-jobs}) raises cases
 * and alerts to Kafka, MQTT and PostgreSQL — on one MiniCluster at parallelism 2 with the testkit's real services.
 * In the package of the jobs, for their {@link PipelineHarness} (flink-jobs' test-jar).
 */
class CityDayOverMqttTest {

    private static final Logger LOG = LoggerFactory.getLogger(CityDayOverMqttTest.class);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static PipelineHarness it;
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

    static String sourceOf(JsonNode caseMessage) {
        return caseMessage.path("case").path("sources").get(0).path("id").asText();
    }

    @Test
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
}
