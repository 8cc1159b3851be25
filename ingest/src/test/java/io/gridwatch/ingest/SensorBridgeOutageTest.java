package io.gridwatch.ingest;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.stack.KafkaBrokerProcess;
import io.gridwatch.stack.LocalStack;
import io.gridwatch.stack.MosquittoProcess;
import io.gridwatch.stack.ServiceFiles;
import io.gridwatch.store.Database;
import io.gridwatch.store.SensorStore;
import io.gridwatch.testkit.TestServices;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge when its brokers go away: a Kafka outage and a Mosquitto restart lose no reading. Each test here stops a
 * broker, so the class runs its own Kafka and Mosquitto (the shared ones serve the other tests); PostgreSQL is shared.
 */
class SensorBridgeOutageTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static Path dir;
    static KafkaBrokerProcess kafka;
    static MosquittoProcess mosquitto;
    static Database db;
    static SensorStore store;
    static GridIndex grids;

    @BeforeAll
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("gridwatch-outage-");
        kafka = new KafkaBrokerProcess("127.0.0.1", TestServices.freePort(), TestServices.freePort(), ServiceFiles.under(dir, "kafka"), false);
        mosquitto = new MosquittoProcess("127.0.0.1", TestServices.freePort(), ServiceFiles.under(dir, "mosquitto"), false);
        kafka.launch();
        mosquitto.start(Duration.ofSeconds(30));
        kafka.awaitReady(Duration.ofSeconds(90));
        LocalStack.ensureTopics(kafka.bootstrapServers());
        db = Database.open(TestServices.shared().newDatabase("outage"), TestServices.shared().postgresUser());
        db.migrate();
        store = new SensorStore(db.dataSource());
        Path root = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath();
        grids = new GridIndex(GridCache.dalian(root.resolve("var/cache"), GridwatchConfig.defaults().grids()));
    }

    @AfterAll
    static void tearDown() {
        if (db != null) {
            db.close();
        }
        if (kafka != null) {
            kafka.stop(Duration.ofSeconds(10));
        }
        if (mosquitto != null) {
            mosquitto.stop(Duration.ofSeconds(10));
        }
    }

    static SensorBridge bridge(String clientId) {
        SensorBridge.Settings s = new SensorBridge.Settings(mosquitto.uri(), clientId, clientId + "-group",
                Duration.ofMinutes(5), 1_000, kafka.bootstrapServers(), Duration.ofSeconds(1));
        return new SensorBridge(s, new SensorRegistryCache(store::changesFrom), grids::lookup).start();
    }

    static MqttClient publisher() throws Exception {
        MqttClient c = new MqttClient(mosquitto.uri(), "outage-publisher-" + UUID.randomUUID(), new MemoryPersistence());
        c.connect(new MqttConnectionOptions());
        return c;
    }

    static void publish(MqttClient c, String sensor, int from, int to, long ts) throws Exception {
        for (int seq = from; seq < to; seq++) {
            MqttMessage m = new MqttMessage(("{\"ts\":" + (ts + seq) + ",\"values\":{\"water_level_cm\":" + (seq % 100)
                    + "},\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            for (int attempt = 0; ; attempt++) {
                try {
                    c.publish("gw/v1/sensors/" + sensor + "/telemetry", m);
                    break;
                } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                    if (e.getReasonCode() != 32202 /* too many publishes in progress */ || attempt > 1_000) {
                        throw e;
                    }
                    Thread.sleep(5);
                }
            }
        }
    }

    /** The distinct sequence numbers of {@code sensor}'s readings in Kafka, once {@code count} of them are there. */
    static Set<Long> seqsInKafka(KafkaTail tail, int count) throws Exception {
        Set<Long> seqs = new TreeSet<>();
        long end = System.nanoTime() + WAIT.toNanos();
        while (seqs.size() < count && System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> r : tail.await(Integer.MAX_VALUE, Duration.ofMillis(500))) {
                seqs.add(Json.mapper().readTree(r.value()).get("seq").asLong());
            }
        }
        return seqs;
    }

    static void awaitConnected(SensorBridge b) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!b.stats().connected() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(b.stats().connected()).as("bridge connected").isTrue();
        Thread.sleep(300);
    }

    @Test
    void aKafkaOutageHoldsMessagesUnacknowledgedAndLosesNone() throws Exception {
        String sensor = "outage-kafka-wl";
        store.upsert(List.of(new Sensor(sensor, SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 60, null)), grids::lookup);
        long ts = System.currentTimeMillis() - 60_000;
        MqttClient pub = publisher();
        try (SensorBridge b = bridge("outage-kafka");
             KafkaTail tail = new KafkaTail(kafka.bootstrapServers(), Topics.READINGS.name(), r -> sensor.equals(r.key()))) {
            awaitConnected(b);
            publish(pub, sensor, 0, 200, ts);
            assertThat(seqsInKafka(tail, 200)).hasSize(200);

            kafka.stop(Duration.ofSeconds(20));
            publish(pub, sensor, 200, 500, ts);
            // the bridge cannot write: it keeps the messages unacknowledged and says so
            long end = System.nanoTime() + WAIT.toNanos();
            while (b.stats().kafkaFailures() == 0 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertThat(b.stats().kafkaFailures()).as("failed Kafka writes counted").isPositive();
            assertThat(b.stats().inFlight()).as("held, unacknowledged").isPositive();
            assertThat(b.stats().accepted()).isEqualTo(200);

            kafka.launch();
            kafka.awaitReady(Duration.ofSeconds(90));
            Set<Long> seqs = seqsInKafka(tail, 500);
            assertThat(seqs).as("every reading, none lost").hasSize(500).first().isEqualTo(0L);
            assertThat(seqs).last().isEqualTo(499L);
            end = System.nanoTime() + WAIT.toNanos();
            while (b.stats().inFlight() > 0 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertThat(b.stats().inFlight()).isZero();
        } finally {
            pub.disconnect();
            pub.close();
        }
    }

    @Test
    void aMosquittoRestartLosesNothingQueuedOrSentAfterIt() throws Exception {
        String sensor = "outage-mqtt-wl";
        store.upsert(List.of(new Sensor(sensor, SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 60, null)), grids::lookup);
        long ts = System.currentTimeMillis() - 60_000;
        try (KafkaTail tail = new KafkaTail(kafka.bootstrapServers(), Topics.READINGS.name(), r -> sensor.equals(r.key()))) {
            SensorBridge b = bridge("outage-mqtt");
            awaitConnected(b);
            MqttClient pub = publisher();
            publish(pub, sensor, 0, 100, ts);
            assertThat(seqsInKafka(tail, 100)).hasSize(100);

            // 1. the broker restarts under a running bridge: the bridge reconnects by itself and takes what comes next
            pub.disconnect();
            mosquitto.stop(Duration.ofSeconds(10));
            mosquitto.start(Duration.ofSeconds(30));
            pub = publisher();
            awaitConnected(b);
            publish(pub, sensor, 100, 200, ts);
            assertThat(seqsInKafka(tail, 200)).hasSize(200);

            // 2. messages queued for a stopped bridge survive a broker restart (persistent session, persisted on shutdown)
            b.close();
            publish(pub, sensor, 200, 300, ts);
            pub.disconnect();
            pub.close();
            mosquitto.stop(Duration.ofSeconds(10));
            mosquitto.start(Duration.ofSeconds(30));
            try (SensorBridge again = bridge("outage-mqtt")) {
                Set<Long> seqs = seqsInKafka(tail, 300);
                assertThat(seqs).as("every reading, none lost").hasSize(300).first().isEqualTo(0L);
                assertThat(seqs).last().isEqualTo(299L);
                assertThat(again.stats().accepted()).isGreaterThanOrEqualTo(100);
            }
        }
    }
}
