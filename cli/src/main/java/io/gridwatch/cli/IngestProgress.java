package io.gridwatch.cli;

import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * How many MQTT messages ingest has handled since this was created, whoever runs it: every message becomes one record
 * on {@code gw.readings.v1} or {@code gw.deadletter.v1}, so the growth of their end offsets counts them (another
 * producer on those topics makes it count more, never less). Lets a publisher keep within a broker's queue limit.
 */
final class IngestProgress implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final long baseline;

    IngestProgress(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TopicRecords.TIMEOUT.toMillis()));
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (String topic : List.of(Topics.READINGS.name(), Topics.DEADLETTER.name())) {
            consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        }
        baseline = ends();
    }

    private long ends() {
        return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Messages handled since this was created. */
    long handled() {
        return ends() - baseline;
    }

    /** Waits until ingest is at most {@code ahead} messages behind {@code published} (at most a minute: it may have died). */
    void awaitWithin(long published, long ahead) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (published - handled() > ahead && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
