package io.gridwatch.ingest;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

/** Reads one topic from its start with a consumer group of its own, keeping the records a test cares about. */
final class KafkaTail implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Predicate<ConsumerRecord<String, byte[]>> keep;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    KafkaTail(String bootstrap, String topic, Predicate<ConsumerRecord<String, byte[]>> keep) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.keep = keep;
        consumer.subscribe(List.of(topic));
    }

    /** Polls until {@code count} records are kept or {@code timeout} passes; returns all kept so far. */
    List<ConsumerRecord<String, byte[]>> await(int count, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (records.size() < count && System.nanoTime() < end) {
            poll();
        }
        return List.copyOf(records);
    }

    /** Polls for {@code quiet} more, to see that nothing else arrives. */
    List<ConsumerRecord<String, byte[]>> settle(Duration quiet) {
        long end = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < end) {
            poll();
        }
        return List.copyOf(records);
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (keep.test(r)) {
                records.add(r);
            }
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
