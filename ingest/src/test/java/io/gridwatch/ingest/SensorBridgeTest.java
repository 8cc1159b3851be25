package io.gridwatch.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.json.Json;
import io.gridwatch.sensor.RejectReason;
import io.gridwatch.sensor.Sensor;
import io.gridwatch.sensor.SensorType;
import io.gridwatch.store.Database;
import io.gridwatch.store.SensorStore;
import io.gridwatch.testkit.TestServices;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The bridge on real Mosquitto, Kafka and PostgreSQL (testkit): what arrives where, and that nothing is lost or doubled. */
class SensorBridgeTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static TestServices services;
    static Database db;
    static SensorStore store;
    static GridIndex grids;
    static MqttClient publisher;
    /** A fresh prefix per test keeps sensor ids, share groups and client ids of one test apart from the others'. */
    String run;
    final List<SensorBridge> bridges = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        services = TestServices.shared();
        db = Database.open(services.newDatabase("ingest"), services.postgresUser());
        db.migrate();
        store = new SensorStore(db.dataSource());
        Path root = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath();
        grids = new GridIndex(GridCache.dalian(root.resolve("var/cache"), GridwatchConfig.defaults().grids()));
        publisher = new MqttClient(services.mqttUri(), "test-publisher-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        publisher.connect(o);
    }

    @AfterAll
    static void tearDown() throws Exception {
        publisher.disconnect();
        publisher.close();
        db.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void name(TestInfo info) {
        run = "t" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + "-";
    }

    @AfterEach
    void closeBridges() {
        bridges.forEach(SensorBridge::close);
    }

    SensorBridge bridge(String instance) {
        return bridge(instance, Duration.ofSeconds(1));
    }

    SensorBridge bridge(String instance, Duration registryRefresh) {
        SensorBridge.Settings s = new SensorBridge.Settings(services.mqttUri(), run + instance, run + "group",
                Duration.ofMinutes(2), 1_000, services.kafkaBootstrap(), registryRefresh);
        SensorBridge b = new SensorBridge(s, new SensorRegistryCache(store::changesFrom), grids::lookup);
        bridges.add(b);
        return b;
    }

    /** Starts a bridge and waits until it has subscribed (a probe message comes through). */
    SensorBridge started(String instance) throws Exception {
        SensorBridge b = bridge(instance).start();
        awaitConnected(b);
        return b;
    }

    static void awaitConnected(SensorBridge b) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!b.stats().connected() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(b.stats().connected()).as("connected").isTrue();
        Thread.sleep(300); // the subscription is sent right after the connection completes
    }

    static void publish(String topic, String payload) throws Exception {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    static void publish(String topic, byte[] payload) throws Exception {
        publish(topic, payload, false);
    }

    static void publish(String topic, byte[] payload, boolean retained) throws Exception {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        // Paho 1.2.5 (MQTT 5) counts a publish as in flight for a moment after its token completes, so that a
        // synchronous publisher can briefly exceed the broker's receive maximum: wait for the count to catch up
        for (int attempt = 0; ; attempt++) {
            try {
                publisher.publish(topic, m);
                return;
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                if (e.getReasonCode() != 32202 /* Paho: too many publishes in progress */ || attempt > 1_000) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    void register(Sensor... sensors) {
        store.upsert(List.of(sensors), grids::lookup);
    }

    /**
     * A bridge counts a message in its Kafka write's callback, which may run a moment after a consumer already reads
     * the record: counts are awaited, not read at once (CI once saw 293 of 300 counted at that instant).
     */
    static void eventually(java.util.function.LongSupplier count, long expected) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (count.getAsLong() != expected && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(count.getAsLong()).isEqualTo(expected);
    }

    KafkaTail readings() {
        return new KafkaTail(services.kafkaBootstrap(), Topics.READINGS.name(), r -> r.key() != null && r.key().startsWith(run));
    }

    KafkaTail deadLetters() {
        return new KafkaTail(services.kafkaBootstrap(), Topics.DEADLETTER.name(),
                r -> String.valueOf(KafkaTail.header(r, Topics.HEADER_SOURCE)).startsWith("gw/v1/sensors/" + run));
    }

    static JsonNode json(ConsumerRecord<String, byte[]> r) throws Exception {
        return Json.mapper().readTree(r.value());
    }

    static String telemetry(long ts, String metric, double v, long seq) {
        return "{\"ts\":" + ts + ",\"values\":{\"" + metric + "\":" + v + "},\"seq\":" + seq + "}";
    }

    @Test
    void aValidMessageBecomesOneEnrichedReading() throws Exception {
        // 中山区: the point of the grids' own CLI test
        register(new Sensor(run + "wl", SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 30, "测试积水点"));
        started("a");
        long ts = System.currentTimeMillis() - 1_000;
        try (KafkaTail tail = readings()) {
            publish("gw/v1/sensors/" + run + "wl/telemetry", "{\"ts\":" + ts + ",\"values\":{\"water_level_cm\":17.5,\"battery_pct\":81},\"seq\":1042}");
            List<ConsumerRecord<String, byte[]>> got = tail.await(1, WAIT);
            assertThat(tail.settle(Duration.ofSeconds(1))).hasSize(1);
            ConsumerRecord<String, byte[]> r = got.get(0);
            assertThat(r.key()).isEqualTo(run + "wl");
            JsonNode j = json(r);
            assertThat(j.get("schema").asInt()).isEqualTo(1);
            assertThat(j.get("sensor_id").asText()).isEqualTo(run + "wl");
            assertThat(j.get("type").asText()).isEqualTo("water_level");
            assertThat(j.get("kind").asText()).isEqualTo("telemetry");
            assertThat(j.get("ts").asLong()).isEqualTo(ts);
            assertThat(j.get("seq").asLong()).isEqualTo(1042);
            assertThat(j.get("values").get("water_level_cm").asDouble()).isEqualTo(17.5);
            assertThat(j.get("values").get("battery_pct").asDouble()).isEqualTo(81);
            assertThat(j.get("lon").asDouble()).isEqualTo(121.6431);
            assertThat(j.get("grid_code").asText()).matches("210202\\d{9}").isEqualTo(grids.lookup(121.6431, 38.9152).orElseThrow().gridCode());
            assertThat(j.get("district_code").asText()).isEqualTo("210202");
            assertThat(j.get("interval_s").asInt()).isEqualTo(30);
            assertThat(j.get("received_at").asLong()).isGreaterThanOrEqualTo(ts);
        }
        assertThat(bridges.get(0).stats().accepted()).isEqualTo(1);
    }

    @Test
    void malformedPayloadsAreDeadLetteredWithTheirReasonWhileValidTrafficFlows() throws Exception {
        register(new Sensor(run + "wl", SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 60, null),
                new Sensor(run + "mh", SensorType.MANHOLE, 121.6431, 38.9152, "0101", 60, null));
        SensorBridge b = started("a");
        long now = System.currentTimeMillis();
        String wl = "gw/v1/sensors/" + run + "wl/telemetry";
        record Bad(String topic, byte[] payload, RejectReason reason) {
        }
        List<Bad> kinds = List.of(
                new Bad(wl, "{nope".getBytes(StandardCharsets.UTF_8), RejectReason.BAD_JSON),
                new Bad(wl, new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}'}, RejectReason.NOT_UTF8),
                new Bad(wl, ("{\"ts\":" + now + ",\"values\":{\"water_level_cm\":1},\"x\":\"" + "y".repeat(17_000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8), RejectReason.TOO_LARGE),
                new Bad(wl, "{\"ts\":1,\"values\":[1]}".getBytes(StandardCharsets.UTF_8), RejectReason.WRONG_TYPE),
                new Bad(wl, ("{\"ts\":" + now + ",\"values\":{\"water_level_cm\":NaN}}").getBytes(StandardCharsets.UTF_8), RejectReason.NOT_FINITE),
                new Bad(wl, ("{\"ts\":" + now + ",\"values\":{\"water_level_cm\":\"high\"}}").getBytes(StandardCharsets.UTF_8), RejectReason.NON_NUMERIC),
                new Bad(wl, ("{\"ts\":" + now + ",\"values\":{\"water_level_cm\":1,\"x\\u0000\":2}}").getBytes(StandardCharsets.UTF_8), RejectReason.BAD_METRIC),
                new Bad(wl, "{\"values\":{\"water_level_cm\":1}}".getBytes(StandardCharsets.UTF_8), RejectReason.MISSING_TS),
                new Bad(wl, "{\"ts\":\"2026-01-01T00:00:00\",\"values\":{\"water_level_cm\":1}}".getBytes(StandardCharsets.UTF_8), RejectReason.BAD_TS),
                new Bad(wl, telemetry(now + 3_600_000, "water_level_cm", 1, 1).getBytes(StandardCharsets.UTF_8), RejectReason.FUTURE_TS),
                new Bad(wl, telemetry(now, "water_level_cm", 301, 1).getBytes(StandardCharsets.UTF_8), RejectReason.OUT_OF_RANGE),
                new Bad("gw/v1/sensors/" + run + "mh/telemetry", telemetry(now, "cover_open", 3, 1).getBytes(StandardCharsets.UTF_8), RejectReason.OUT_OF_RANGE),
                new Bad("gw/v1/sensors/" + run + "mh/status", ("{\"ts\":" + now + "}").getBytes(StandardCharsets.UTF_8), RejectReason.MISSING_FIELD),
                new Bad("gw/v1/sensors/" + run + "nobody/telemetry", telemetry(now, "water_level_cm", 1, 1).getBytes(StandardCharsets.UTF_8), RejectReason.UNKNOWN_SENSOR),
                new Bad("gw/v1/sensors/" + run + "bad id/telemetry", telemetry(now, "water_level_cm", 1, 1).getBytes(StandardCharsets.UTF_8), RejectReason.BAD_SENSOR_ID));
        int badCount = 1_200;
        int goodCount = 600;
        Map<RejectReason, Integer> expected = new HashMap<>();
        List<byte[]> sentBad = new ArrayList<>();
        try (KafkaTail good = readings(); KafkaTail dead = deadLetters()) {
            for (int i = 0, g = 0; i < badCount; i++) {
                Bad bad = kinds.get(i % kinds.size());
                publish(bad.topic(), bad.payload());
                sentBad.add(bad.payload());
                expected.merge(bad.reason(), 1, Integer::sum);
                if (i % 2 == 0) {
                    publish(wl, telemetry(now - 1_000, "water_level_cm", g % 300, g));
                    g++;
                }
            }
            List<ConsumerRecord<String, byte[]>> readings = good.await(goodCount, WAIT);
            List<ConsumerRecord<String, byte[]>> dl = dead.await(badCount, WAIT);
            assertThat(readings).hasSize(goodCount);
            assertThat(readings.stream().map(r -> {
                try {
                    return json(r).get("seq").asLong();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).collect(Collectors.toSet())).hasSize(goodCount);
            assertThat(dl).hasSize(badCount);
            Map<RejectReason, Integer> byReason = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : dl) {
                RejectReason reason = RejectReason.valueOf(KafkaTail.header(r, Topics.HEADER_REASON).toUpperCase());
                byReason.merge(reason, 1, Integer::sum);
                assertThat(Long.parseLong(KafkaTail.header(r, Topics.HEADER_RECEIVED))).isBetween(now - 60_000, now + 120_000);
                String source = KafkaTail.header(r, Topics.HEADER_SOURCE);
                // key as received: the topic's sensor id
                assertThat(source).isEqualTo("gw/v1/sensors/" + r.key() + "/" + source.substring(source.lastIndexOf('/') + 1));
            }
            assertThat(byReason).isEqualTo(expected);
            // the original bytes, byte for byte
            assertThat(dl.stream().map(r -> new String(r.value(), StandardCharsets.ISO_8859_1)).collect(Collectors.toSet()))
                    .isEqualTo(sentBad.stream().map(p -> new String(p, StandardCharsets.ISO_8859_1)).collect(Collectors.toSet()));
            eventually(() -> b.stats().inFlight(), 0); // every write's callback has run, so every count is in
            IngestStats stats = b.stats();
            assertThat(stats.accepted()).isEqualTo(goodCount);
            expected.forEach((reason, n) -> assertThat(stats.rejected(reason)).as(reason.code()).isEqualTo(n.longValue()));
            assertThat(stats.inFlight()).isZero();
        }
    }

    @Test
    void anUnknownSensorIsDeadLetteredUntilItIsImported() throws Exception {
        SensorBridge b = started("a");
        String topic = "gw/v1/sensors/" + run + "late/telemetry";
        long now = System.currentTimeMillis();
        try (KafkaTail good = readings(); KafkaTail dead = deadLetters()) {
            publish(topic, telemetry(now, "rain_mm", 1.5, 1));
            assertThat(dead.await(1, WAIT)).singleElement()
                    .satisfies(r -> assertThat(KafkaTail.header(r, Topics.HEADER_REASON)).isEqualTo("unknown_sensor"));
            register(new Sensor(run + "late", SensorType.RAIN_GAUGE, 121.6431, 38.9152, null, 300, null));
            // the bridge reads the registry again every second (Settings.registryRefresh) without a restart
            long end = System.nanoTime() + WAIT.toNanos();
            int seq = 2;
            while (good.await(1, Duration.ofMillis(500)).isEmpty() && System.nanoTime() < end) {
                publish(topic, telemetry(now, "rain_mm", 1.5, seq++));
            }
            assertThat(good.await(1, Duration.ZERO)).isNotEmpty();
            assertThat(json(good.await(1, Duration.ZERO).get(0)).get("interval_s").asInt()).isEqualTo(300);
        }
        assertThat(b.stats().rejected(RejectReason.UNKNOWN_SENSOR)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void twoBridgesInOneShareGroupSplitTheMessagesWithoutDuplicates() throws Exception {
        int sensors = 20;
        int perSensor = 100;
        Sensor[] all = new Sensor[sensors];
        for (int i = 0; i < sensors; i++) {
            all[i] = new Sensor(run + "bin" + i, SensorType.BIN_FILL, 121.6431, 38.9152, null, 60, null);
        }
        register(all);
        SensorBridge one = started("one");
        SensorBridge two = started("two");
        long now = System.currentTimeMillis() - 5_000;
        try (KafkaTail good = readings()) {
            for (int k = 0; k < perSensor; k++) {
                for (int i = 0; i < sensors; i++) {
                    publish("gw/v1/sensors/" + run + "bin" + i + "/telemetry", telemetry(now + k, "fill_pct", k % 100, k));
                }
            }
            int n = sensors * perSensor;
            List<ConsumerRecord<String, byte[]>> got = good.await(n, WAIT);
            assertThat(good.settle(Duration.ofSeconds(2))).hasSize(n);
            Set<String> distinct = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : got) {
                distinct.add(r.key() + "#" + json(r).get("seq").asLong());
            }
            assertThat(distinct).hasSize(n);
        }
        assertThat(one.stats().accepted()).isPositive();
        assertThat(two.stats().accepted()).isPositive();
        eventually(() -> one.stats().accepted() + two.stats().accepted(), sensors * perSensor);
    }

    @Test
    void messagesPublishedWhileTheBridgeIsDownArriveWhenItComesBack() throws Exception {
        register(new Sensor(run + "rw", SensorType.ROAD_WEATHER, 121.6431, 38.9152, null, 60, null));
        SensorBridge first = started("a");
        first.close();
        long now = System.currentTimeMillis() - 10_000;
        int n = 300;
        for (int i = 0; i < n; i++) {
            publish("gw/v1/sensors/" + run + "rw/telemetry", telemetry(now + i, "snow_depth_cm", i % 50, i));
        }
        try (KafkaTail good = readings()) {
            assertThat(good.settle(Duration.ofSeconds(1))).isEmpty();
            SensorBridge again = bridge("a").start(); // same client id: the broker kept its session and queued the messages
            List<ConsumerRecord<String, byte[]>> got = good.await(n, WAIT);
            assertThat(got).hasSize(n);
            eventually(() -> again.stats().accepted(), n);
        }
    }

    /**
     * Finding 4 of issue 11: a sensor's first readings, published the moment its import commits, used to be dead-lettered
     * for good until the next periodic registry read. The periodic read is an hour away here, so only the read for unknown
     * sensors can find them.
     */
    @Test
    void readingsOfASensorImportedAMomentAgoAreNeverDeadLettered() throws Exception {
        SensorBridge b = bridge("a", Duration.ofHours(1)).start();
        awaitConnected(b);
        int rounds = 40;
        int perSensor = 3;
        long now = System.currentTimeMillis() - 60_000;
        try (KafkaTail good = readings(); KafkaTail dead = deadLetters()) {
            for (int i = 0; i < rounds; i++) {
                register(new Sensor(run + "new" + i, SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 30, null));
                for (int k = 0; k < perSensor; k++) { // published as soon as the import has committed
                    publish("gw/v1/sensors/" + run + "new" + i + "/telemetry", telemetry(now + k * 30_000L, "water_level_cm", k, k));
                }
            }
            publish("gw/v1/sensors/" + run + "nobody/telemetry", telemetry(now, "water_level_cm", 1, 1));
            List<ConsumerRecord<String, byte[]>> got = good.await(rounds * perSensor, WAIT);
            assertThat(dead.await(1, WAIT)).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(run + "nobody");
                assertThat(KafkaTail.header(r, Topics.HEADER_REASON)).isEqualTo("unknown_sensor");
            });
            assertThat(good.settle(Duration.ofSeconds(1))).hasSize(rounds * perSensor);
            assertThat(dead.settle(Duration.ZERO)).hasSize(1);
            // each sensor's readings in the order they were published, although its first ones waited for the registry
            Map<String, List<Long>> seqs = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : got) {
                seqs.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(json(r).get("seq").asLong());
            }
            assertThat(seqs).hasSize(rounds).allSatisfy((id, list) -> assertThat(list).containsExactly(0L, 1L, 2L));
        }
        eventually(() -> b.stats().inFlight(), 0);
        assertThat(b.stats().rejected(RejectReason.UNKNOWN_SENSOR)).isEqualTo(1);
    }

    /** A flood of unknown ids shares registry reads: one read answers every message that waited for it. */
    @Test
    void aFloodOfUnknownSensorsCostsFewRegistryReads() throws Exception {
        SensorBridge b = bridge("a", Duration.ofHours(1)).start();
        awaitConnected(b);
        int n = 400;
        long now = System.currentTimeMillis();
        try (KafkaTail dead = deadLetters()) {
            for (int i = 0; i < n; i++) {
                publish("gw/v1/sensors/" + run + "junk" + i + "/telemetry", telemetry(now, "water_level_cm", 1, i));
            }
            assertThat(dead.await(n, WAIT)).hasSize(n)
                    .allSatisfy(r -> assertThat(KafkaTail.header(r, Topics.HEADER_REASON)).isEqualTo("unknown_sensor"));
        }
        eventually(() -> b.stats().rejected(RejectReason.UNKNOWN_SENSOR), n);
        System.out.printf("%d unknown-sensor messages answered by %d registry reads%n", n, b.registryRechecks());
        assertThat(b.registryRechecks()).isBetween(1L, (long) n / 4);
    }

    /**
     * Finding 7 of issue 11: the broker used to send a telemetry topic's retained message again on every (re)subscription,
     * so an invalid one was dead-lettered and a valid one processed once per reconnect. Each is now handled once.
     */
    @Test
    void aRetainedMessageIsHandledOnceAcrossReconnects() throws Exception {
        register(new Sensor(run + "wl", SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 60, null),
                new Sensor(run + "bad", SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 60, null));
        String goodTopic = "gw/v1/sensors/" + run + "wl/telemetry";
        String badTopic = "gw/v1/sensors/" + run + "bad/telemetry";
        long now = System.currentTimeMillis() - 1_000;
        try (KafkaTail good = readings(); KafkaTail dead = deadLetters()) {
            SensorBridge first = started("a");
            publish(goodTopic, telemetry(now, "water_level_cm", 20, 7).getBytes(StandardCharsets.UTF_8), true);
            publish(badTopic, "{not json".getBytes(StandardCharsets.UTF_8), true);
            assertThat(good.await(1, WAIT)).hasSize(1);
            assertThat(dead.await(1, WAIT)).hasSize(1);
            eventually(() -> first.stats().inFlight(), 0);
            SensorBridge current = first;
            for (int i = 0; i < 3; i++) { // the same session again, and other instances that subscribe anew
                current.close();
                current = bridge(i % 2 == 0 ? "a" : "b" + i).start();
                awaitConnected(current);
            }
            assertThat(good.settle(Duration.ofSeconds(3))).hasSize(1);
            assertThat(dead.settle(Duration.ZERO)).hasSize(1);
        } finally {
            publish(goodTopic, new byte[0], true); // an empty retained message clears the topic's
            publish(badTopic, new byte[0], true);
        }
    }

    /** While the registry cannot be read, a message of a sensor the bridge does not know waits: it is neither dropped nor dead-lettered. */
    @Test
    void anUnknownSensorWaitsWhileTheRegistryCannotBeRead() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        SensorStore.ChangeFeed feed = from -> {
            if (down.get()) {
                throw new io.gridwatch.store.StoreException("PostgreSQL is down (test)", new java.sql.SQLException("down"));
            }
            return store.changesFrom(from);
        };
        SensorBridge.Settings s = new SensorBridge.Settings(services.mqttUri(), run + "a", run + "group", Duration.ofMinutes(2), 1_000,
                services.kafkaBootstrap(), Duration.ofHours(1));
        SensorBridge b = new SensorBridge(s, new SensorRegistryCache(feed), grids::lookup);
        bridges.add(b);
        b.start();
        awaitConnected(b);
        down.set(true);
        register(new Sensor(run + "wl", SensorType.WATER_LEVEL, 121.6431, 38.9152, null, 30, null));
        try (KafkaTail good = readings(); KafkaTail dead = deadLetters()) {
            publish("gw/v1/sensors/" + run + "wl/telemetry", telemetry(System.currentTimeMillis() - 1_000, "water_level_cm", 3, 1));
            assertThat(good.settle(Duration.ofSeconds(3))).isEmpty();
            assertThat(dead.settle(Duration.ZERO)).isEmpty();
            assertThat(b.stats().inFlight()).isEqualTo(1);
            down.set(false);
            assertThat(good.await(1, WAIT)).hasSize(1);
            assertThat(dead.settle(Duration.ofSeconds(1))).isEmpty();
        }
        eventually(() -> b.stats().inFlight(), 0);
    }
}
