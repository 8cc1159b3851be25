package io.gridwatch.jobs;

import io.gridwatch.json.Json;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.UUID;

/**
 * Publishes records as JSON on MQTT with QoS 1, at least once: a checkpoint completes only after
 * the broker acknowledged everything written before it. After a crash, records since the last
 * checkpoint are published again; their ids (e.g. {@code alert_id}) repeat, so receivers can tell.
 *
 * <p>While the broker cannot be reached (restarting, a cut connection) the writer keeps every record the broker has not
 * acknowledged, waits for the client's automatic reconnect and publishes them again — so an alert may arrive twice,
 * under the same id, but none is lost and the job does not fail. Anything else the broker refuses fails the task.
 */
public final class MqttSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MqttSink.class);
    private static final int MAX_IN_FLIGHT = 1_000;
    /** How long an acknowledgement may take before the message is sent again. */
    private static final long ACK_TIMEOUT_MS = 30_000;
    /** Paho's longest wait between reconnect attempts, in seconds (its default, 128 s, would hold alerts for minutes). */
    private static final int MAX_RECONNECT_DELAY_S = 5;
    private static final long MAX_RETRY_WAIT_MS = 5_000;

    /** Failures of the connection rather than of the message: the client reconnects on its own, and the message is sent again. */
    private static final Set<Integer> CONNECTION_FAILURES = Set.of((int) MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED,
            (int) MqttClientException.REASON_CODE_CONNECTION_LOST, (int) MqttClientException.REASON_CODE_CLIENT_TIMEOUT,
            (int) MqttClientException.REASON_CODE_CLIENT_DISCONNECTING, (int) MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR,
            (int) MqttClientException.REASON_CODE_MAX_INFLIGHT,
            (int) MqttClientException.REASON_CODE_WRITE_TIMEOUT);

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

    /** A message the broker has not acknowledged yet, and the token of its latest sending. */
    private record Pending(String topic, byte[] payload, IMqttToken token) {
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final String uri;
        private final MqttAsyncClient client;
        private final KafkaJson.KeyOf<T> topicOf;
        private final Deque<Pending> inFlight = new ArrayDeque<>();

        Writer(String uri, KafkaJson.KeyOf<T> topicOf, int subtask) throws IOException {
            this.uri = uri;
            this.topicOf = topicOf;
            try {
                client = new MqttAsyncClient(uri, "gridwatch-alerts-" + subtask + "-" + UUID.randomUUID().toString().substring(0, 8),
                        new MemoryPersistence());
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setAutomaticReconnect(true);
                options.setAutomaticReconnectDelay(1, MAX_RECONNECT_DELAY_S);
                options.setCleanStart(true);
                options.setReceiveMaximum(MAX_IN_FLIGHT);
                client.connect(options).waitForCompletion(30_000);
            } catch (MqttException e) {
                throw new IOException("cannot connect to the MQTT broker at " + uri + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void write(T element, Context context) throws IOException {
            byte[] payload = Json.mapper().writeValueAsBytes(element);
            inFlight.add(publish(topicOf.apply(element), payload));
            while (inFlight.size() >= MAX_IN_FLIGHT / 2) {
                settle(inFlight.poll());
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            while (!inFlight.isEmpty()) {
                settle(inFlight.poll());
            }
        }

        /** Waits for the broker's acknowledgement of {@code p}, sending it again for as long as the connection fails. */
        private void settle(Pending p) throws IOException {
            for (int attempt = 1; ; attempt++) {
                try {
                    p.token().waitForCompletion(ACK_TIMEOUT_MS);
                    return;
                } catch (MqttException e) {
                    if (!CONNECTION_FAILURES.contains(e.getReasonCode())) {
                        throw new IOException("the MQTT broker at " + uri + " refused a message on " + p.topic() + ": " + e.getMessage(), e);
                    }
                    LOG.warn("no acknowledgement from the MQTT broker at {} for a message on {}: {} — sending it again", uri, p.topic(),
                            e.getMessage());
                    p = publish(p.topic(), p.payload());
                }
            }
        }

        /** Sends a message; while the client is not connected, waits for its reconnect with a growing back-off. */
        private Pending publish(String topic, byte[] payload) throws IOException {
            long wait = 100;
            for (int attempt = 1; ; attempt++) {
                try {
                    MqttMessage m = new MqttMessage(payload);
                    m.setQos(1);
                    return new Pending(topic, payload, client.publish(topic, m));
                } catch (MqttException e) {
                    if (!CONNECTION_FAILURES.contains(e.getReasonCode())) {
                        throw new IOException("cannot publish to the MQTT broker at " + uri + " on " + topic + ": " + e.getMessage(), e);
                    }
                    LOG.warn("MQTT broker at {} unreachable: {} — holding {} unacknowledged messages, retrying in {} ms (attempt {})",
                            uri, e.getMessage(), inFlight.size() + 1, wait, attempt);
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for the MQTT broker at " + uri);
                    }
                    wait = Math.min(wait * 2, MAX_RETRY_WAIT_MS);
                }
            }
        }

        /** Nothing is published here: what is unacknowledged was never checkpointed and is replayed after a restore. */
        @Override
        public void close() throws Exception {
            try {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(5_000);
                }
            } finally {
                client.close(true);
            }
        }
    }
}
