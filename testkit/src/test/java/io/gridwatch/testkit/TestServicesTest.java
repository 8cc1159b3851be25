package io.gridwatch.testkit;

import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TestServicesTest {

    private final TestServices services = TestServices.shared();

    @Test
    void isOneInstancePerJvm() {
        assertThat(TestServices.shared()).isSameAs(services);
        assertThat(services.describe()).contains(services.kafkaBootstrap(), services.mqttUri());
    }

    @Test
    void kafkaRoundTripOnARegistryTopic() throws Exception {
        String key = "sensor-" + UUID.randomUUID();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        RecordMetadata written;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            written = producer.send(new ProducerRecord<>(Topics.READINGS.name(), key, "{\"schema\": 1}")).get(30, TimeUnit.SECONDS);
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        TopicPartition tp = new TopicPartition(Topics.READINGS.name(), written.partition());
        String value = null;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, written.offset());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (value == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        value = r.value();
                    }
                }
            }
        }
        assertThat(value).isEqualTo("{\"schema\": 1}");
    }

    @Test
    void mqttRoundTripAtQos1() throws Exception {
        String topic = "gw/v1/sensors/wl-" + UUID.randomUUID().toString().substring(0, 8) + "/telemetry";
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = new MqttClient(services.mqttUri(), "testkit-sub-" + UUID.randomUUID(), new MemoryPersistence());
        MqttClient publisher = new MqttClient(services.mqttUri(), "testkit-pub-" + UUID.randomUUID(), new MemoryPersistence());
        try {
            subscriber.connect(new MqttConnectionOptions());
            subscriber.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[]{
                    new org.eclipse.paho.mqttv5.common.MqttSubscription(topic, 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[]{
                            (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8))});
            publisher.connect(new MqttConnectionOptions());
            MqttMessage message = new MqttMessage("{\"ts\": 1785196800000, \"values\": {\"water_level_cm\": 17.5}}".getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            publisher.publish(topic, message);
            assertThat(received.poll(10, TimeUnit.SECONDS)).contains("water_level_cm");
            publisher.disconnect();
            subscriber.disconnect();
        } finally {
            publisher.close();
            subscriber.close();
        }
    }

    @Test
    void newDatabaseIsFreshAndUsable() throws Exception {
        String first = services.newDatabase("testkit");
        String second = services.newDatabase("testkit");
        assertThat(first).isNotEqualTo(second);
        try (Connection c = DriverManager.getConnection(first, services.postgresUser(), null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            s.execute("CREATE TABLE readings (sensor_id text, ts timestamptz)");
            s.execute("INSERT INTO readings VALUES ('wl-0031', now())");
        }
        try (Connection c = DriverManager.getConnection(second, services.postgresUser(), null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'readings'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("databases are apart").isZero();
        }
    }
}
