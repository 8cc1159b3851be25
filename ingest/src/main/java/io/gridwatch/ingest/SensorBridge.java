package io.gridwatch.ingest;

import io.gridwatch.sensor.ReadingJson;
import io.gridwatch.sensor.RejectReason;
import io.gridwatch.sensor.TelemetryParser;
import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The MQTT sensor bridge: sensor messages (CONTRACTS.md §1) from MQTT to Kafka, checked and normalised by
 * {@link TelemetryParser}. Valid ones go to {@code gw.readings.v1} keyed by sensor id; invalid ones to
 * {@code gw.deadletter.v1} with their original bytes, the reason and where and when they came from.
 *
 * <p>Nothing is lost: a message is acknowledged to the broker (manual PUBACK) only in the callback of
 * the Kafka write that stored it. A write that fails is tried again until it succeeds, holding the
 * message unacknowledged meanwhile; a crash leaves it unacknowledged in the persistent session
 * (clean start off, {@link Settings#sessionExpiry()}), and the broker delivers it again on reconnect.
 * Delivery is therefore at least once: a crash between the Kafka write and the acknowledgement repeats a
 * reading, which the jobs recognise by its {@code seq}.
 *
 * <p>Several bridges share the load through the shared subscriptions {@link #TELEMETRY_FILTER} and
 * {@link #STATUS_FILTER} of one {@link Settings#shareGroup()}: the broker hands each message to one of them.
 * Each bridge needs its own, stable {@link Settings#clientId()}, since the session is keyed by it.
 *
 * <p><b>A sensor imported a moment ago.</b> The registry is read every {@link Settings#registryRefresh()}, so a sensor's
 * first readings may arrive before the bridge knows it. A message naming a sensor the registry does not know is
 * therefore not dead-lettered at once: it waits (unacknowledged) for a read of the registry that began after it
 * arrived ({@link SensorRegistryCache#refresh()}, incremental), and only a sensor still unknown then is dead-lettered
 * as {@code unknown_sensor}. One read answers every message that was waiting when it began, so a flood of unknown ids
 * costs one small query per batch; a known sensor pays nothing. Later messages of a sensor that has messages waiting
 * wait behind them, so that its readings reach Kafka in the order they arrived.
 *
 * <p><b>Retained messages.</b> The bridge subscribes with retain handling 2 (MQTT 5: no retained messages on
 * subscribing). A message published with the retain flag while the subscription exists is delivered once, like any
 * other, and the broker's persistent session holds it while the bridge is away; without this, the broker sent every
 * retained message on a telemetry topic again on each reconnect, so an invalid one was dead-lettered again and a valid
 * one processed again each time. A retained message published before gridwatch's subscription first existed is not read.
 */
public final class SensorBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SensorBridge.class);

    public static final String TELEMETRY_FILTER = "gw/v1/sensors/+/telemetry";
    public static final String STATUS_FILTER = "gw/v1/sensors/+/status";
    /** Header beside CONTRACTS.md §3's three: the human-readable rejection message. */
    public static final String HEADER_DETAIL = "detail";
    /** Header set when the dead-lettered bytes were cut to {@link #MAX_DEADLETTER_BYTES}: the original size. */
    public static final String HEADER_ORIGINAL_SIZE = "original_size";
    /** Kafka refuses records over ~1 MB by default; a larger MQTT payload is kept in part rather than blocking the bridge. */
    static final int MAX_DEADLETTER_BYTES = 256 * 1024;
    private static final long RETRY_MIN_MS = 200;
    private static final long RETRY_MAX_MS = 10_000;
    /** MQTT 5 retain handling: do not send retained messages when subscribing (see the class comment). */
    static final int RETAIN_HANDLING_NONE = 2;

    /**
     * How a bridge connects.
     *
     * @param mqttUri         {@code tcp://host:port}
     * @param clientId        this instance's MQTT client id; keep it across restarts so that its session is found again
     * @param shareGroup      the shared-subscription group that bridges split the load in
     * @param sessionExpiry   how long the broker keeps this instance's session (and queues its messages) while it is away
     * @param receiveMaximum  how many unacknowledged messages the broker may send this instance at a time
     * @param kafkaBootstrap  Kafka bootstrap servers
     * @param registryRefresh how often the sensor registry is read again from PostgreSQL
     */
    public record Settings(String mqttUri, String clientId, String shareGroup, Duration sessionExpiry, int receiveMaximum,
                           String kafkaBootstrap, Duration registryRefresh) {
        public static final String DEFAULT_SHARE_GROUP = "gridwatch-ingest";

        public Settings {
            Objects.requireNonNull(mqttUri, "mqttUri");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(shareGroup, "shareGroup");
            Objects.requireNonNull(sessionExpiry, "sessionExpiry");
            Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
            Objects.requireNonNull(registryRefresh, "registryRefresh");
            if (receiveMaximum < 1 || receiveMaximum > 65_535) {
                throw new IllegalArgumentException("receiveMaximum must be within 1..65535, got " + receiveMaximum);
            }
            if (shareGroup.isEmpty() || shareGroup.matches(".*[/+#].*")) {
                throw new IllegalArgumentException("shareGroup must be a non-empty name without / + #: " + shareGroup);
            }
        }

        /** Defaults: group {@value #DEFAULT_SHARE_GROUP}, a one-day session, 1,000 in flight, the registry every 10 s. */
        public static Settings of(String mqttUri, String clientId, String kafkaBootstrap) {
            return new Settings(mqttUri, clientId, DEFAULT_SHARE_GROUP, Duration.ofDays(1), 1_000, kafkaBootstrap, Duration.ofSeconds(10));
        }
    }

    private final Settings settings;
    private final TelemetryParser parser;
    private final SensorRegistryCache registry;
    private final Producer<String, byte[]> producer;
    private final MqttAsyncClient mqtt;
    private final ScheduledExecutorService timer;
    /** Reads the registry for messages of unknown sensors, off the MQTT callback thread. */
    private final ExecutorService registryReader;
    private final AtomicBoolean closing = new AtomicBoolean();

    /** A message that named a sensor the registry did not know when it arrived. */
    private record Waiting(String topic, MqttMessage message, long receivedAt, String sensorId) {
    }

    /** Messages waiting for a registry read that begins after them; filled by the MQTT thread, drained by {@link #registryReader}. */
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    /** Taken from {@link #waiting} but not answered yet, because the registry read failed; touched by {@link #registryReader} only. */
    private final List<Waiting> held = new ArrayList<>();
    private final AtomicBoolean recheckScheduled = new AtomicBoolean();
    /** Sensor id → its messages waiting; {@link #waitingCount} lets a known sensor's message skip the map look-up. */
    private final Map<String, Integer> waitingBySensor = new ConcurrentHashMap<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final LongAdder registryRechecks = new LongAdder();

    private final LongAdder received = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder inFlight = new LongAdder();
    private final LongAdder kafkaFailures = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final Map<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);

    /**
     * @param registry the sensor registry; refreshed by the bridge every {@link Settings#registryRefresh()}
     * @param grids    the unit grid of a sensor's position
     */
    public SensorBridge(Settings settings, SensorRegistryCache registry, TelemetryParser.GridLookup grids) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.parser = new TelemetryParser(registry, grids);
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r, new LongAdder());
        }
        this.producer = new KafkaProducer<>(producerProperties(settings), new StringSerializer(), new ByteArraySerializer());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sensor-bridge-timer-" + settings.clientId());
            t.setDaemon(true);
            return t;
        });
        this.registryReader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sensor-bridge-registry-" + settings.clientId());
            t.setDaemon(true);
            return t;
        });
        try {
            this.mqtt = new MqttAsyncClient(settings.mqttUri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            producer.close(Duration.ZERO);
            timer.shutdownNow();
            registryReader.shutdownNow();
            throw new IllegalArgumentException("cannot create an MQTT client for " + settings.mqttUri() + ": " + e.getMessage(), e);
        }
        mqtt.setManualAcks(true);
        mqtt.setCallback(new Callback());
    }

    static Properties producerProperties(Settings settings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "gridwatch-sensor-bridge-" + settings.clientId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // at 10,000 readings/s over 8 partitions, 5 ms made batches of 3 records and the broker spent ~28 µs per record
        // (bench/README.md); 20 ms batches four times as much for at most 15 ms more latency
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        // a Kafka outage must not block the MQTT callback thread for long: fail the write and try it again later
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    /**
     * Loads the registry, then connects to MQTT and subscribes; returns without waiting for the connection.
     * A broker that is not there yet is tried again until it is, as is one that goes away later.
     */
    public SensorBridge start() {
        int n = registry.refresh();
        LOG.info("sensor bridge {}: {} sensors registered; connecting to {}", settings.clientId(), n, settings.mqttUri());
        long every = settings.registryRefresh().toMillis();
        timer.scheduleWithFixedDelay(this::refreshRegistry, every, every, TimeUnit.MILLISECONDS);
        connect();
        return this;
    }

    /** Reads the sensor registry again now, e.g. right after an import. */
    public void refreshRegistry() {
        try {
            int n = registry.refresh();
            LOG.debug("sensor registry refreshed: {} read, {} known", n, registry.size());
        } catch (RuntimeException e) {
            LOG.warn("could not refresh the sensor registry (keeping the one in memory): {}", e.getMessage());
        }
    }

    private MqttConnectionOptions connectionOptions() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(settings.sessionExpiry().toSeconds());
        o.setReceiveMaximum(settings.receiveMaximum());
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 10);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        o.setSocketFactory(new BufferedSocketFactory());
        return o;
    }

    private void connect() {
        if (closing.get()) {
            return;
        }
        try {
            mqtt.connect(connectionOptions(), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    // subscribing happens in connectComplete, for the first connection and every reconnect alike
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    // automatic reconnect only covers connections that were up once: retry the first one here
                    LOG.warn("MQTT broker {} not reachable ({}); trying again in 2 s", settings.mqttUri(), e.toString());
                    retryConnect();
                }
            });
        } catch (MqttException e) {
            LOG.warn("MQTT connect to {} failed ({}); trying again in 2 s", settings.mqttUri(), e.toString());
            retryConnect();
        }
    }

    private void retryConnect() {
        if (!closing.get()) {
            timer.schedule(this::connect, 2, TimeUnit.SECONDS);
        }
    }

    private void subscribe() {
        String prefix = "$share/" + settings.shareGroup() + "/";
        MqttSubscription[] subs = {new MqttSubscription(prefix + TELEMETRY_FILTER, 1), new MqttSubscription(prefix + STATUS_FILTER, 1)};
        for (MqttSubscription sub : subs) {
            sub.setRetainHandling(RETAIN_HANDLING_NONE);
        }
        try {
            mqtt.subscribe(subs, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes != null && Arrays.stream(codes).anyMatch(c -> c > 2)) {
                        LOG.error("MQTT broker refused the subscription {}: reason codes {}", Arrays.toString(subs), Arrays.toString(codes));
                    } else {
                        LOG.info("sensor bridge {} subscribed to {} and {} in group {}", settings.clientId(), TELEMETRY_FILTER,
                                STATUS_FILTER, settings.shareGroup());
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    LOG.error("MQTT subscription failed: {}", e.toString());
                }
            }, (MqttProperties) null);
        } catch (MqttException e) {
            LOG.error("MQTT subscription failed: {}", e.toString());
        }
    }

    /** Handles one message: parse, write to Kafka, acknowledge in the write's callback. */
    private void handle(String topic, MqttMessage message) {
        long now = System.currentTimeMillis();
        received.increment();
        inFlight.increment();
        TelemetryParser.Result result = parser.parse(topic, message.getPayload(), now);
        if (result instanceof TelemetryParser.Rejection r && r.reason() == RejectReason.UNKNOWN_SENSOR) {
            await(new Waiting(topic, message, now, r.sensorId()));
            return;
        }
        if (waitingCount.get() > 0 && result instanceof TelemetryParser.Accepted a && waitingBySensor.containsKey(a.reading().sensorId())) {
            // the sensor's earlier messages wait for the registry: keep its readings in the order they arrived
            await(new Waiting(topic, message, now, a.reading().sensorId()));
            return;
        }
        dispatch(topic, message, now, result);
    }

    /** Queues a message for a registry read that begins after now; one read is scheduled for whatever is queued meanwhile. */
    private void await(Waiting w) {
        waitingBySensor.merge(w.sensorId(), 1, Integer::sum);
        waitingCount.incrementAndGet();
        waiting.add(w);
        if (recheckScheduled.compareAndSet(false, true)) {
            registryReader.execute(this::recheckWaiting);
        }
    }

    /**
     * On {@link #registryReader}: reads the registry's changes once for every message queued before the read began,
     * then parses those messages again; a sensor still unknown is dead-lettered. A failed read keeps them
     * (unacknowledged) and is tried again later: the registry being unreachable proves nothing about a sensor.
     */
    private void recheckWaiting() {
        long backoff = RETRY_MIN_MS;
        while (!closing.get()) {
            for (Waiting w; (w = waiting.poll()) != null; ) {
                held.add(w);
            }
            if (held.isEmpty()) {
                recheckScheduled.set(false);
                if (waiting.isEmpty() || !recheckScheduled.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                registry.refresh(); // begins after every held message arrived
                registryRechecks.increment();
            } catch (RuntimeException e) {
                LOG.warn("could not read the sensor registry for {} messages of unknown sensors ({}); trying again in {} ms, "
                        + "not acknowledged meanwhile", held.size(), e.getMessage(), backoff);
                long delay = backoff;
                backoff = Math.min(RETRY_MAX_MS, backoff * 2);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            backoff = RETRY_MIN_MS;
            for (Waiting w : held) {
                TelemetryParser.Result result = parser.parse(w.topic(), w.message().getPayload(), w.receivedAt());
                dispatch(w.topic(), w.message(), w.receivedAt(), result); // handed to the producer before the sensor is released
                waitingBySensor.computeIfPresent(w.sensorId(), (k, n) -> n == 1 ? null : n - 1);
                waitingCount.decrementAndGet();
            }
            held.clear();
        }
    }

    /** Writes a parsed message to Kafka: a reading, or a dead letter with its reason. */
    private void dispatch(String topic, MqttMessage message, long now, TelemetryParser.Result result) {
        byte[] payload = message.getPayload();
        ProducerRecord<String, byte[]> record;
        Runnable count;
        if (result instanceof TelemetryParser.Accepted a) {
            record = new ProducerRecord<>(Topics.READINGS.name(), a.reading().sensorId(), ReadingJson.write(a.reading()));
            count = accepted::increment;
        } else {
            TelemetryParser.Rejection r = (TelemetryParser.Rejection) result;
            RecordHeaders headers = new RecordHeaders();
            headers.add(Topics.HEADER_SOURCE, topic.getBytes(StandardCharsets.UTF_8));
            headers.add(Topics.HEADER_REASON, r.reason().code().getBytes(StandardCharsets.UTF_8));
            headers.add(Topics.HEADER_RECEIVED, Long.toString(now).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_DETAIL, r.message().getBytes(StandardCharsets.UTF_8));
            byte[] value = payload;
            if (payload.length > MAX_DEADLETTER_BYTES) {
                value = Arrays.copyOf(payload, MAX_DEADLETTER_BYTES);
                headers.add(HEADER_ORIGINAL_SIZE, Integer.toString(payload.length).getBytes(StandardCharsets.UTF_8));
            }
            record = new ProducerRecord<>(Topics.DEADLETTER.name(), null, r.sensorId(), value, headers);
            LongAdder c = rejected.get(r.reason());
            count = c::increment;
        }
        send(record, message.getId(), message.getQos(), count, RETRY_MIN_MS);
    }

    private void send(ProducerRecord<String, byte[]> record, int messageId, int qos, Runnable count, long backoffMs) {
        try {
            producer.send(record, (meta, e) -> {
                if (e == null) {
                    count.run();
                    acknowledge(messageId, qos);
                } else {
                    retry(record, messageId, qos, count, backoffMs, e);
                }
            });
        } catch (RuntimeException e) {
            // metadata not available within max.block.ms, buffer full, or the producer is closing
            retry(record, messageId, qos, count, backoffMs, e);
        }
    }

    private void retry(ProducerRecord<String, byte[]> record, int messageId, int qos, Runnable count, long backoffMs, Exception e) {
        kafkaFailures.increment();
        if (closing.get()) {
            // left unacknowledged: the broker delivers it again to this session (or another bridge) later
            LOG.warn("Kafka write to {} failed while closing ({}); the broker will deliver it again", record.topic(), e.toString());
            inFlight.decrement();
            return;
        }
        LOG.warn("Kafka write to {} failed ({}); trying again in {} ms, not acknowledged meanwhile", record.topic(), e.toString(), backoffMs);
        timer.schedule(() -> send(record, messageId, qos, count, Math.min(RETRY_MAX_MS, backoffMs * 2)), backoffMs, TimeUnit.MILLISECONDS);
    }

    private void acknowledge(int messageId, int qos) {
        inFlight.decrement();
        if (qos == 0) {
            return;
        }
        try {
            mqtt.messageArrivedComplete(messageId, qos);
        } catch (MqttException | RuntimeException e) {
            // the connection dropped: the broker delivers the message again, and Kafka gets it twice (at least once)
            LOG.debug("could not acknowledge MQTT message {}: {}", messageId, e.toString());
        }
    }

    /** The counters now. */
    public IngestStats stats() {
        Map<RejectReason, Long> r = new EnumMap<>(RejectReason.class);
        rejected.forEach((k, v) -> r.put(k, v.sum()));
        return new IngestStats(received.sum(), accepted.sum(), r, inFlight.sum(), kafkaFailures.sum(), connects.sum(), mqtt.isConnected());
    }

    public Settings settings() {
        return settings;
    }

    /** How many times the registry was read for messages naming a sensor it did not know (one read answers a batch). */
    public long registryRechecks() {
        return registryRechecks.sum();
    }

    /**
     * Stops taking messages, lets the Kafka writes under way finish and acknowledges them, then disconnects
     * keeping the session, so that what the broker queues meanwhile waits for the next start.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        LOG.info("sensor bridge {} closing: {}", settings.clientId(), stats().summary());
        timer.shutdownNow();
        registryReader.shutdownNow(); // messages still waiting stay unacknowledged: delivered again after the next start
        producer.flush();
        try {
            if (mqtt.isConnected()) {
                // session expiry as connected: the session, with whatever arrived unacknowledged, stays at the broker
                mqtt.disconnect(5_000).waitForCompletion(6_000);
            }
        } catch (MqttException e) {
            LOG.debug("MQTT disconnect: {}", e.toString());
        }
        try {
            mqtt.close(true);
        } catch (MqttException e) {
            LOG.debug("MQTT close: {}", e.toString());
        }
        producer.close(Duration.ofSeconds(10));
    }

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (closing.get()) {
                return; // not acknowledged: delivered again after the next start
            }
            handle(topic, message);
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            connects.increment();
            LOG.info("sensor bridge {} {} to {}", settings.clientId(), reconnect ? "reconnected" : "connected", serverURI);
            subscribe();
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (!closing.get()) {
                LOG.warn("sensor bridge {} lost the MQTT connection ({}); reconnecting", settings.clientId(), response);
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.warn("MQTT error: {}", e.toString());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
