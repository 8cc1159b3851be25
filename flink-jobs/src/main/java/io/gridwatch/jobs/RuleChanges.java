package io.gridwatch.jobs;

import io.gridwatch.topics.Topics;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/** The source of rule changes: all of {@code gw.rules.v1} from its beginning, then every change as it comes. */
public final class RuleChanges {

    private RuleChanges() {
    }

    /**
     * Rules carry no event time, and must not hold it back: the rules operator's event time is the smaller of its two
     * inputs' watermarks, so a rules source without watermarks would keep it at its minimum, and no timer would ever
     * fire (no sensor would go offline, no ended case would be forgotten). This one says "all times have passed".
     */
    public static final WatermarkStrategy<RuleChange> WATERMARKS = WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<>() {
        @Override
        public void onEvent(RuleChange event, long eventTimestamp, WatermarkOutput output) {
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }
    });

    public static KafkaSource<RuleChange> source(String bootstrap, String groupId) {
        return KafkaSource.<RuleChange>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(Topics.RULES.name())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new Records())
                .build();
    }

    /** A record of gw.rules.v1 as a {@link RuleChange}: key = rule id, value = the rule's JSON or null (delete). */
    public static final class Records implements KafkaRecordDeserializationSchema<RuleChange> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RuleChange> out) {
            if (r.key() != null) {
                out.collect(new RuleChange(new String(r.key(), StandardCharsets.UTF_8),
                        r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)));
            }
        }

        @Override
        public TypeInformation<RuleChange> getProducedType() {
            return TypeInformation.of(RuleChange.class);
        }
    }
}
