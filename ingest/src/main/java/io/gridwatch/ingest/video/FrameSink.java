package io.gridwatch.ingest.video;

import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Writes sampled frames to {@code gw.frames.v1} (CONTRACTS §3): key the camera id, value the JPEG,
 * the metadata in record headers as UTF-8 text. Frames are samples, not records of truth: a frame
 * that cannot be sent is counted and logged, never retried for long, so a slow broker cannot hold
 * up the cameras. Thread-safe: one sink serves all cameras of a worker.
 */
public final class FrameSink implements Consumer<SampledFrame>, AutoCloseable {

    /** Header names on {@code gw.frames.v1}. */
    public static final String SCHEMA = "schema";
    public static final String CAMERA = "camera";
    public static final String CAPTURE_TIME = "capture_time";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String KEY_FRAME = "key_frame";
    public static final String SEQUENCE = "sequence";
    /** The headers' schema version. */
    public static final int SCHEMA_VERSION = 1;
    /** Larger JPEGs are not sent: they would exceed Kafka's default 1 MB message limit. */
    public static final int MAX_JPEG_BYTES = 900 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(FrameSink.class);

    private final Producer<String, byte[]> producer;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public FrameSink(String kafkaBootstrap, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "gridwatch-frames-" + clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "1"); // a lost sample is replaced by the next one two seconds later
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"); // JPEG does not compress further
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** The record for a frame: what {@code gw.frames.v1} carries. */
    public static ProducerRecord<String, byte[]> record(SampledFrame f) {
        RecordHeaders h = new RecordHeaders();
        h.add(SCHEMA, text(SCHEMA_VERSION));
        h.add(CAMERA, f.cameraId().getBytes(StandardCharsets.UTF_8));
        h.add(CAPTURE_TIME, text(f.captureTime()));
        h.add(WIDTH, text(f.width()));
        h.add(HEIGHT, text(f.height()));
        h.add(KEY_FRAME, Boolean.toString(f.keyFrame()).getBytes(StandardCharsets.UTF_8));
        h.add(SEQUENCE, text(f.sequence()));
        return new ProducerRecord<>(Topics.FRAMES.name(), null, f.captureTime(), f.cameraId(), f.jpeg(), h);
    }

    private static byte[] text(long v) {
        return Long.toString(v).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void accept(SampledFrame f) {
        if (f.jpeg().length > MAX_JPEG_BYTES) {
            failed.incrementAndGet();
            LOG.warn("camera {}: frame {} is {} bytes, more than {}: not sent", f.cameraId(), f.sequence(), f.jpeg().length, MAX_JPEG_BYTES);
            return;
        }
        try {
            producer.send(record(f), (meta, e) -> {
                if (e == null) {
                    sent.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    LOG.warn("camera {}: frame {} not sent to {}: {}", f.cameraId(), f.sequence(), Topics.FRAMES.name(), e.getMessage());
                }
            });
        } catch (RuntimeException e) { // buffer full or broker unknown for longer than max.block.ms
            failed.incrementAndGet();
            LOG.warn("camera {}: frame {} not sent to {}: {}", f.cameraId(), f.sequence(), Topics.FRAMES.name(), e.getMessage());
        }
    }

    /** Frames the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Frames dropped: too large, or not acknowledged in time. */
    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
