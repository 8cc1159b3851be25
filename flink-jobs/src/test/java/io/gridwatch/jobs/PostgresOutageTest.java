package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.sensor.Reading;
import io.gridwatch.store.AlertStore;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.store.ReadingStore;
import io.gridwatch.testkit.PrivatePostgres;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.gridwatch.jobs.SensorPipelineTest.DAY_MS;
import static io.gridwatch.jobs.SensorPipelineTest.dayStart;
import static io.gridwatch.jobs.SensorPipelineTest.series;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, "Outages": PostgreSQL crashes ({@code pg_ctl stop -m immediate}) while the sensor pipeline runs and readings
 * keep coming, and starts again 40 s later. The job waits and retries — its sinks hold their batches, the cases operator
 * waits for a case number — and carries on: every reading is stored once, the cases and alerts are those of an
 * undisturbed run, each alert once on Kafka and at least once on MQTT, and the job never failed (restarts are switched
 * off, so one failure would have ended it).
 */
class PostgresOutageTest {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresOutageTest.class);
    /**
     * Longer than the pool's wait for a connection (HikariCP's default 30 s, which {@code Database} keeps): a shorter
     * outage is waited out inside the pool, and the job's own retries would not be exercised.
     */
    static final Duration OUTAGE = Duration.ofSeconds(40);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static PipelineHarness it;
    static PrivatePostgres pg;

    @BeforeAll
    static void start() throws Exception {
        it = new PipelineHarness();
        pg = PrivatePostgres.create();
    }

    @AfterAll
    static void stop() throws Exception {
        if (it != null) {
            it.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aCrashedPostgresIsWaitedOutAndNothingIsLostOrWrittenTwice(@InjectMiniCluster MiniCluster cluster) throws Exception {
        long day = dayStart("2026-08-11");
        String jdbcUrl = pg.newDatabase("outage");
        try (Database db = Database.open(jdbcUrl, PrivatePostgres.USER)) {
            db.migrate();
        }
        String group = "it-pg-outage-" + UUID.randomUUID();
        it.startReadingsFromNow(group);
        SensorPipelineJob.Settings s = new SensorPipelineJob.Settings(it.services.kafkaBootstrap(), it.services.mqttUri(), jdbcUrl,
                PrivatePostgres.USER, GridwatchConfig.Edition.CLASSIC, GridwatchConfig.defaults().jobs().sensorPipeline()
                .withConsumerGroup(group).withTimes(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5)));
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        JobClient job = it.start(cluster, s, noRestarts, "postgres outage");
        try {
            // wl-po-1 floods from minute 4 (blue), deeper from 30 (yellow), dry from 50; wl-po-2 floods 40–60, during the outage
            List<Reading> all = new ArrayList<>();
            all.addAll(series(day, "wl-po-1", 0, 90, m -> m < 4 ? 5.0 * m : m < 30 ? 20 : m < 45 ? 36 : m < 50 ? 36 - 7.0 * (m - 44) : 0));
            all.addAll(series(day, "wl-po-2", 0, 90, m -> m >= 40 && m < 60 ? 25.0 : 0.0));
            all.addAll(series(day, "wl-po-quiet", 0, 90, m -> 0.0));
            long split = day + 35 * 60_000L;
            List<Reading> before = all.stream().filter(r -> r.ts() < split).toList();
            List<Reading> during = all.stream().filter(r -> r.ts() >= split).toList();

            it.produce(before);
            try (Database db = Database.open(jdbcUrl, PrivatePostgres.USER)) {
                it.awaitSettled(cluster, job.getJobID(), db, day, day + DAY_MS, before.size());
                assertThat(new CaseStore(db.dataSource()).list(null, null)).as("the first flood's case, before the outage").hasSize(1);
            }

            pg.crash();
            long t0 = System.nanoTime();
            it.produce(during);
            Thread.sleep(OUTAGE.toMillis());
            assertThat(pg.running()).isFalse();
            assertThat(job.getJobStatus().get()).as("the job while PostgreSQL is down").isEqualTo(JobStatus.RUNNING);
            pg.start();
            LOG.info("PostgreSQL was down for {} ms", (System.nanoTime() - t0) / 1_000_000);

            try (Database db = Database.open(jdbcUrl, PrivatePostgres.USER)) {
                it.awaitSettled(cluster, job.getJobID(), db, day, day + DAY_MS, all.size());

                // every reading once: as many rows as readings, and as many distinct (sensor, ts)
                assertThat(new ReadingStore(db).readingsPerSensor(Instant.ofEpochMilli(day), Instant.ofEpochMilli(day + DAY_MS)))
                        .containsExactlyInAnyOrderEntriesOf(Map.of("wl-po-1", 90L, "wl-po-2", 90L, "wl-po-quiet", 90L));
                try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT (sensor_id, ts)) FROM sensor_reading")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(all.size()).isEqualTo(rs.getLong(2));
                }

                List<CaseFile> cases = new ArrayList<>(new CaseStore(db.dataSource()).list(null, null));
                cases.sort(Comparator.comparing(c -> c.sources().get(0).id()));
                assertThat(cases).extracting(c -> c.sources().get(0).id() + " " + c.severity() + " " + c.status())
                        .containsExactly("wl-po-1 yellow verified", "wl-po-2 blue verified");
                assertThat(cases).extracting(CaseFile::caseId).doesNotHaveDuplicates()
                        .allSatisfy(id -> assertThat(id).matches("GW-210211-20260811-\\d{6}"));

                List<Alert> stored = new AlertStore(db.dataSource()).list(null);
                assertThat(stored).extracting(a -> a.caseId() + " " + a.state() + "/" + a.severity()).containsExactlyInAnyOrder(
                        cases.get(0).caseId() + " raised/blue", cases.get(0).caseId() + " escalated/yellow",
                        cases.get(0).caseId() + " cleared/yellow", cases.get(1).caseId() + " raised/blue",
                        cases.get(1).caseId() + " cleared/blue");
                Set<String> alertIds = Set.copyOf(stored.stream().map(Alert::alertId).toList());

                // Kafka: each alert and case message exactly once; MQTT: each alert at least once, under its id
                List<JsonNode> kafkaAlerts = it.alertsBetween(day, day + DAY_MS);
                assertThat(kafkaAlerts).extracting(a -> a.path("alert_id").asText()).containsExactlyInAnyOrderElementsOf(alertIds);
                assertThat(it.mqttAlertsBetween(day, day + DAY_MS)).extracting(a -> a.path("alert_id").asText())
                        .containsAll(alertIds).allMatch(alertIds::contains);
                assertThat(SensorPipelineTest.lifecycleBySensor(it.caseMessagesOf(Set.of("wl-po-1", "wl-po-2", "wl-po-quiet"))))
                        .containsExactlyInAnyOrderEntriesOf(Map.of("wl-po-1", List.of("new", "update", "end"),
                                "wl-po-2", List.of("new", "end")));
            }

            var graph = cluster.getExecutionGraph(job.getJobID()).get();
            assertThat(graph.getState()).isEqualTo(JobStatus.RUNNING);
            assertThat(graph.getFailureInfo()).as("the job's failure, if any (restarts are off)").isNull();
        } finally {
            PipelineHarness.cancel(job);
        }
    }
}
