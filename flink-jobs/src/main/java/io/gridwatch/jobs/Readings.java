package io.gridwatch.jobs;

import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.ReadingJson;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.topics.Topics;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code gw.readings.v1} in the jobs: the Kafka source, and the Flink type of {@link Reading}. Readings are the
 * high-volume record (every sensor message makes one), so they are read with {@link ReadingJson} and cross the
 * network between operators with {@link ReadingSerializer}, not as a POJO whose values map goes through Kryo
 * (which cost the rules operator about a fifth of its time; bench/README.md).
 */
public final class Readings {

    /** The type to give a stream of readings. */
    public static final TypeInformation<Reading> TYPE = new ReadingTypeInfo();

    private Readings() {
    }

    /**
     * The readings source. Fetches wait for 64 KiB or 50 ms: at thousands of readings per second, fetching whatever
     * single record is there kept the broker busy answering hundreds of tiny fetches per second.
     */
    public static KafkaSource<Reading> source(String bootstrap, String groupId, OffsetsInitializer start) {
        return KafkaSource.<Reading>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(Topics.READINGS.name())
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new Records())
                .setProperty("partition.discovery.interval.ms", "60000")
                .setProperty("fetch.min.bytes", Integer.toString(64 * 1024))
                .setProperty("fetch.max.wait.ms", "50")
                .build();
    }

    /** Kafka records → readings. One that is not a valid reading is logged and skipped: ingest validates what it writes. */
    public static final class Records implements KafkaRecordDeserializationSchema<Reading> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(Records.class);

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Reading> out) {
            if (record.value() == null) {
                return;
            }
            try {
                out.collect(ReadingJson.read(record.value()));
            } catch (IOException e) {
                LOG.warn("skipping a record of {} at partition {} offset {} that is not a valid reading: {}", record.topic(),
                        record.partition(), record.offset(), e.getMessage());
            }
        }

        @Override
        public TypeInformation<Reading> getProducedType() {
            return TYPE;
        }
    }

    /** {@link Reading} as a Flink type, serialized by {@link ReadingSerializer}. */
    static final class ReadingTypeInfo extends TypeInformation<Reading> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<Reading> getTypeClass() {
            return Reading.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<Reading> createSerializer(SerializerConfig config) {
            return ReadingSerializer.INSTANCE;
        }

        @Override
        public String toString() {
            return "Reading";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ReadingTypeInfo;
        }

        @Override
        public int hashCode() {
            return ReadingTypeInfo.class.hashCode();
        }

        @Override
        public boolean canEqual(Object o) {
            return o instanceof ReadingTypeInfo;
        }
    }

    /**
     * A reading in a compact binary form. {@link Reading} is immutable (its values map is never changed once made), so
     * copies are the instance itself.
     */
    public static final class ReadingSerializer extends TypeSerializerSingleton<Reading> {
        private static final long serialVersionUID = 1L;
        public static final ReadingSerializer INSTANCE = new ReadingSerializer();
        private static final SensorType[] TYPES = SensorType.values();

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public Reading createInstance() {
            return null;
        }

        @Override
        public Reading copy(Reading from) {
            return from;
        }

        @Override
        public Reading copy(Reading from, Reading reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(Reading r, DataOutputView out) throws IOException {
            out.writeByte(r.schema());
            StringValue.writeString(r.sensorId(), out);
            out.writeByte(r.type().ordinal());
            out.writeBoolean(Reading.TELEMETRY.equals(r.kind()));
            out.writeLong(r.ts());
            StringValue.writeString(r.tsIso(), out);
            out.writeLong(r.receivedAt());
            out.writeBoolean(r.seq() != null);
            if (r.seq() != null) {
                out.writeLong(r.seq());
            }
            out.writeInt(r.values().size());
            for (Map.Entry<String, Double> e : r.values().entrySet()) {
                StringValue.writeString(e.getKey(), out);
                out.writeBoolean(e.getValue() != null);
                if (e.getValue() != null) {
                    out.writeDouble(e.getValue());
                }
            }
            out.writeByte(r.online() == null ? -1 : r.online() ? 1 : 0);
            out.writeDouble(r.lon());
            out.writeDouble(r.lat());
            StringValue.writeString(r.gridCode(), out);
            StringValue.writeString(r.districtCode(), out);
            StringValue.writeString(r.componentCode(), out);
            out.writeInt(r.intervalS());
        }

        @Override
        public Reading deserialize(DataInputView in) throws IOException {
            int schema = in.readUnsignedByte();
            String sensorId = StringValue.readString(in);
            SensorType type = TYPES[in.readUnsignedByte()];
            String kind = in.readBoolean() ? Reading.TELEMETRY : Reading.STATUS;
            long ts = in.readLong();
            String tsIso = StringValue.readString(in);
            long receivedAt = in.readLong();
            Long seq = in.readBoolean() ? in.readLong() : null;
            int n = in.readInt();
            LinkedHashMap<String, Double> values = new LinkedHashMap<>(Math.max(4, n * 2));
            for (int i = 0; i < n; i++) {
                String metric = StringValue.readString(in);
                values.put(metric, in.readBoolean() ? in.readDouble() : null);
            }
            byte online = in.readByte();
            return new Reading(schema, sensorId, type, kind, ts, tsIso, receivedAt, seq, values,
                    online < 0 ? null : online == 1, in.readDouble(), in.readDouble(), StringValue.readString(in),
                    StringValue.readString(in), StringValue.readString(in), in.readInt());
        }

        @Override
        public Reading deserialize(Reading reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<Reading> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the serializer from a snapshot; there is one format so far. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Reading> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
