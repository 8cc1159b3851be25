package io.gridwatch.jobs;

import io.gridwatch.json.Json;
import io.gridwatch.topics.Topic;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.Function;

/**
 * Kafka sources and sinks of JSON records, for every topic of the registry: the JSON is the
 * project's one configuration ({@link Json}), keys are UTF-8 strings.
 */
public final class KafkaJson {

    private KafkaJson() {
    }

    /** A key or other field taken from a record, that Flink can ship to its workers. */
    @FunctionalInterface
    public interface KeyOf<T> extends Function<T, String>, Serializable {
    }

    /**
     * A source of {@code type} records. A record that is not valid JSON of that type is logged and
     * skipped: ingest validates what it writes, so this only guards the job against a stray writer.
     */
    public static <T> KafkaSource<T> source(String bootstrap, Topic topic, Class<T> type, String groupId,
                                            OffsetsInitializer start) {
        return KafkaSource.<T>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic.name())
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new JsonRecords<>(type, topic.name()))
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * A sink to {@code topic}, keyed by {@code key}. With exactly-once, records become visible to
     * read-committed consumers when a checkpoint completes.
     */
    public static <T> KafkaSink<T> sink(String bootstrap, Topic topic, KeyOf<T> key, DeliveryGuarantee guarantee,
                                        String transactionalIdPrefix) {
        Properties props = new Properties();
        // a transaction must outlive the checkpoint interval, but not the broker's maximum (15 min)
        props.setProperty("transaction.timeout.ms", "600000");
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(guarantee)
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic.name())
                        .setKeySerializationSchema((SerializationSchema<T>) r -> key.apply(r).getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new JsonValue<T>())
                        .build());
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix);
        }
        return builder.build();
    }

    static final class JsonValue<T> implements SerializationSchema<T> {
        @Override
        public byte[] serialize(T element) {
            try {
                return Json.mapper().writeValueAsBytes(element);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + element.getClass().getSimpleName() + " as JSON", e);
            }
        }
    }

    static final class JsonRecords<T> implements KafkaRecordDeserializationSchema<T> {
        private static final Logger LOG = LoggerFactory.getLogger(JsonRecords.class);
        private final Class<T> type;
        private final String topic;

        JsonRecords(Class<T> type, String topic) {
            this.type = type;
            this.topic = topic;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
            if (record.value() == null) {
                return;
            }
            try {
                out.collect(Json.mapper().readValue(record.value(), type));
            } catch (IOException e) {
                LOG.warn("skipping a record of {} at partition {} offset {} that is not a valid {}: {}", topic,
                        record.partition(), record.offset(), type.getSimpleName(), e.getMessage());
            }
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return TypeInformation.of(type);
        }
    }
}
