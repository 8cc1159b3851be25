package io.gridwatch.stack;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.topics.Topic;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local stack on real services, isolated from a developer's stack: a temporary var dir, free ports and a database
 * of its own. PostgreSQL is the machine's cluster where one runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackTest {

    private static final String RETAINED_TOPIC = "gw/v1/test/retained";

    private Path root;
    private GridwatchConfig config;
    private LocalStack stack;
    private String database;

    @BeforeAll
    void isolatedStack() throws IOException {
        root = Files.createTempDirectory("gridwatch-stack-test-");
        database = "gw_stack_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path overrides = root.resolve("gridwatch-test.yaml");
        Files.writeString(overrides, """
                stack:
                  var_dir: var
                  kafka: {port: %d, controller_port: %d}
                  mqtt: {port: %d}
                  postgres: {database: %s}
                """.formatted(freePort(), freePort(), freePort(), database));
        config = GridwatchConfig.load(overrides);
        stack = new LocalStack(config, root);
    }

    @AfterAll
    void cleanUp() throws IOException {
        try {
            stack.down();
            new PostgresService(config.stack().postgres().host(), config.stack().postgres().port(), config.stack().postgres().user(),
                    config.stack().postgres().port(), ServiceFiles.under(stack.varDir(), LocalStack.POSTGRES), false)
                    .find().ifPresent(pg -> pg.dropDatabase(database));
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void aTakenPortIsReportedWithItsOwner() throws IOException {
        int kafkaPort = config.stack().kafka().port();
        try (ServerSocket squatter = new ServerSocket(kafkaPort, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(stack::up)
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining("port " + kafkaPort + " is taken by pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("java")
                    .hasMessageContaining("stack.kafka.port");
        }
        assertThat(stack.status()).filteredOn(s -> s.name().equals(LocalStack.KAFKA))
                .singleElement().extracting(ServiceStatus::state).isEqualTo(ServiceStatus.State.DOWN);
    }

    @Test
    @Order(2)
    void upStartsEveryPartAndCreatesTheTopics() throws Exception {
        long t0 = System.nanoTime();
        List<ServiceStatus> up = stack.up();
        System.out.printf("first up (format + start): %.1f s%n", (System.nanoTime() - t0) / 1e9);

        Map<String, ServiceStatus> byName = up.stream().collect(Collectors.toMap(ServiceStatus::name, s -> s));
        assertThat(byName.get(LocalStack.KAFKA).state()).isEqualTo(ServiceStatus.State.UP);
        assertThat(byName.get(LocalStack.KAFKA).pid()).isNotNull();
        assertThat(byName.get(LocalStack.MQTT).state()).isEqualTo(ServiceStatus.State.UP);
        assertThat(byName.get(LocalStack.MQTT).pid()).isNotNull();
        assertThat(byName.get(LocalStack.POSTGRES).usable()).isTrue();
        assertThat(byName.get(LocalStack.POSTGRES).address()).endsWith("/" + database);
        assertThat(stack.varDir().resolve("kafka/cluster.id")).exists();
        assertThat(stack.varDir().resolve("run/kafka.pid")).exists();

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            List<String> names = Topics.ALL.stream().map(Topic::name).toList();
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get(30, TimeUnit.SECONDS);
            for (Topic t : Topics.ALL) {
                assertThat(described.get(t.name()).partitions()).as(t.name()).hasSize(t.partitions());
                Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
                assertThat(c.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).as(t.name())
                        .isEqualTo(t.compacted() ? "compact" : "delete");
                assertThat(c.get(TopicConfig.RETENTION_MS_CONFIG).value()).as(t.name()).isEqualTo(Long.toString(t.retentionMs()));
            }
        }
    }

    @Test
    @Order(3)
    void upTwiceIsHarmless() {
        Long pidBefore = pidOf(stack.status(), LocalStack.KAFKA);
        List<ServiceStatus> again = stack.up();
        assertThat(pidOf(again, LocalStack.KAFKA)).isEqualTo(pidBefore);
        assertThat(again).filteredOn(s -> s.name().equals(LocalStack.KAFKA)).singleElement()
                .extracting(ServiceStatus::detail).asString().contains("already running", "all " + Topics.ALL.size() + " topics exist");
    }

    @Test
    @Order(4)
    void downAndUpLoseNothing() throws Exception {
        String key = "report-" + UUID.randomUUID();
        String retained = "{\"ts\": " + System.currentTimeMillis() + "}";
        RecordMetadata written = produce(Topics.REPORTS.name(), key, "{\"schema\": 1}");
        publishRetained(retained);
        try (Connection c = stackDatabase(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (id text PRIMARY KEY)");
            s.execute("INSERT INTO kept VALUES ('" + key + "')");
        }

        long t0 = System.nanoTime();
        List<ServiceStatus> down = stack.down();
        System.out.printf("down: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(down).filteredOn(s -> !s.name().equals(LocalStack.POSTGRES))
                .allSatisfy(s -> assertThat(s.state()).isEqualTo(ServiceStatus.State.DOWN));
        assertThat(stack.varDir().resolve("run/kafka.pid")).doesNotExist();
        assertThat(stack.status()).filteredOn(s -> !s.name().equals(LocalStack.POSTGRES))
                .allSatisfy(s -> assertThat(s.state()).isEqualTo(ServiceStatus.State.DOWN));

        t0 = System.nanoTime();
        stack.up();
        System.out.printf("up after down: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        assertThat(consumeFromBeginning(new TopicPartition(Topics.REPORTS.name(), written.partition()), key)).isEqualTo("{\"schema\": 1}");
        assertThat(receiveRetained()).isEqualTo(retained);
        try (Connection c = stackDatabase(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(key);
        }
    }

    private String bootstrap() {
        return config.stack().kafka().bootstrapServers();
    }

    private Connection stackDatabase() throws Exception {
        return java.sql.DriverManager.getConnection(config.stack().postgres().jdbcUrl(), config.stack().postgres().user(), null);
    }

    private RecordMetadata produce(String topic, String key, String value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private String consumeFromBeginning(TopicPartition tp, String key) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        return r.value();
                    }
                }
            }
        }
        return null;
    }

    private void publishRetained(String payload) throws MqttException {
        MqttClient client = new MqttClient(config.stack().mqtt().uri(), "stack-test-pub", new MemoryPersistence());
        try {
            client.connect();
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            m.setRetained(true);
            client.publish(RETAINED_TOPIC, m);
            client.disconnect();
        } finally {
            client.close();
        }
    }

    private String receiveRetained() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient client = new MqttClient(config.stack().mqtt().uri(), "stack-test-sub", new MemoryPersistence());
        try {
            client.setCallback(new MqttCallback() {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void disconnected(MqttDisconnectResponse r) {
                }

                @Override
                public void mqttErrorOccurred(MqttException e) {
                }

                @Override
                public void deliveryComplete(IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {
                }
            });
            client.connect(new MqttConnectionOptions());
            client.subscribe(RETAINED_TOPIC, 1);
            String message = received.poll(10, TimeUnit.SECONDS);
            client.disconnect();
            return message;
        } finally {
            client.close();
        }
    }

    private static Long pidOf(List<ServiceStatus> statuses, String name) {
        return statuses.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().pid();
    }

    private static int freePort() {
        return PortOwner.freePort();
    }
}
