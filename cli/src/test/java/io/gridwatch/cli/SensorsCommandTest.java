package io.gridwatch.cli;

import io.gridwatch.testkit.TestServices;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch sensors import | list} and {@code gridwatch ingest} as people use them, on the test services. */
class SensorsCommandTest {

    @TempDir
    static Path home;
    static Path config;


    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    @BeforeAll
    static void configure() throws Exception {
        TestServices services = TestServices.shared();
        URI mqtt = URI.create(services.mqttUri());
        String[] kafka = services.kafkaBootstrap().split(":");
        String database = "gw_sensors_" + Long.toHexString(System.nanoTime());
        // the grid cache of the repository's var/ saves deriving the grids again; nothing else is written there
        Path repoVar = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath().resolve("var");
        config = Files.writeString(home.resolve("gridwatch.yaml"), String.format("""
                stack:
                  var_dir: %s
                  kafka: {host: %s, port: %s, controller_port: 1}
                  mqtt: {host: %s, port: %d}
                  postgres: {host: %s, port: %d, database: %s, user: %s}
                """, repoVar, kafka[0], kafka[1], mqtt.getHost(), mqtt.getPort(), services.postgres().host(), services.postgres().port(),
                database, services.postgresUser()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> services.postgres().dropDatabase(database)));
    }

    @Test
    void importTwiceUpdatesAndListShowsTheGrid() throws Exception {
        Path csv = Files.writeString(home.resolve("a.csv"), """
                sensor_id,type,lon,lat,component_code,interval_s,name
                cli-wl-1,water_level,121.6431,38.9152,,30,中山区积水点
                cli-mh-1,manhole,121.6431,38.9152,0101,,井盖
                """);
        CliRun first = run("sensors", "import", csv.toString());
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).contains("imported 2 sensors", "2 new, 0 updated, 0 unchanged");
        Files.writeString(csv, """
                sensor_id,type,lon,lat,component_code,interval_s,name
                cli-wl-1,water_level,121.6431,38.9152,,60,中山区积水点
                cli-mh-1,manhole,121.6431,38.9152,0101,,井盖
                cli-new-1,rain_gauge,121.6431,38.9152,,,
                """);
        CliRun second = run("sensors", "import", csv.toString());
        assertThat(second.out()).contains("imported 3 sensors", "1 new, 1 updated, 1 unchanged");

        CliRun list = run("sensors", "list");
        assertThat(list.status()).isZero();
        assertThat(list.out()).containsPattern("cli-wl-1\\s+water_level\\s+121\\.643100\\s+38\\.915200\\s+210202\\d{9}\\s+60\\s+中山区积水点")
                .contains("cli-new-1").containsPattern("\\d+ sensors");
        CliRun manholes = run("sensors", "list", "--type", "manhole");
        assertThat(manholes.out()).contains("cli-mh-1", "0101", "1 sensor").doesNotContain("cli-wl-1");
    }

    @Test
    void aFileWithBadRowsIsRefusedWholeWithLineNumbers() throws Exception {
        Path csv = Files.writeString(home.resolve("bad.csv"), """
                sensor_id,type,lon,lat
                cli-ok-1,bin_fill,121.6,38.9
                cli-bad-1,volcano,121.6,38.9
                cli-bad-2,bin_fill,121.6,north
                """);
        CliRun r = run("sensors", "import", csv.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("2 problems, nothing imported", "bad.csv:3: type: unknown sensor type 'volcano'",
                "bad.csv:4: lat: 'north' is not a number");
        assertThat(run("sensors", "list", "--type", "bin_fill").out()).doesNotContain("cli-ok-1");
    }

    /**
     * Issue 11, finding 7: a sensor outside every unit grid (Paris, the sea) was imported with a note, and a flood there raised
     * case GW-000000-… alerted to district "unknown". Such a row, or one whose component is not in the catalogue, now refuses
     * the file, naming the line, the sensor and what is wrong; nothing of the file is imported.
     */
    @Test
    void aSensorThatCannotWorkRefusesTheFile() throws Exception {
        Path csv = Files.writeString(home.resolve("far.csv"), """
                sensor_id,type,lon,lat,component_code,interval_s,name
                cli-in-1,water_level,121.6431,38.9152,,30,
                cli-paris,water_level,2.3522,48.8566,,30,巴黎
                cli-sea,water_level,121.9,38.7,,30,
                cli-mh-9,manhole,121.6431,38.9152,0199,,
                cli-mh-8,manhole,121.6431,38.9152,0101,0,
                """);
        CliRun r = run("sensors", "import", csv.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("4 problems, nothing imported",
                "far.csv:3: lon,lat: sensor 'cli-paris' at 2.3522, 48.8566 (WGS-84) lies outside every unit grid",
                "far.csv:4: lon,lat: sensor 'cli-sea' at 121.9, 38.7",
                "far.csv:5: component_code: '0199' of sensor 'cli-mh-9' is not a component (部件) class of the classic catalogue",
                "far.csv:6: interval_s: must be a positive number of seconds, got 0");
        assertThat(run("sensors", "list").out()).doesNotContain("cli-in-1", "cli-paris", "cli-sea");
    }

    @Test
    void ingestRunsTheBridgeAndPrintsStats() throws Exception {
        Path csv = Files.writeString(home.resolve("i.csv"), "sensor_id,type,lon,lat\ncli-bin-9,bin_fill,121.6431,38.9152\n");
        assertThat(run("sensors", "import", csv.toString()).status()).isZero();
        String client = "cli-test-" + UUID.randomUUID();
        CompletableFuture<CliRun> ingest = CompletableFuture.supplyAsync(() -> run("ingest", "--client-id", client,
                "--share-group", client, "--stats-every", "1", "--run-for", "8"));
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.shared().kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, client);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        MqttClient pub = new MqttClient(TestServices.shared().mqttUri(), client + "-pub", new MemoryPersistence());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            pub.connect();
            consumer.subscribe(List.of("gw.readings.v1"));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int seq = 0;
            while (got.isEmpty() && System.nanoTime() < end) {
                MqttMessage m = new MqttMessage(("{\"ts\":" + System.currentTimeMillis() + ",\"values\":{\"fill_pct\":42},\"seq\":" + seq++ + "}")
                        .getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                pub.publish("gw/v1/sensors/cli-bin-9/telemetry", m);
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if ("cli-bin-9".equals(r.key())) {
                        got.add(r);
                    }
                });
            }
            assertThat(got).isNotEmpty();
            assertThat(got.get(0).value()).contains("\"grid_code\":\"210202", "\"fill_pct\":42.0");
        } finally {
            pub.disconnect();
            pub.close();
        }
        CliRun r = ingest.get();
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("ingest " + client).containsPattern("received \\d+, accepted [1-9]\\d*, rejected 0").contains("stopped:");
    }
}
