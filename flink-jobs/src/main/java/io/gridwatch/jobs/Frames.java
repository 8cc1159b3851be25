package io.gridwatch.jobs;

import io.gridwatch.topics.Topics;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

/** The source of camera frames: {@code gw.frames.v1}, the JPEG as value and the metadata in headers. */
public final class Frames {

    /** Header names written by ingest's {@code FrameSink} (CONTRACTS.md §3). */
    static final String CAMERA = "camera";
    static final String CAPTURE_TIME = "capture_time";
    static final String WIDTH = "width";
    static final String HEIGHT = "height";
    static final String KEY_FRAME = "key_frame";
    static final String SEQUENCE = "sequence";

    private Frames() {
    }

    public static KafkaSource<Frame> source(String bootstrap, String groupId, OffsetsInitializer start) {
        return KafkaSource.<Frame>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(Topics.FRAMES.name())
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new Records())
                // frames are up to ~1 MB; the default fetch sizes are fine, but a slow model must not make the consumer
                // fall out of its group: the source's fetcher is apart from the operator, so nothing to set here
                .build();
    }

    /** A record as a {@link Frame}; a record with missing or malformed headers becomes a frame with its problem. */
    public static final class Records implements KafkaRecordDeserializationSchema<Frame> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Frame> out) {
            out.collect(frame(r));
        }

        static Frame frame(ConsumerRecord<byte[], byte[]> r) {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            String camera = text(r, CAMERA);
            if (camera == null) {
                camera = key;
            }
            if (camera == null) {
                return new Frame("?", r.timestamp(), 0, 0, false, -1, null,
                        "record at " + r.topic() + "/" + r.partition() + "@" + r.offset() + " has neither a key nor a camera header");
            }
            try {
                if (r.value() == null || r.value().length == 0) {
                    throw new IllegalArgumentException("no JPEG in the record value");
                }
                return new Frame(camera, number(r, CAPTURE_TIME), (int) number(r, WIDTH), (int) number(r, HEIGHT),
                        Boolean.parseBoolean(text(r, KEY_FRAME)), number(r, SEQUENCE), r.value(), null);
            } catch (IllegalArgumentException e) {
                return new Frame(camera, r.timestamp(), 0, 0, false, -1, null,
                        "record at " + r.topic() + "/" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
            }
        }

        private static String text(ConsumerRecord<byte[], byte[]> r, String name) {
            Header h = r.headers().lastHeader(name);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }

        private static long number(ConsumerRecord<byte[], byte[]> r, String name) {
            String v = text(r, name);
            if (v == null) {
                throw new IllegalArgumentException("header '" + name + "' is missing");
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("header '" + name + "' is not a number: '" + v + "'");
            }
        }

        @Override
        public TypeInformation<Frame> getProducedType() {
            return TypeInformation.of(Frame.class);
        }
    }
}
