package io.gridwatch.ingest.video;

import io.gridwatch.testkit.TestServices;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Frames of a real clip through CameraStream into a real Kafka (testkit), read back with their headers. */
class FrameSinkTest {

    @TempDir
    Path dir;

    @Test
    void sampledFramesArriveOnTheFramesTopicWithTheirMetadataInHeaders() throws Exception {
        TestServices services = TestServices.shared();
        Path clip = TestClips.clip(dir, "moving.mp4", 10, TestClips.MOVING_TOP);
        String camera = "cam-sink-" + UUID.randomUUID().toString().substring(0, 8);
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        try (FrameSink sink = new FrameSink(services.kafkaBootstrap(), "test");
             KafkaConsumer<String, byte[]> consumer = consumer(services.kafkaBootstrap())) {
            consumer.subscribe(List.of(Topics.FRAMES.name()));
            List<SampledFrame> local = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (CameraStream cam = new CameraStream(camera, clip.toString(), List.of(), StreamSettings.DEFAULTS.withPaceFiles(false),
                    f -> {
                        if (local.size() < 3) { // three frames are enough; the unpaced file would flood the topic
                            local.add(f);
                            sink.accept(f);
                        }
                    }).start()) {
                long end = System.currentTimeMillis() + 60_000;
                while (got.size() < 3 && System.currentTimeMillis() < end) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                        if (camera.equals(r.key())) {
                            got.add(r);
                        }
                    });
                }
            }
            assertThat(sink.sent()).isEqualTo(3);
            assertThat(sink.failed()).isZero();
            assertThat(got).hasSize(3);
            for (int i = 0; i < 3; i++) {
                ConsumerRecord<String, byte[]> r = got.get(i);
                SampledFrame f = local.get(i);
                assertThat(header(r, FrameSink.SCHEMA)).isEqualTo("1");
                assertThat(header(r, FrameSink.CAMERA)).isEqualTo(camera);
                assertThat(header(r, FrameSink.SEQUENCE)).isEqualTo(Long.toString(i));
                assertThat(header(r, FrameSink.CAPTURE_TIME)).isEqualTo(Long.toString(f.captureTime()));
                assertThat(header(r, FrameSink.WIDTH)).isEqualTo("640");
                assertThat(header(r, FrameSink.HEIGHT)).isEqualTo("360");
                assertThat(header(r, FrameSink.KEY_FRAME)).isEqualTo("true");
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.value()));
                assertThat(img.getWidth()).isEqualTo(640);
                assertThat(img.getHeight()).isEqualTo(360);
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return r.headers().lastHeader(name) == null ? null : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
