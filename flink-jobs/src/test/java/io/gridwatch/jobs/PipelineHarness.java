package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.Reading;
import io.gridwatch.store.Database;
import io.gridwatch.store.ReadingStore;
import io.gridwatch.testkit.TestServices;
import io.gridwatch.topics.Topic;
import io.gridwatch.topics.Topics;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * What the pipeline's integration tests share: the real services (testkit), a job per test on the one
 * MiniCluster, and ways to feed Kafka and read back what the job committed.
 *
 * <p>The services live as long as the test JVM, so topics are shared by every test of the module. Each
 * test therefore uses its own database, its own consumer groups (with the readings group placed at the
 * end of {@code gw.readings.v1} before its job starts, so that a job reads only its own test's readings),
 * its own day and its own sensor ids; readers of the output topics filter on those.
 */
final class PipelineHarness {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PipelineHarness.class);
    static final Duration WAIT = Duration.ofSeconds(120);

    final TestServices services = TestServices.shared();
    /** Every alert received on {@code gw/v1/alerts/#}, repeats included. */
    final List<JsonNode> mqttAlerts = new CopyOnWriteArrayList<>();
    private final MqttClient mqtt;
    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;

    PipelineHarness() throws Exception {
        mqtt = new MqttClient(services.mqttUri(), "it-alerts-" + UUID.randomUUID(), new MemoryPersistence());
        mqtt.connect(new MqttConnectionOptions());
        // (Paho 1.2.5's subscribe(topic, qos, listener) recurses forever; the array form works)
        mqtt.subscribe(new MqttSubscription[] {new MqttSubscription("gw/v1/alerts/#", 1)},
                new IMqttMessageListener[] {(topic, m) -> mqttAlerts.add(Json.mapper().readTree(m.getPayload()))});
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        admin = Admin.create(a);
    }

    void close() throws Exception {
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
        mqtt.disconnect();
        mqtt.close();
    }

    // ---- PostgreSQL ----------------------------------------------------------------------------

    /** A fresh, migrated database; its JDBC URL. */
    String newDatabase(String prefix) {
        String url = services.newDatabase(prefix);
        try (Database db = Database.open(url, services.postgresUser())) {
            db.migrate();
        }
        return url;
    }

    Database open(String jdbcUrl) {
        return Database.open(jdbcUrl, services.postgresUser());
    }

    // ---- jobs ----------------------------------------------------------------------------------

    SensorPipelineJob.Settings settings(String jdbcUrl, String groupId, Duration checkpointInterval) {
        GridwatchConfig.SensorPipelineConfig job = GridwatchConfig.defaults().jobs().sensorPipeline().withConsumerGroup(groupId)
                .withTimes(checkpointInterval, Duration.ofSeconds(5), Duration.ofSeconds(5));
        return new SensorPipelineJob.Settings(services.kafkaBootstrap(), services.mqttUri(), jdbcUrl, services.postgresUser(),
                GridwatchConfig.Edition.CLASSIC, job);
    }

    /** Places the job's readings group at the end of {@code gw.readings.v1}: the job reads what is produced from now on. */
    void startReadingsFromNow(String groupId) throws Exception {
        startFromNow(groupId, Topics.READINGS);
    }

    /** Places a consumer group at the end of {@code topic}: it reads what is produced from now on. */
    void startFromNow(String groupId, Topic topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        endOffsets(topic).forEach((tp, end) -> offsets.put(tp, new OffsetAndMetadata(end)));
        admin.alterConsumerGroupOffsets(groupId, offsets).all().get();
    }

    /**
     * Submits the pipeline at parallelism 2 and waits until all its tasks run. Checkpoints are aligned, so that once a checkpoint completed
     * every record read before it has been processed by every operator.
     */
    JobClient start(MiniCluster cluster, SensorPipelineJob.Settings s, Configuration extra, String name) throws Exception {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, false);
        conf.addAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        SensorPipelineJob.assemble(env, s);
        long t0 = System.nanoTime();
        JobClient job = env.executeAsync(name);
        // every task, not only the job: a checkpoint can be triggered only then
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            var graph = cluster.getExecutionGraph(job.getJobID()).get();
            if (graph.getState() != JobStatus.RUNNING) {
                return false;
            }
            for (var v : graph.getAllExecutionVertices()) {
                if (v.getExecutionState() != org.apache.flink.runtime.execution.ExecutionState.RUNNING) {
                    return false;
                }
            }
            return true;
        });
        LOG.info("job '{}' running after {} ms", name, (System.nanoTime() - t0) / 1_000_000);
        return job;
    }

    static void cancel(JobClient job) throws Exception {
        if (job == null) {
            return;
        }
        JobStatus status = job.getJobStatus().get();
        if (!status.isGloballyTerminalState()) {
            job.cancel().get();
        }
        await().atMost(WAIT).until(() -> job.getJobStatus().get().isGloballyTerminalState());
    }

    static long completedCheckpoints(MiniCluster cluster, JobID job) throws Exception {
        CheckpointStatsSnapshot stats = cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot();
        return stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
    }

    /**
     * Waits until the job has taken in {@code readings} distinct readings of {@code [from, to)} (its readings
     * sink, chained to the source, has stored them) and then for three more checkpoints. Checkpoints are aligned
     * and one at a time, so the second one after that moment carried its barrier behind those readings through
     * every operator, and the third one's completion has committed their outputs: what the job made of them
     * is on Kafka (read_committed), in PostgreSQL and acknowledged by MQTT.
     */
    void awaitSettled(MiniCluster cluster, JobID job, Database db, long from, long to, long readings) throws Exception {
        long t0 = System.nanoTime();
        ReadingStore store = new ReadingStore(db);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> store.readingsPerSensor(Instant.ofEpochMilli(from),
                Instant.ofEpochMilli(to)).values().stream().mapToLong(Long::longValue).sum() >= readings);
        long t1 = System.nanoTime();
        long seen = completedCheckpoints(cluster, job);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> completedCheckpoints(cluster, job) >= seen + 3);
        LOG.info("{} readings stored by the job after {} ms, settled {} ms later", readings, (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
    }

    // ---- Kafka ---------------------------------------------------------------------------------

    Map<TopicPartition, Long> endOffsets(Topic topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        IntStream.range(0, topic.partitions()).forEach(i -> request.put(new TopicPartition(topic.name(), i), OffsetSpec.latest()));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    void produce(List<Reading> readings) throws Exception {
        List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
        for (Reading r : readings) {
            sent.add(producer.send(new ProducerRecord<>(Topics.READINGS.name(), r.sensorId(), Json.mapper().writeValueAsBytes(r))));
        }
        for (var f : sent) {
            f.get();
        }
    }

    /** Writes a rule record (null deletes the rule); its offset on {@code gw.rules.v1}. */
    long pushRule(String ruleId, String json) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.RULES.name(), ruleId,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8))).get().offset();
    }

    /** Waits until the group committed an offset past {@code offset} of the one-partition rules topic. */
    void awaitRuleApplied(String rulesGroupId, long offset) {
        long t0 = System.nanoTime();
        TopicPartition tp = new TopicPartition(Topics.RULES.name(), 0);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(rulesGroupId).partitionsToOffsetAndMetadata().get().get(tp);
            return o != null && o.offset() > offset;
        });
        LOG.info("rule at offset {} applied after {} ms", offset, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Everything on {@code topic} now, from its start, as a read_committed consumer sees it; those {@code keep} accepts. */
    List<ConsumerRecord<String, byte[]>> readCommitted(Topic topic, Predicate<ConsumerRecord<String, byte[]>> keep) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = IntStream.range(0, topic.partitions()).mapToObj(i -> new TopicPartition(topic.name(), i)).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts); // the last stable offsets, under read_committed
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic.name() + " to its end in " + WAIT);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (keep.test(r)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /** The JSON values of {@link #readCommitted}, of records with a value. */
    List<JsonNode> committedJson(Topic topic, Predicate<JsonNode> keep) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readCommitted(topic, r -> r.value() != null)) {
            try {
                JsonNode n = Json.mapper().readTree(r.value());
                if (keep.test(n)) {
                    out.add(n);
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("not JSON on " + topic.name() + ": " + new String(r.value(), StandardCharsets.UTF_8), e);
            }
        }
        return out;
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Case messages on {@code gw.cases.v1} whose case one of {@code sensors} raised. */
    List<JsonNode> caseMessagesOf(java.util.Collection<String> sensors) {
        return committedJson(Topics.CASES, m -> {
            for (JsonNode s : m.path("case").path("sources")) {
                if (sensors.contains(s.path("id").asText())) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Alerts on {@code gw.alerts.v1} whose time lies within {@code [from, to)}. */
    List<JsonNode> alertsBetween(long from, long to) {
        return committedJson(Topics.ALERTS, a -> a.path("at").asLong() >= from && a.path("at").asLong() < to);
    }

    List<JsonNode> mqttAlertsBetween(long from, long to) {
        return mqttAlerts.stream().filter(a -> a.path("at").asLong() >= from && a.path("at").asLong() < to).toList();
    }
}
