package io.gridwatch.jobs;

import io.gridwatch.sensor.Reading;
import io.gridwatch.topics.Topics;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pieces the benchmark harnesses put around the production pipeline ({@link SensorPipeline#build}): bounded
 * Kafka sources that end at the topics' current end (so that a job over a pre-filled topic finishes), with
 * the production deserializer ({@link Readings.Records}) wrapped in a counter, and sinks that only count.
 * Lives in the bench module (same package, to reach the package-private deserializer) so that flink-jobs is untouched.
 * The counters are static: the harness and the MiniCluster share one JVM.
 */
public final class BenchJobs {

    /** Readings deserialized by the readings source (all subtasks). */
    public static final LongAdder READINGS_IN = new LongAdder();
    public static final LongAdder DETECTIONS = new LongAdder();
    public static final LongAdder CASES = new LongAdder();
    public static final LongAdder ALERTS = new LongAdder();

    private BenchJobs() {
    }

    /** gw.readings.v1 from its beginning to its end as of the job's start, with the production deserializer. */
    public static KafkaSource<Reading> boundedReadings(String bootstrap, String groupId) {
        return KafkaSource.<Reading>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(Topics.READINGS.name())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new Counting<>(new Readings.Records()))
                .build();
    }

    /** gw.rules.v1 as it is now (the same records {@link RuleChanges#source} turns into rule changes), then the end. */
    public static KafkaSource<RuleChange> boundedRules(String bootstrap, String groupId) {
        return KafkaSource.<RuleChange>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(Topics.RULES.name())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new RuleChanges.Records())
                .build();
    }

    /** A sink that counts what reaches it into one of the static counters. */
    public static <T> Sink<T> counting(String which) {
        return new CountingSink<>(which);
    }

    /**
     * Case numbers counted in memory per subtask, for benchmarks only: they restart with each job, which the
     * production job must never do ({@link PostgresCaseNumbers}).
     */
    public static CaseNumberSource inMemoryCaseNumbers() {
        return () -> {
            java.util.Map<String, Integer> counters = new java.util.HashMap<>();
            return (district, day, opening) -> counters.merge(district + "/" + day, 1, Integer::sum);
        };
    }

    static LongAdder counter(String which) {
        return switch (which) {
            case "detections" -> DETECTIONS;
            case "cases" -> CASES;
            case "alerts" -> ALERTS;
            default -> throw new IllegalArgumentException(which);
        };
    }

    static final class Counting<T> implements KafkaRecordDeserializationSchema<T> {
        private final KafkaRecordDeserializationSchema<T> inner;

        Counting(KafkaRecordDeserializationSchema<T> inner) {
            this.inner = inner;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) throws IOException {
            READINGS_IN.increment();
            inner.deserialize(record, out);
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return inner.getProducedType();
        }
    }

    static final class CountingSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final String which;

        CountingSink(String which) {
            this.which = which;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            LongAdder c = counter(which);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    c.increment();
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
