package io.gridwatch.stack;

import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether an MQTT broker keeps the QoS 1 messages of a disconnected persistent session, found out over MQTT (a
 * broker's configuration file may not be ours to read, nor the one it runs with): a probe client subscribes at QoS 1
 * with a persistent session and disconnects, another client publishes {@code n} messages to the probe's private topic,
 * and the probe comes back and counts what the broker kept for it. Mosquitto's default {@code max_queued_messages 1000}
 * keeps about 1,000 and drops the rest — what an ingest bridge that was down for a few seconds loses.
 */
public final class MqttQueueProbe {

    /** Enough to exceed Mosquitto's default limit twice over, yet done in well under a second on loopback. */
    public static final int DEFAULT_MESSAGES = 2_000;
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final int TIMEOUT_S = 5;

    /**
     * What the probe found.
     *
     * @param uri       the broker
     * @param published messages published while the probe was away
     * @param kept      of those, how many the broker delivered when it came back
     */
    public record Result(String uri, int published, int kept) {

        public boolean keepsAll() {
            return kept >= published;
        }

        /** One line for people; for a broker that drops, a loud one that says what to do. */
        public String describe() {
            if (keepsAll()) {
                return "keeps a disconnected session's queued QoS 1 messages (" + String.format("%,d", kept) + " of "
                        + String.format("%,d", published) + " kept)";
            }
            return "WARNING: the MQTT broker at " + uri + " keeps only " + String.format("%,d", kept)
                    + " queued messages for a disconnected session (" + String.format("%,d", published) + " were sent): an ingest outage "
                    + "longer than ~" + String.format("%,d", kept) + "/rate seconds (" + Math.max(1, kept / 200)
                    + " s at 200 readings/s) loses readings, and so does an ingest that falls that far behind while connected; "
                    + "set max_queued_messages 0 in its configuration (mosquitto.conf) "
                    + "and restart it, or stop it and let gridwatch run its own";
        }
    }

    private MqttQueueProbe() {
    }

    /**
     * Probes the broker at {@code uri} with {@code messages} small QoS 1 messages.
     *
     * @throws StackException when the broker cannot be reached or refuses the probe
     */
    public static Result probe(String uri, int messages) {
        String id = "gridwatch-queue-probe-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
        String topic = "gridwatch/probe/" + id;
        Set<Integer> received = ConcurrentHashMap.newKeySet();
        try {
            MqttClient probe = client(uri, id);
            try {
                probe.connect(options(false, 120));
                subscribe(probe, topic, received);
                probe.disconnect(); // the session, with its subscription, stays at the broker for its expiry
            } finally {
                release(probe);
            }
            MqttClient publisher = client(uri, id + "-pub");
            try {
                publisher.connect(options(true, 0));
                for (int i = 0; i < messages; i++) {
                    publish(publisher, topic, i);
                }
                publisher.disconnect();
            } finally {
                release(publisher);
            }
            MqttClient back = client(uri, id);
            try {
                // the listener of the subscription: the session delivers to the client's default callback
                back.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                    @Override
                    public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {
                    }

                    @Override
                    public void mqttErrorOccurred(MqttException e) {
                    }

                    @Override
                    public void messageArrived(String t, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                        received.add(Integer.parseInt(new String(m.getPayload(), java.nio.charset.StandardCharsets.US_ASCII)));
                    }

                    @Override
                    public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
                    }

                    @Override
                    public void connectComplete(boolean reconnect, String serverURI) {
                    }

                    @Override
                    public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
                    }
                });
                back.connect(options(false, 0)); // resume the session, and let it end with this connection
                int seen = -1;
                while (seen != received.size() && received.size() < messages) {
                    seen = received.size();
                    BackgroundProcess.sleep(QUIET);
                }
                back.disconnect();
            } finally {
                release(back);
            }
        } catch (MqttException e) {
            throw new StackException("cannot probe the MQTT broker at " + uri + " for its queue limit: " + e.getMessage(), e);
        }
        return new Result(uri, messages, received.size());
    }

    /** Closes a client whatever state it is in: a probe must not leave a connection behind, nor fail on the way out. */
    private static void release(MqttClient c) {
        try {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1_000, false);
            }
        } catch (MqttException e) {
            // closing anyway
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            // nothing left to release
        }
    }

    private static void publish(MqttClient c, String topic, int i) throws MqttException {
        byte[] payload = Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int attempt = 0; ; attempt++) {
            try {
                c.publish(topic, payload, 1, false);
                return;
            } catch (MqttException e) {
                // the broker's receive maximum: a slot frees a moment after the previous acknowledgement
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt > 1_000) {
                    throw e;
                }
                Thread.onSpinWait();
                BackgroundProcess.sleep(java.time.Duration.ofMillis(1));
            }
        }
    }

    private static MqttClient client(String uri, String id) throws MqttException {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        c.setTimeToWait(TIMEOUT_S * 1000L);
        return c;
    }

    private static MqttConnectionOptions options(boolean cleanStart, long sessionExpiryS) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(cleanStart);
        o.setSessionExpiryInterval(sessionExpiryS);
        o.setConnectionTimeout(TIMEOUT_S);
        o.setAutomaticReconnect(false);
        return o;
    }

    private static void subscribe(MqttClient c, String topic, Set<Integer> received) throws MqttException {
        // (Paho 1.2.5's subscribe(topic, qos, listener) recurses forever; the array form works)
        c.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)}, new IMqttMessageListener[] {
                (t, m) -> received.add(Integer.parseInt(new String(m.getPayload(), java.nio.charset.StandardCharsets.US_ASCII)))});
    }
}
