package io.gridwatch.cli;

import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Counts of {@code gw.deadletter.v1} by reason, for the records appended since a moment whose MQTT source topic passes a
 * filter: what one run (the demo's city day, a benchmark) had dead-lettered, whatever else the topic holds.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * @param since  epoch ms: only records Kafka appended (or stamped) since then
     * @param source which MQTT topics count (the {@link Topics#HEADER_SOURCE} header)
     * @return reason code → records, sorted by reason
     */
    static Map<String, Long> countByReason(String bootstrap, long since, Predicate<String> source) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TopicRecords.TIMEOUT.toMillis()));
        Map<String, Long> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.DEADLETTER.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, since));
            Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(parts));
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = start.get(tp);
                consumer.seek(tp, o == null ? end.get(tp) : o.offset());
            }
            end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            while (!end.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Long stop = end.get(new TopicPartition(r.topic(), r.partition()));
                    if (stop != null && r.offset() < stop && source.test(header(r, Topics.HEADER_SOURCE))) {
                        out.merge(header(r, Topics.HEADER_REASON), 1L, Long::sum);
                    }
                }
                end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
