package io.gridwatch.jobs;

import io.gridwatch.json.Json;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;

/**
 * Publishes records as JSON on MQTT with QoS 1, at least once: a checkpoint completes only after
 * the broker acknowledged everything written before it. After a crash, records since the last
 * checkpoint are published again; their ids (e.g. {@code alert_id}) repeat, so receivers can tell.
 */
public final class MqttSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final int MAX_IN_FLIGHT = 1_000;

    private final String brokerUri;
    private final KafkaJson.KeyOf<T> topicOf;

    /**
     * @param topicOf the MQTT topic of a record
     */
    public MqttSink(String brokerUri, KafkaJson.KeyOf<T> topicOf) {
        this.brokerUri = brokerUri;
        this.topicOf = topicOf;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new Writer<>(brokerUri, topicOf, context.getTaskInfo().getIndexOfThisSubtask());
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final MqttAsyncClient client;
        private final KafkaJson.KeyOf<T> topicOf;
        private final Deque<IMqttToken> inFlight = new ArrayDeque<>();

        Writer(String uri, KafkaJson.KeyOf<T> topicOf, int subtask) throws IOException {
            this.topicOf = topicOf;
            try {
                client = new MqttAsyncClient(uri, "gridwatch-alerts-" + subtask + "-" + UUID.randomUUID().toString().substring(0, 8),
                        new MemoryPersistence());
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setAutomaticReconnect(true);
                options.setCleanStart(true);
                options.setReceiveMaximum(MAX_IN_FLIGHT);
                client.connect(options).waitForCompletion(30_000);
            } catch (MqttException e) {
                throw new IOException("cannot connect to the MQTT broker at " + uri + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void write(T element, Context context) throws IOException {
            try {
                MqttMessage m = new MqttMessage(Json.mapper().writeValueAsBytes(element));
                m.setQos(1);
                inFlight.add(client.publish(topicOf.apply(element), m));
                while (inFlight.size() >= MAX_IN_FLIGHT / 2) {
                    inFlight.poll().waitForCompletion(30_000);
                }
            } catch (MqttException e) {
                throw new IOException("cannot publish to MQTT: " + e.getMessage(), e);
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            try {
                while (!inFlight.isEmpty()) {
                    inFlight.poll().waitForCompletion(30_000);
                }
            } catch (MqttException e) {
                throw new IOException("MQTT broker did not acknowledge: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws Exception {
            try {
                flush(true);
            } finally {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(5_000);
                }
                client.close();
            }
        }
    }
}
