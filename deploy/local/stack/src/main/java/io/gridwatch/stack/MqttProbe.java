package io.gridwatch.stack;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Whether an MQTT broker answers: an MQTT 5 connect and disconnect, tried again once (a busy machine can miss one). */
public final class MqttProbe {

    private static final int TIMEOUT_S = 3;
    private static final int ATTEMPTS = 2;

    private MqttProbe() {
    }

    public static boolean answers(String uri) {
        for (int i = 0; i < ATTEMPTS; i++) {
            if (connects(uri)) {
                return true;
            }
        }
        return false;
    }

    private static boolean connects(String uri) {
        MqttClient client = null;
        try {
            client = new MqttClient(uri, "gridwatch-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                    new MemoryPersistence());
            client.setTimeToWait(TIMEOUT_S * 1000L);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setConnectionTimeout(TIMEOUT_S);
            options.setCleanStart(true);
            options.setAutomaticReconnect(false);
            client.connect(options);
            client.disconnect();
            return true;
        } catch (MqttException | RuntimeException e) {
            return false;
        } finally {
            if (client != null) {
                try {
                    client.close(true);
                } catch (MqttException e) {
                    // nothing left to release
                }
            }
        }
    }
}
