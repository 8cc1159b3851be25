package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Case ids are unique forever whatever happens to job state (issue 11, finding 2), on one MiniCluster with real
 * Kafka, Mosquitto and PostgreSQL: a job started without state after cases exist numbers on from them, and a job
 * restored from a checkpoint gives a replayed opening detection the id it had before — even when another job
 * numbered cases of the same district and day in between.
 */
class CaseNumberingPipelineTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static PipelineHarness it;

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

    @Test
    void idsStayUniqueAcrossAFreshStartAndAReplayedOpeningKeepsItsId(@InjectMiniCluster MiniCluster cluster,
                                                                     @TempDir Path checkpoints) throws Exception {
        long day = SensorPipelineTest.dayStart("2026-08-03");
        long from = day;
        long to = day + SensorPipelineTest.DAY_MS;
        String jdbcUrl = it.newDatabase("pipeline_numbering");
        String first = "it-num-1-" + UUID.randomUUID();
        String second = "it-num-2-" + UUID.randomUUID();
        Function<Integer, Double> flood = m -> m < 10 ? 20.0 : m < 30 ? 36.0 : 0.0;
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        JobClient a = null;
        JobClient b = null;
        JobClient restored = null;
        String raisedBeforeCrash;
        try {
            // job 1: a checkpoint before anything happened, then flood A opens a case and alerts; the job dies
            it.startReadingsFromNow(first);
            a = it.start(cluster, it.settings(jdbcUrl, first, Duration.ofHours(1)), conf, "numbering: first");
            String checkpoint = cluster.triggerCheckpoint(a.getJobID()).get();
            it.produce(SensorPipelineTest.series(day, "wl-num-a", 0, 12, flood));
            await().atMost(PipelineHarness.WAIT).until(() -> raised(from, to).size() >= 1);
            raisedBeforeCrash = raised(from, to).get(0).path("case_id").asText();
            PipelineHarness.cancel(a);

            // job 2, started without any state (as after lost checkpoints): flood B in the same district and day
            it.startReadingsFromNow(second);
            b = it.start(cluster, it.settings(jdbcUrl, second, Duration.ofSeconds(1)), new Configuration(), "numbering: fresh");
            // two minutes later than A, so that its alerts differ from A's in time as well as in place
            it.produce(SensorPipelineTest.series(day, "wl-num-b", 0, 60, m -> m < 2 ? 0.0 : flood.apply(m)));
            awaitSettled(cluster, b, jdbcUrl, from, to, Map.of("wl-num-b", 60L));
            PipelineHarness.cancel(b);

            // job 1 restored from its checkpoint: it replays flood A's opening (and reads flood B's readings again)
            Configuration restore = new Configuration(conf);
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint);
            restored = it.start(cluster, it.settings(jdbcUrl, first, Duration.ofSeconds(1)), restore, "numbering: restored");
            it.produce(SensorPipelineTest.series(day, "wl-num-a", 12, 60, flood));
            awaitSettled(cluster, restored, jdbcUrl, from, to, Map.of("wl-num-a", 60L, "wl-num-b", 60L));
        } finally {
            PipelineHarness.cancel(a);
            PipelineHarness.cancel(b);
            PipelineHarness.cancel(restored);
        }

        // every sensor's case has one id, the two floods' ids differ, and A kept the id it was alerted with
        Map<String, Set<String>> idsBySensor = new TreeMap<>();
        for (JsonNode m : it.caseMessagesOf(Set.of("wl-num-a", "wl-num-b"))) {
            idsBySensor.computeIfAbsent(SensorPipelineTest.sourceOf(m), k -> new TreeSet<>()).add(m.path("case").path("case_id").asText());
        }
        assertThat(idsBySensor).containsOnlyKeys("wl-num-a", "wl-num-b");
        assertThat(idsBySensor.get("wl-num-a")).containsExactly(raisedBeforeCrash);
        assertThat(idsBySensor.get("wl-num-b")).hasSize(1).doesNotContain(raisedBeforeCrash);
        String caseB = idsBySensor.get("wl-num-b").iterator().next();
        assertThat(raisedBeforeCrash).matches("GW-210211-20260803-000001");
        assertThat(caseB).matches("GW-210211-20260803-000002");

        // PostgreSQL holds both, each its own problem's, both ended
        try (Database db = it.open(jdbcUrl)) {
            assertThat(new CaseStore(db.dataSource()).list(null, null))
                    .extracting(c -> c.caseId() + " " + c.sources().get(0).id() + " " + c.status())
                    .containsExactlyInAnyOrder(raisedBeforeCrash + " wl-num-a verified", caseB + " wl-num-b verified");
        }
        // an alert id stands for one case: every MQTT copy of an id (at least once) is the same alert
        Map<String, Set<String>> alertsById = new TreeMap<>();
        for (JsonNode alert : it.mqttAlertsBetween(from, to)) {
            alertsById.computeIfAbsent(alert.path("alert_id").asText(), k -> new TreeSet<>())
                    .add(alert.path("case_id").asText() + " " + alert.path("at").asLong());
        }
        assertThat(alertsById.values()).allSatisfy(v -> assertThat(v).hasSize(1));
        assertThat(raised(from, to)).extracting(r -> r.path("case_id").asText()).contains(raisedBeforeCrash, caseB);
    }

    /** Waits until the job stored these readings per sensor, then for three more checkpoints (see PipelineHarness.awaitSettled). */
    private static void awaitSettled(MiniCluster cluster, JobClient job, String jdbcUrl, long from, long to, Map<String, Long> readings)
            throws Exception {
        try (Database db = it.open(jdbcUrl)) {
            ReadingStore store = new ReadingStore(db);
            await().atMost(PipelineHarness.WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                Map<String, Long> stored = store.readingsPerSensor(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
                return readings.entrySet().stream().allMatch(e -> stored.getOrDefault(e.getKey(), 0L) >= e.getValue());
            });
        }
        long seen = PipelineHarness.completedCheckpoints(cluster, job.getJobID());
        await().atMost(PipelineHarness.WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> PipelineHarness.completedCheckpoints(cluster, job.getJobID()) >= seen + 3);
    }

    private static List<JsonNode> raised(long from, long to) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : it.mqttAlertsBetween(from, to)) {
            if (a.path("state").asText().equals("raised")) {
                out.add(a);
            }
        }
        return out;
    }
}
