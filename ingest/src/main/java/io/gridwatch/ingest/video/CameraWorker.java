package io.gridwatch.ingest.video;

import io.gridwatch.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A camera ingest worker: runs the cameras of the {@link Topics#CAMERAS} partitions that its consumer group gives it.
 * Every worker of the group (on this machine or others) reads the same compacted topic; Kafka spreads the partitions
 * over them and, when a worker stops or dies, hands its partitions to the others — no hand-made lists. On assignment
 * a partition is read from its start (the compacted log is its whole camera set; nothing is committed); afterwards
 * the worker follows it: a new camera starts, a changed URL or zone restarts that camera, a null value (removed)
 * stops it. On revocation the partition's cameras stop before another worker may start them (the cooperative
 * protocol revokes first). Session timeout and heartbeat ({@link Settings#DEFAULT_SESSION_TIMEOUT}) bound how long
 * a killed worker's cameras stay dark.
 *
 * <p>A definition that cannot be read, or a URL {@link StreamSource} refuses, puts that camera in state
 * {@link CameraHealth.State#REFUSED} with the reason, and touches no other camera.
 */
public final class CameraWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CameraWorker.class);
    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * @param topic            the camera registry topic ({@link Topics#CAMERAS}; tests use their own)
     * @param groupId          the consumer group all workers of one system share
     * @param workerId         this worker's name, in health and logs ({@code cameras-<host>-<N>})
     * @param sessionTimeout   a worker silent this long is taken for dead and its cameras move
     * @param heartbeatInterval how often the worker tells the group it lives (a third of the session timeout at most)
     * @param stream           how each camera is read
     */
    public record Settings(String kafkaBootstrap, String topic, String groupId, String workerId, Duration sessionTimeout, Duration heartbeatInterval,
                           StreamSettings stream) {

        public static final String DEFAULT_GROUP = "gridwatch-camera-ingest";
        /** 10 s: the shortest the broker allows by default is 6 s; with the rebalance after it, cameras move within 30 s. */
        public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(3);

        public Settings {
            Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(stream, "stream");
            if (heartbeatInterval.multipliedBy(3).compareTo(sessionTimeout) > 0) {
                throw new IllegalArgumentException("heartbeat interval " + heartbeatInterval + " must be at most a third of the session timeout "
                        + sessionTimeout);
            }
        }

        public static Settings of(String kafkaBootstrap, String workerId) {
            return new Settings(kafkaBootstrap, Topics.CAMERAS.name(), DEFAULT_GROUP, workerId, DEFAULT_SESSION_TIMEOUT, DEFAULT_HEARTBEAT, StreamSettings.DEFAULTS);
        }
    }

    /** A camera this worker is responsible for: its definition, and its reader (null when refused). */
    private record Running(int partition, CameraAssignments.Definition definition, CameraStream stream, CameraHealth refused) {
        CameraHealth health() {
            return stream != null ? stream.health() : refused;
        }
    }

    private final Settings settings;
    private final Consumer<SampledFrame> sink;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Cameras removed from the registry (null value) since the last {@link #drainRemoved()}. */
    private final Set<String> removed = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private volatile boolean joined;
    private volatile Set<Integer> partitions = Set.of();
    private volatile RuntimeException failure;

    public CameraWorker(Settings settings, Consumer<SampledFrame> sink) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sink = Objects.requireNonNull(sink, "sink");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "gridwatch-" + settings.workerId());
        // the classic protocol: the worker sets its own session timeout (the new one takes the broker's, 45 s by default)
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) settings.heartbeatInterval().toMillis());
        // cooperative: a rebalance moves only the partitions that change hands; the other cameras keep running
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // each assignment reads its partitions whole
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "camera-worker-" + settings.workerId());
        this.thread.setDaemon(true);
    }

    public String workerId() {
        return settings.workerId();
    }

    public CameraWorker start() {
        thread.start();
        return this;
    }

    /** Whether the worker has joined its group (it may hold no partition, when there are more workers than partitions). */
    public boolean joined() {
        return joined && failure == null;
    }

    /** The partitions of {@link Topics#CAMERAS} this worker holds now. */
    public Set<Integer> partitions() {
        return partitions;
    }

    /** What stopped the worker, if it failed. */
    public RuntimeException failure() {
        return failure;
    }

    /** The health of every camera this worker runs now, ordered by camera id. */
    public List<CameraHealth> health() {
        List<CameraHealth> out = new ArrayList<>();
        for (Running r : running.values()) {
            out.add(r.health());
        }
        out.sort(java.util.Comparator.comparing(CameraHealth::cameraId));
        return out;
    }

    /** Ids of cameras removed from the registry since the last call (their health rows can go). */
    public Set<String> drainRemoved() {
        Set<String> out = new HashSet<>(removed);
        removed.removeAll(out);
        return out;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(settings.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    stopPartitions(revoked, "revoked");
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> lost) {
                    stopPartitions(lost, "lost");
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                    consumer.seekToBeginning(assigned); // the compacted log from its start is the partition's camera set
                    partitions = numbers(consumer.assignment());
                    joined = true;
                    if (!assigned.isEmpty()) {
                        LOG.info("worker {}: assigned partitions {} of {}", settings.workerId(), numbers(assigned), settings.topic());
                    }
                }
            });
            while (!stopped) {
                Map<String, ConsumerRecord<String, byte[]>> newest = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (r.key() == null) {
                        LOG.warn("worker {}: a record without a camera id on {} partition {} offset {}: ignored", settings.workerId(),
                                settings.topic(), r.partition(), r.offset());
                        continue;
                    }
                    newest.put(r.key(), r); // a partition's log may hold a camera several times before compaction: the last counts
                }
                for (ConsumerRecord<String, byte[]> r : newest.values()) {
                    apply(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!stopped) {
                failure = e;
                LOG.error("worker {}: stopped by {}", settings.workerId(), e.toString(), e);
            }
        } finally {
            stopAll(new ArrayList<>(running.keySet()));
            consumer.close(Duration.ofSeconds(10)); // leaves the group: the others take the partitions at once
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        String id = r.key();
        Running current = running.get(id);
        if (r.value() == null) {
            if (current != null) {
                LOG.info("worker {}: camera {} removed from the registry; stopping it", settings.workerId(), id);
                stopAll(List.of(id));
            }
            removed.add(id);
            return;
        }
        removed.remove(id);
        CameraAssignments.Definition def;
        try {
            def = CameraAssignments.decode(r.value());
            if (!def.cameraId().equals(id)) {
                throw new IllegalArgumentException("its id is '" + def.cameraId() + "'");
            }
        } catch (RuntimeException e) {
            refuse(id, r.partition(), null, "unreadable definition on " + settings.topic() + " (partition " + r.partition()
                    + ", offset " + r.offset() + "): " + e.getMessage());
            return;
        }
        if (current != null && current.definition() != null && current.definition().sameStream(def)) {
            return; // re-imported unchanged, or only its calibration changed: the stream goes on
        }
        if (current != null) {
            LOG.info("worker {}: camera {} changed; restarting it", settings.workerId(), id);
            stopAll(List.of(id));
        }
        try {
            CameraStream s = new CameraStream(id, def.url(), def.zones(), settings.stream(), sink);
            running.put(id, new Running(r.partition(), def, s, null));
            s.start();
            LOG.info("worker {}: camera {} started ({})", settings.workerId(), id, s.source().kind().name().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            refuse(id, r.partition(), def, e.getMessage());
        }
    }

    private void refuse(String id, int partition, CameraAssignments.Definition def, String reason) {
        String message = reason.startsWith("camera " + id) ? reason : "camera " + id + ": " + reason;
        LOG.error("worker {}: {}; not run until its definition changes", settings.workerId(), message);
        running.put(id, new Running(partition, def, null, new CameraHealth(id, CameraHealth.State.REFUSED, 0, 0, 0, 0, 0, 0, 1,
                message, settings.stream().keyFramesOnly())));
    }

    private void stopPartitions(Collection<TopicPartition> gone, String how) {
        Set<Integer> numbers = numbers(gone);
        List<String> ids = running.entrySet().stream().filter(e -> numbers.contains(e.getValue().partition())).map(Map.Entry::getKey).toList();
        if (!gone.isEmpty()) {
            LOG.info("worker {}: partitions {} {}; stopping {} camera(s)", settings.workerId(), numbers, how, ids.size());
        }
        stopAll(ids);
        Set<Integer> now = new HashSet<>(partitions);
        now.removeAll(numbers);
        partitions = Set.copyOf(now);
    }

    /** Stops cameras together: each may wait out a blocked read, so one after another could take long. */
    private void stopAll(List<String> ids) {
        List<Thread> closing = new ArrayList<>();
        for (String id : ids) {
            Running r = running.remove(id);
            if (r != null && r.stream() != null) {
                Thread t = new Thread(r.stream()::close, "camera-stop-" + id);
                t.start();
                closing.add(t);
            }
        }
        for (Thread t : closing) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Set<Integer> numbers(Collection<TopicPartition> parts) {
        Set<Integer> out = new HashSet<>();
        for (TopicPartition tp : parts) {
            out.add(tp.partition());
        }
        return Set.copyOf(out);
    }

    /** Stops every camera and leaves the group, so that the other workers take its cameras at once. */
    @Override
    public void close() {
        stopped = true;
        consumer.wakeup();
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
