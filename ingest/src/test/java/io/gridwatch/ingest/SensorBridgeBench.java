package io.gridwatch.ingest;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.store.Database;
import io.gridwatch.store.SensorStore;
import io.gridwatch.testkit.TestServices;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;

/**
 * Throughput of one bridge, end to end on this machine: a QoS 1 publisher → Mosquitto → bridge → Kafka (acks=all) →
 * PUBACK. Prints figures, asserts nothing about time (PRACTICES.md 15). Not part of the suite (no *Test name):
 * {@code mvn -o -pl ingest test -Dtest=SensorBridgeBench [-Dbench.messages=200000]}.
 */
class SensorBridgeBench {

    @Test
    void throughput() throws Exception {
        int messages = Integer.getInteger("bench.messages", 200_000);
        int sensorCount = 1_000;
        TestServices services = TestServices.shared();
        try (Database db = Database.open(services.newDatabase("bench"), services.postgresUser())) {
            db.migrate();
            GridIndex grids = new GridIndex(GridCache.dalian(Path.of(System.getProperty("gridwatch.repo.root", "..")).resolve("var/cache"),
                    GridwatchConfig.defaults().grids()));
            List<Sensor> sensors = new ArrayList<>();
            for (int i = 0; i < sensorCount; i++) {
                sensors.add(new Sensor("bench-" + i, SensorType.WATER_LEVEL, 121.60 + i * 1e-4, 38.91, null, 60, null));
            }
            SensorStore store = new SensorStore(db.dataSource());
            store.upsert(sensors, grids::lookup);
            SensorBridge.Settings s = new SensorBridge.Settings(services.mqttUri(), "bench-bridge", "bench", Duration.ofMinutes(5), 1_000,
                    services.kafkaBootstrap(), Duration.ofSeconds(10));
            try (SensorBridge bridge = new SensorBridge(s, new SensorRegistryCache(store::changesFrom), grids::lookup).start()) {
                while (!bridge.stats().connected()) {
                    Thread.sleep(20);
                }
                Thread.sleep(500);
                int publishers = Integer.getInteger("bench.publishers", 4);
                long ts = System.currentTimeMillis();
                long t0 = System.nanoTime();
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    int first = p;
                    Thread t = new Thread(() -> {
                        try {
                            publish(services.mqttUri(), "bench-publisher-" + first, first, publishers, messages, sensorCount, ts);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    t.start();
                    threads.add(t);
                }
                for (Thread t : threads) {
                    t.join();
                }
                long published = System.nanoTime();
                while (bridge.stats().accepted() < messages && System.nanoTime() - published < 120_000_000_000L) {
                    Thread.sleep(10);
                }
                long done = System.nanoTime();
                IngestStats st = bridge.stats();
                System.out.printf(Locale.ROOT, "%nBENCH sensor bridge: %,d QoS 1 messages (%d sensors, %d publishers), published in %.2f s (%,.0f msg/s);"
                                + " all in Kafka and acknowledged after %.2f s: %,.0f msg/s end to end; %s%n%n",
                        messages, sensorCount, publishers, (published - t0) / 1e9, messages / ((published - t0) / 1e9), (done - t0) / 1e9,
                        st.accepted() / ((done - t0) / 1e9), st.summary());
            }
        }
    }

    /** Publishes messages first, first + stride, … with the broker's window of 20 unacknowledged messages per connection. */
    private static void publish(String uri, String clientId, int first, int stride, int messages, int sensorCount, long ts) throws Exception {
        MqttAsyncClient pub = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        pub.connect(new MqttConnectionOptions()).waitForCompletion();
        Semaphore window = new Semaphore(20);
        MqttActionListener release = new MqttActionListener() {
            public void onSuccess(IMqttToken t) {
                window.release();
            }

            public void onFailure(IMqttToken t, Throwable e) {
                window.release();
            }
        };
        for (int i = first; i < messages; i += stride) {
            byte[] payload = ("{\"ts\":" + ts + ",\"values\":{\"water_level_cm\":" + (i % 300) + ",\"battery_pct\":80},\"seq\":" + i + "}")
                    .getBytes(StandardCharsets.UTF_8);
            MqttMessage m = new MqttMessage(payload);
            m.setQos(1);
            window.acquire();
            while (true) {
                try {
                    pub.publish("gw/v1/sensors/bench-" + (i % sensorCount) + "/telemetry", m, null, release);
                    break;
                } catch (MqttException e) {
                    if (e.getReasonCode() != 32202) {
                        throw e;
                    }
                    Thread.sleep(1);
                }
            }
        }
        window.acquire(20);
        pub.disconnect().waitForCompletion();
        pub.close();
    }
}
