package io.gridwatch.ingest.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.camera.CameraZone;
import io.gridwatch.json.Json;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The camera registry as the ingest workers read it: the compacted topic {@link Topics#CAMERAS}, key the camera id,
 * value its definition in the JSON shape of CONTRACTS §2 with a {@code schema} field, null when it was removed. PostgreSQL's
 * {@code camera} table stays the record of truth; {@code cameras import} and {@code cameras remove} write both.
 */
public final class CameraAssignments {

    /** The value's schema version. */
    public static final int SCHEMA_VERSION = 1;

    private CameraAssignments() {
    }

    /** What a worker needs of a camera: its stream and its zones (calibration and location are the video job's). */
    public record Definition(String cameraId, String url, List<double[][]> zones) {
        public Definition {
            Objects.requireNonNull(cameraId, "cameraId");
            Objects.requireNonNull(url, "url");
            zones = List.copyOf(zones);
        }

        static Definition of(Camera c) {
            List<double[][]> zones = new ArrayList<>();
            for (CameraZone z : c.zones()) {
                zones.add(z.polygon().stream().map(p -> new double[]{p.x(), p.y()}).toArray(double[][]::new));
            }
            return new Definition(c.id(), c.url(), zones);
        }

        /** Whether a camera running {@code this} must be restarted to run {@code other}. */
        public boolean sameStream(Definition other) {
            if (!url.equals(other.url) || zones.size() != other.zones.size()) {
                return false;
            }
            for (int i = 0; i < zones.size(); i++) {
                if (!Arrays.deepEquals(zones.get(i), other.zones.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The record value for a camera. */
    public static byte[] encode(Camera camera) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("schema", SCHEMA_VERSION);
        o.setAll(CameraFile.toJson(camera));
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A record value back as a definition.
     *
     * @throws IllegalArgumentException saying what is wrong (the caller names the camera)
     */
    public static Definition decode(byte[] value) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode schema = o.remove("schema");
        if (schema == null || schema.asInt() != SCHEMA_VERSION) {
            throw new IllegalArgumentException("schema " + schema + " is not " + SCHEMA_VERSION);
        }
        return Definition.of(CameraFile.fromJson(o));
    }

    /**
     * Writes definitions of {@code cameras} and removals of {@code removedIds}, and waits until Kafka has them all.
     *
     * @throws IllegalStateException naming the topic and the broker when Kafka does not take them
     */
    public static void publish(String kafkaBootstrap, List<Camera> cameras, List<String> removedIds) {
        publish(kafkaBootstrap, Topics.CAMERAS.name(), cameras, removedIds);
    }

    /** As {@link #publish(String, List, List)}, to another topic (tests). */
    public static void publish(String kafkaBootstrap, String topic, List<Camera> cameras, List<String> removedIds) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "gridwatch-camera-registry");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true); // per camera, the newest definition is the one that stays
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        try (Producer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (Camera c : cameras) {
                sent.add(producer.send(new ProducerRecord<>(topic, c.id(), encode(c))));
            }
            for (String id : removedIds) {
                sent.add(producer.send(new ProducerRecord<>(topic, id, null)));
            }
            producer.flush();
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("could not write the cameras to Kafka topic " + topic + " at " + kafkaBootstrap
                    + ": " + cause.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing cameras to " + topic, e);
        }
    }
}
