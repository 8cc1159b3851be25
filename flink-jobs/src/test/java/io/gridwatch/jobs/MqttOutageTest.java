package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.cases.Alert;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.Reading;
import io.gridwatch.stack.MosquittoProcess;
import io.gridwatch.stack.ServiceFiles;
import io.gridwatch.store.AlertStore;
import io.gridwatch.store.Database;
import io.gridwatch.testkit.TestServices;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.gridwatch.jobs.SensorPipelineTest.DAY_MS;
import static io.gridwatch.jobs.SensorPipelineTest.dayStart;
import static io.gridwatch.jobs.SensorPipelineTest.series;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, "Outages": the MQTT broker restarts while the sensor pipeline raises alerts. The alert sink holds what the
 * broker has not acknowledged and publishes it again once the client has reconnected: every alert arrives at least
 * once, under its id, and the job never fails (restarts are off, so one failure would have ended it).
 */
class MqttOutageTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static PipelineHarness it;
    @TempDir
    static Path dir;

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
    void aMosquittoRestartLosesNoAlertAndFailsNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        MosquittoProcess mosquitto = new MosquittoProcess("127.0.0.1", TestServices.freePort(), ServiceFiles.under(dir, "mosquitto"), false);
        mosquitto.start(Duration.ofSeconds(15));
        // an operator's console: a persistent session, so that what is published while it reconnects waits for it
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        MqttClient console = new MqttClient(mosquitto.uri(), "it-console-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(3_600L);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 2);
        console.connect(options);
        console.subscribe(new MqttSubscription[] {new MqttSubscription("gw/v1/alerts/#", 1)},
                new IMqttMessageListener[] {(topic, m) -> received.add(Json.mapper().readTree(m.getPayload()))});

        long day = dayStart("2026-08-12");
        String jdbcUrl = it.newDatabase("mqtt_outage");
        String group = "it-mqtt-outage-" + UUID.randomUUID();
        it.startReadingsFromNow(group);
        SensorPipelineJob.Settings s = it.settings(jdbcUrl, group, Duration.ofSeconds(1));
        s = new SensorPipelineJob.Settings(s.kafkaBootstrap(), mosquitto.uri(), s.jdbcUrl(), s.dbUser(), s.edition(), s.job());
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        JobClient job = it.start(cluster, s, noRestarts, "mqtt outage");
        try {
            // blue from minute 4, yellow from 14, dry from 36: raised before the restart, escalated and cleared during it
            List<Reading> all = series(day, "wl-mo-1", 0, 60, m -> m < 4 ? 5.0 * m : m < 14 ? 20 : m < 30 ? 36 : m < 36 ? 36 - 6.0 * (m - 29) : 0);
            it.produce(all.subList(0, 12));
            await().atMost(PipelineHarness.WAIT).until(() -> received.stream().anyMatch(a -> a.path("state").asText().equals("raised")));

            mosquitto.stop(Duration.ofSeconds(10));
            it.produce(all.subList(12, all.size()));
            Thread.sleep(8_000);
            assertThat(job.getJobStatus().get()).as("the job while the broker is down").isEqualTo(JobStatus.RUNNING);
            mosquitto.start(Duration.ofSeconds(15));

            List<String> ids = new ArrayList<>();
            try (Database db = it.open(jdbcUrl)) {
                it.awaitSettled(cluster, job.getJobID(), db, day, day + DAY_MS, all.size());
                List<Alert> stored = new AlertStore(db.dataSource()).list(null);
                assertThat(stored).extracting(a -> a.state() + "/" + a.severity())
                        .containsExactlyInAnyOrder("raised/blue", "escalated/yellow", "cleared/yellow");
                stored.forEach(a -> ids.add(a.alertId()));
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(received).extracting(a -> a.path("alert_id").asText())
                    .containsAll(ids).allMatch(Set.copyOf(ids)::contains));

            var graph = cluster.getExecutionGraph(job.getJobID()).get();
            assertThat(graph.getState()).isEqualTo(JobStatus.RUNNING);
            assertThat(graph.getFailureInfo()).as("the job's failure, if any (restarts are off)").isNull();
        } finally {
            PipelineHarness.cancel(job);
            console.disconnect();
            console.close();
            mosquitto.stop(Duration.ofSeconds(5));
        }
    }
}
