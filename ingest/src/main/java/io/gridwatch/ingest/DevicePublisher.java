package io.gridwatch.ingest;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * Publishes as devices do (CONTRACTS.md §1): QoS 1, with at most {@code window} messages not yet acknowledged by the
 * broker, so that whoever drives it (the demo's city day, the fault benchmark) knows a message counted as published
 * is in the broker. Waits where Paho's own in-flight limit is reached instead of failing.
 */
public final class DevicePublisher {

    private final MqttAsyncClient client;
    private final int window;
    private final long timeoutMs;
    private final Deque<IMqttToken> inFlight = new ArrayDeque<>();

    /**
     * @param client    a connected client
     * @param window    how many messages may await the broker's acknowledgement
     * @param timeoutMs how long to wait for one acknowledgement
     */
    public DevicePublisher(MqttAsyncClient client, int window, long timeoutMs) {
        this.client = Objects.requireNonNull(client, "client");
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        this.window = window;
        this.timeoutMs = timeoutMs;
    }

    /** Publishes one message at QoS 1; returns once no more than the window await acknowledgement. */
    public void publish(String topic, byte[] payload) throws MqttException, InterruptedException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        while (true) {
            try {
                inFlight.add(client.publish(topic, m));
                break;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                    throw e;
                }
                if (inFlight.isEmpty()) {
                    Thread.sleep(1);
                } else {
                    inFlight.poll().waitForCompletion(timeoutMs);
                }
            }
        }
        while (inFlight.size() >= window) {
            inFlight.poll().waitForCompletion(timeoutMs); // PUBACKed by the broker: published
        }
    }

    /** Waits until the broker acknowledged everything published. */
    public void drain() throws MqttException {
        while (!inFlight.isEmpty()) {
            inFlight.poll().waitForCompletion(timeoutMs);
        }
    }
}
