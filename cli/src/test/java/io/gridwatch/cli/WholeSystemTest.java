package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.stack.ServiceHeartbeat;
import io.gridwatch.stack.Snapshot;
import io.gridwatch.stack.Snapshots;
import io.gridwatch.testkit.TestServices;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole system as CONTRACTS §7 promises it, through the command line a person uses: {@code up} starts the stack and
 * gridwatch's own services in the background; a sensor imported and publishing over MQTT raises a case with no other
 * command; a pipeline killed with SIGKILL in the middle of a flood is reported by {@code status}, started again by the
 * next {@code up} and resumes from its checkpoint, so the flood held across the crash raises exactly one case; a second
 * ingest takes its own client id; {@code down} stops the job with a savepoint.
 *
 * <p>Its own stack on free ports and its own var directory, so that a developer's stack is never touched.
 */
class WholeSystemTest {

    private static final String SENSOR = "wl-sys-" + Long.toHexString(System.nanoTime());
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path home;
    static OwnStack stack;
    static String database;
    static String mqttUri;

    static CliRun run(String... args) {
        return stack.run(args);
    }

    @BeforeAll
    static void configure() throws Exception {
        stack = OwnStack.in(home, "gw_sys_");
        database = stack.database();
        mqttUri = stack.mqttUri();
    }

    @AfterAll
    static void down() {
        stack.down();
    }

    @Test
    void upImportPublishRaisesACaseAndAKilledJobResumesFromItsCheckpoint() throws Exception {
        CliRun up = run("up");
        assertThat(up.status()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).containsPattern("ingest +up").containsPattern("cameras +up").containsPattern("pipeline +up").contains("started fresh")
                .contains("keeps").doesNotContain("WARNING"); // our own Mosquitto: max_queued_messages 0
        assertThat(run("up").out()).as("up again is harmless").containsPattern("pipeline +up .*already running");

        Path csv = Files.writeString(home.resolve("sensors.csv"), "sensor_id,type,lon,lat,component_code,interval_s,name\n"
                + SENSOR + ",water_level,121.510085,39.037103,,30,路口积水监测\n");
        assertThat(run("sensors", "import", csv.toString()).status()).isZero();

        // 19 cm from t0 on, every 30 s: the first 3 minutes now, the rest after a crash; the rule needs 5 minutes held
        long t0 = System.currentTimeMillis() - Duration.ofMinutes(8).toMillis();
        publish(t0, 0, 7);
        awaitStoredReadings(7);
        Snapshots snapshots = new Snapshots(home.resolve("var/checkpoints/sensor-pipeline"), home.resolve("var/savepoints/sensor-pipeline"));
        awaitCheckpointsAfterNow(snapshots, 3); // aligned checkpoints: the third after the readings holds their hold

        long pid = Long.parseLong(Files.readString(home.resolve("var/run/pipeline.pid")).strip());
        ProcessHandle job = ProcessHandle.of(pid).orElseThrow();
        assertThat(job.destroyForcibly()).isTrue(); // SIGKILL
        job.onExit().get();

        CliRun status = run("status");
        assertThat(status.status()).as("status exits non-zero when a part is down").isEqualTo(1);
        assertThat(status.out()).containsPattern("pipeline +down").contains("DIED");

        CliRun again = run("up");
        assertThat(again.status()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("had died").containsPattern("pipeline +up");
        assertThat(Files.readString(home.resolve("var/log/pipeline.log"))).contains("resuming from checkpoint chk-");

        publish(t0, 7, 13);
        waitUntil(Duration.ofSeconds(2), () -> casesOfSensor().size() == 1);
        Thread.sleep(5_000); // and no second one follows
        List<JsonNode> cases = casesOfSensor();
        assertThat(cases).hasSize(1);
        assertThat(cases.get(0).path("first_seen").asLong()).as("the hold that began before the crash").isEqualTo(t0);
        assertThat(cases.get(0).path("category").path("code").asText()).isEqualTo("0406");

        // a second ingest on this machine takes the next instance number: the first one is never knocked off
        CliRun second = run("ingest", "--run-for", "6", "--stats-every", "2");
        assertThat(second.out()).containsPattern("ingest gridwatch-ingest-.*-1: ");
        ServiceHeartbeat first = ServiceHeartbeat.read(ServiceHeartbeat.file(home.resolve("var"), "ingest")).orElseThrow();
        assertThat(first.detail()).contains("-0: ").contains("mqtt connected").endsWith("mqtt connects 1");

        CliRun status2 = run("status");
        assertThat(status2.status()).as(status2.out()).isZero();
        assertThat(status2.out()).containsPattern("pipeline +up .*last checkpoint chk-\\d+ at .*lag \\d+ on gw.readings.v1")
                .containsPattern("ingest +up .*accepted 13")
                .containsPattern("cameras +up .*cameras-.*-0: 0 cameras here \\(0 online\\), 16 partitions; all workers: 0 online / 0 registered");

        CliRun down = run("down");
        assertThat(down.out()).containsPattern("pipeline +down .*stopped with savepoint").containsPattern("ingest +down +.*stopped pid")
                .containsPattern("cameras +down +.*stopped pid");
        assertThat(snapshots.newest().map(Snapshot::kind)).contains(Snapshot.Kind.SAVEPOINT);
        assertThat(run("status").status()).isEqualTo(1);
    }

    /** Polls {@code condition} until it holds; fails after {@link #WAIT}. */
    private static void waitUntil(Duration every, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        OwnStack.waitUntil(WAIT, every, condition);
    }

    private static void publish(long t0, int from, int to) throws Exception {
        MqttClient c = new MqttClient(mqttUri, "it-sensor-" + System.nanoTime(), new MemoryPersistence());
        c.connect(new MqttConnectionOptions());
        try {
            for (int i = from; i < to; i++) {
                String json = "{\"ts\": " + (t0 + i * 30_000L) + ", \"values\": {\"water_level_cm\": 19}, \"seq\": " + i + "}";
                c.publish("gw/v1/sensors/" + SENSOR + "/telemetry", json.getBytes(StandardCharsets.UTF_8), 1, false);
            }
        } finally {
            c.disconnect();
            c.close();
        }
    }

    private static void awaitStoredReadings(int n) throws Exception {
        waitUntil(Duration.ofMillis(500), () -> {
            try (Connection db = TestServices.shared().postgres().connect(database);
                 PreparedStatement st = db.prepareStatement("SELECT count(*) FROM sensor_reading WHERE sensor_id = ?")) {
                st.setString(1, SENSOR);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) >= n;
                }
            }
        });
    }

    private static void awaitCheckpointsAfterNow(Snapshots snapshots, int more) throws Exception {
        long now = snapshots.newest().map(Snapshot::number).orElse(0L);
        waitUntil(Duration.ofMillis(500), () -> snapshots.newest().map(Snapshot::number).orElse(0L) >= now + more);
    }

    private static List<JsonNode> casesOfSensor() throws Exception {
        return stack.casesOf(SENSOR);
    }
}
