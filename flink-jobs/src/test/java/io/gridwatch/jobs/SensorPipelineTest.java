package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.store.Database;
import io.gridwatch.testkit.TestServices;
import io.gridwatch.topics.Topics;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole sensor pipeline on a MiniCluster, with real Kafka, Mosquitto and PostgreSQL. */
class SensorPipelineTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static TestServices services;
    static String jdbcUrl;
    static JobClient job;
    static final List<JsonNode> mqttAlerts = new CopyOnWriteArrayList<>();
    static MqttClient mqtt;
    /** A grid of 凌水街道 (高新园区), 甘井子区. */
    static final String GRID = "210211016001002";
    static final long DAY = Instant.parse("2026-07-27T16:00:00Z").toEpochMilli(); // 2026-07-28 00:00 Asia/Shanghai

    @BeforeAll
    static void start() throws Exception {
        services = TestServices.shared();
        jdbcUrl = services.newDatabase("pipeline");
        try (Database db = Database.open(jdbcUrl, services.postgresUser())) {
            db.migrate();
        }
        mqtt = new MqttClient(services.mqttUri(), "it-" + UUID.randomUUID(), new MemoryPersistence());
        mqtt.connect(new MqttConnectionOptions());
        // (Paho 1.2.5's subscribe(topic, qos, listener) recurses forever; the array form works)
        mqtt.subscribe(new MqttSubscription[] {new MqttSubscription("gw/v1/alerts/#", 1)},
                new IMqttMessageListener[] {(topic, m) -> mqttAlerts.add(Json.mapper().readTree(m.getPayload()))});

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        SensorPipelineJob.assemble(env, new SensorPipelineJob.Settings(services.kafkaBootstrap(), services.mqttUri(), jdbcUrl,
                services.postgresUser(), GridwatchConfig.Edition.CLASSIC, "it-" + UUID.randomUUID(), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(5)));
        job = env.executeAsync("sensor pipeline test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (job != null) {
            job.cancel().get();
        }
        if (mqtt != null) {
            mqtt.disconnect();
        }
    }

    static Reading reading(String sensor, SensorType type, int minute, Map<String, Double> values, long seq) {
        long ts = DAY + minute * 60_000L;
        return new Reading(Reading.SCHEMA, sensor, type, Reading.TELEMETRY, ts, Instant.ofEpochMilli(ts).toString(), ts + 300, seq,
                new LinkedHashMap<>(values), null, 121.510085, 39.037103, GRID, "210211", null, 60);
    }

    static void produce(List<Reading> readings) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Reading r : readings) {
                producer.send(new ProducerRecord<>(Topics.READINGS.name(), r.sensorId().getBytes(StandardCharsets.UTF_8),
                        Json.mapper().writeValueAsBytes(r)));
            }
        }
    }

    static List<JsonNode> readCommitted(String topic, int atLeast) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-read-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(Json.mapper().readTree(r.value()));
                }
                return out.size() >= atLeast;
            });
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(2))) {
                out.add(Json.mapper().readTree(r.value()));
            }
        }
        return out;
    }

    @Test
    void aFloodRaisesOneCaseThatEscalatesAndClearsWithAlertsOnKafkaMqttAndPostgres() throws Exception {
        List<Reading> series = new ArrayList<>();
        // water stands at 20 cm (blue) for 10 minutes, rises to 36 cm (yellow), then drains below 5 cm
        double[] depth = new double[60];
        for (int m = 0; m < 60; m++) {
            depth[m] = m < 4 ? 5.0 * m : m < 14 ? 20 : m < 30 ? 36 : m < 36 ? 36 - 6.0 * (m - 29) : 0;
        }
        for (int m = 0; m < 60; m++) {
            series.add(reading("wl-it-1", SensorType.WATER_LEVEL, m, Map.of("water_level_cm", Math.max(0, depth[m])), m));
        }
        // a quiet neighbour keeps event time moving, and a spike that must raise nothing
        for (int m = 0; m < 60; m++) {
            series.add(reading("wl-it-quiet", SensorType.WATER_LEVEL, m, Map.of("water_level_cm", m == 20 ? 60.0 : 0.0), m));
        }
        produce(series);

        List<JsonNode> cases = readCommitted(Topics.CASES.name(), 3);
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
        assertThat(cases).allSatisfy(c -> assertThat(c.path("case").path("sources").get(0).path("id").asText()).isEqualTo("wl-it-1"));

        List<JsonNode> alerts = readCommitted(Topics.ALERTS.name(), 3);
        // keyed by alert id over several partitions (CONTRACTS.md §3): in time order only by their "at"
        alerts.sort(java.util.Comparator.comparingLong(a -> a.path("at").asLong()));
        assertThat(alerts).extracting(a -> a.path("state").asText() + "/" + a.path("severity").asText())
                .containsExactly("raised/blue", "escalated/yellow", "cleared/yellow");
        assertThat(alerts.get(0).path("message").asText()).contains("凌水街道").contains("道路积水").contains("蓝色");

        await().atMost(Duration.ofSeconds(30)).until(() -> mqttAlerts.size() >= 3);
        assertThat(mqttAlerts).extracting(a -> a.path("alert_id").asText()).containsAll(alerts.stream().map(a -> a.path("alert_id").asText()).toList());

        try (Database db = Database.open(jdbcUrl, services.postgresUser())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> new io.gridwatch.store.CaseStore(db.dataSource()).list(null, null).size() == 1);
            assertThat(new io.gridwatch.store.CaseStore(db.dataSource()).list(null, null).get(0).status()).isEqualTo("verified");
        }
    }
}
