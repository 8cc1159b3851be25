package io.gridwatch.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe against real Mosquittos: one configured as Mosquitto ships (max_queued_messages 1000), and one as ours (0). */
class MqttQueueProbeTest {

    @TempDir
    Path dir;

    private MosquittoProcess mosquitto(String name, int maxQueued) {
        MosquittoProcess m = new MosquittoProcess("127.0.0.1", PortOwner.freePort(), ServiceFiles.under(dir, name), false, maxQueued);
        m.start(Duration.ofSeconds(15));
        return m;
    }

    @Test
    void aBrokerWithMosquittosDefaultLimitIsCaughtDroppingAndTheMessageSaysWhatToDo() {
        MosquittoProcess m = mosquitto("default-limit", MosquittoConfig.MOSQUITTO_DEFAULT_MAX_QUEUED);
        try {
            MqttQueueProbe.Result r = MqttQueueProbe.probe(m.uri(), MqttQueueProbe.DEFAULT_MESSAGES);
            assertThat(r.keepsAll()).isFalse();
            // Mosquitto counts its limit over queued and in-flight messages alike
            assertThat(r.kept()).isBetween(MosquittoConfig.MOSQUITTO_DEFAULT_MAX_QUEUED - 20, MosquittoConfig.MOSQUITTO_DEFAULT_MAX_QUEUED + 100);
            assertThat(r.describe()).startsWith("WARNING: the MQTT broker at " + m.uri() + " keeps only ")
                    .contains("max_queued_messages 0").contains("let gridwatch run its own");
        } finally {
            m.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void ourOwnBrokerKeepsEveryQueuedMessage() {
        MosquittoProcess m = mosquitto("ours", 0);
        try {
            MqttQueueProbe.Result r = MqttQueueProbe.probe(m.uri(), MqttQueueProbe.DEFAULT_MESSAGES);
            assertThat(r.kept()).isEqualTo(MqttQueueProbe.DEFAULT_MESSAGES);
            assertThat(r.describe()).startsWith("keeps a disconnected session's queued QoS 1 messages (2,000 of 2,000 kept)");
        } finally {
            m.stop(Duration.ofSeconds(10));
        }
    }
}
