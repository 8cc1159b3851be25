package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.ingest.video.CameraStream;
import io.gridwatch.ingest.video.FrameSink;
import io.gridwatch.ingest.video.StreamSettings;
import io.gridwatch.json.Json;
import io.gridwatch.models.scene.CameraScenario;
import io.gridwatch.store.CameraStore;
import io.gridwatch.store.Database;
import io.gridwatch.topics.Topics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Issue 12's latency target, end to end: <b>from the frame that confirms a problem to its case on {@code gw.cases.v1}</b>.
 * N cameras (default 8) play generated H.264 stall clips ({@link CameraScenario} STALL: empty plaza, a stall set up,
 * staying, taken away; looped, so every pass is one case) through the real ingest path ({@link CameraStream} paced as a
 * camera, {@link FrameSink} → {@code gw.frames.v1}) into the pipeline job on a MiniCluster at parallelism 2 (as
 * {@link VideoPipelineTest} builds it), with short dwell rules pushed as data (stay 4 s, forgive 3 s gaps, clear after 3 s).
 *
 * <p>For each case's {@code new} message: the capture time of its confirmed evidence frame (the case's {@code confirmed}
 * picture's {@code ts}) → (a) the raised detection appended to {@code gw.detections.v1}, (b) the case record appended to
 * {@code gw.cases.v1} (both seen by read_uncommitted consumers: the job's own work, before any checkpoint), and (c) the
 * moment a read_committed consumer reads the case (what every reader sees: after the checkpoint that commits it).
 * Prints n, p50, p90, p99 and max of each for every checkpoint interval asked, with the checkpoints' count and duration and
 * the process's CPU (what a shorter interval costs). Figures, not assertions (PRACTICES.md 15); not in the suite (no *Test
 * name):
 * <pre>
 * mvn -B -o -pl flink-jobs -am test -Dtest=CaseLatencyBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.cameras=8] [-Dbench.seconds=180] [-Dbench.warmup=30] [-Dbench.checkpoints=5,1] [-Dbench.render_threads=2]
 * </pre>
 */
class CaseLatencyBench {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static final int CAMERAS = Integer.getInteger("bench.cameras", 8);
    static final int SECONDS = Integer.getInteger("bench.seconds", 180);
    static final int WARMUP = Integer.getInteger("bench.warmup", 30);
    static final int RENDER_THREADS = Integer.getInteger("bench.render_threads", VideoDetectionFunction.Settings.DEFAULT_RENDER_THREADS);
    static final List<Integer> CHECKPOINTS = Arrays.stream(System.getProperty("bench.checkpoints", "5,1").split(","))
            .map(String::trim).map(Integer::parseInt).toList();
    /** Clips of different seeds, shared by the cameras (camera i plays clip i mod CLIPS). */
    static final int CLIPS = 3;
    /** A clip frame stands for 15 scene seconds, and clips play at 5 frames a second: 10 + 15 + 10 scene minutes = 28 s a pass. */
    static final double SECONDS_PER_FRAME = 15;

    static PipelineHarness it;
    static GridIndex grids;
    static Path root;
    @TempDir
    static Path dir;
    static final List<Path> clips = new ArrayList<>();
    static final List<CameraScenario> scenarios = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        it = new PipelineHarness();
        root = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath();
        grids = new GridIndex(GridCache.dalian(root.resolve("var/cache"), GridwatchConfig.defaults().grids()));
        for (int i = 0; i < CLIPS; i++) {
            CameraScenario s = CameraScenario.of(CameraScenario.Kind.STALL, 1 + i, SECONDS_PER_FRAME, 10, 15, 10);
            Path clip = dir.resolve("stall-" + i + ".mp4");
            s.write(clip);
            scenarios.add(s);
            clips.add(clip);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    @Test
    void confirmingFrameToCaseOnTheCasesTopic(@InjectMiniCluster MiniCluster cluster) throws Exception {
        List<String> report = new ArrayList<>();
        for (int interval : CHECKPOINTS) {
            report.addAll(run(cluster, interval));
        }
        System.out.println();
        System.out.println("=== CaseLatencyBench: " + CAMERAS + " cameras, " + SECONDS + " s each run (first " + WARMUP
                + " s not counted), render threads " + RENDER_THREADS + ", parallelism 2, " + Runtime.getRuntime().availableProcessors() + " cores");
        report.forEach(System.out::println);
    }

    private List<String> run(MiniCluster cluster, int checkpointS) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> cams = IntStream.range(0, CAMERAS).mapToObj(i -> "lat-" + run + "-" + i).toList();
        String jdbcUrl = it.newDatabase("latency");
        register(jdbcUrl, cams);
        String group = "lat-" + run;
        it.startReadingsFromNow(group);
        it.startFromNow(group + "-frames", Topics.FRAMES);
        for (String cam : cams) {
            pushRule(cam);
        }
        SensorPipelineJob.Settings settings = it.settings(jdbcUrl, group, Duration.ofSeconds(checkpointS)).withVideo(
                new VideoDetectionFunction.Settings(jdbcUrl, it.services.postgresUser(),
                        VideoDetectionFunction.GridSource.dalian(root.resolve("var/cache").toString()),
                        EvidencePictures.files(dir.resolve("evidence-" + run).toString()), Duration.ofSeconds(60), RENDER_THREADS));
        Readers readers = new Readers(cams);
        readers.start();
        JobClient job = it.start(cluster, settings, new Configuration(), "latency bench, checkpoints " + checkpointS + " s");
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.currentTimeMillis();
        List<CameraStream> streams = new ArrayList<>();
        CheckpointStatsSnapshot stats;
        long cpu1;
        long t1;
        try (FrameSink sink = new FrameSink(it.services.kafkaBootstrap(), "lat-" + run)) {
            long passMs = scenarios.get(0).frames() * 1000L / io.gridwatch.models.scene.SceneClip.FPS;
            for (int i = 0; i < CAMERAS; i++) {
                // staggered over one pass, so that cases do not all come at once
                Thread.sleep(passMs / CAMERAS);
                streams.add(feed(cams.get(i), clips.get(i % CLIPS), sink));
            }
            Thread.sleep(Math.max(0, t0 + SECONDS * 1000L - System.currentTimeMillis()));
            streams.forEach(CameraStream::close);
            streams.clear();
            cpu1 = os.getProcessCpuTime();
            t1 = System.currentTimeMillis();
            // what was confirmed by now reaches the topic within a few checkpoints
            Thread.sleep(Math.max(15, 3L * checkpointS) * 1000L);
        } finally {
            streams.forEach(CameraStream::close);
            stats = cluster.getExecutionGraph(job.getJobID()).get().getCheckpointStatsSnapshot();
            PipelineHarness.cancel(job);
            readers.close();
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();

        List<Long> toDetection = new ArrayList<>();
        List<Long> toAppend = new ArrayList<>();
        List<Long> toCommitted = new ArrayList<>();
        int noConfirmed = 0;
        int notCommitted = 0;
        for (CaseSeen c : readers.cases.values()) {
            if (c.confirmTs == null) {
                noConfirmed++;
                continue;
            }
            if (c.confirmTs < t0 + WARMUP * 1000L || c.confirmTs > t1) {
                continue;
            }
            if (c.committedAt == null) {
                notCommitted++;
                continue;
            }
            toCommitted.add(c.committedAt - c.confirmTs);
            if (c.uncommittedAt != null) {
                toAppend.add(c.uncommittedAt - c.confirmTs);
            }
            Long d = readers.raisedAt.get(c.problemKey + "@" + c.confirmTs);
            if (d != null) {
                toDetection.add(d - c.confirmTs);
            }
        }
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "-- checkpoint interval %d s: %d checkpoints completed (avg duration %d ms), process CPU %.2f cores "
                        + "over the %d s run; load average %s -> %s", checkpointS,
                stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints(),
                stats == null || stats.getSummaryStats().getEndToEndDurationStats().getCount() == 0 ? -1
                        : stats.getSummaryStats().getEndToEndDurationStats().getAverage(),
                (cpu1 - cpu0) / 1e6 / Math.max(1, t1 - t0), (t1 - t0) / 1000, loadBefore, loadAfter));
        out.add("   confirming frame -> raised detection on gw.detections.v1 (uncommitted): " + stats(toDetection));
        out.add("   confirming frame -> case record on gw.cases.v1 (uncommitted, before the commit): " + stats(toAppend));
        out.add("   confirming frame -> case read with read_committed (what readers see):     " + stats(toCommitted));
        if (noConfirmed > 0 || notCommitted > 0) {
            out.add("   " + noConfirmed + " case(s) without a confirmed picture, " + notCommitted + " not committed by the end (not counted)");
        }
        out.forEach(System.out::println);
        return out;
    }

    static String stats(List<Long> ms) {
        if (ms.isEmpty()) {
            return "n 0";
        }
        long[] a = ms.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "n %d, p50 %d ms, p90 %d ms, p99 %d ms, max %d ms", a.length, pct(a, 50), pct(a, 90), pct(a, 99),
                a[a.length - 1]);
    }

    /** Nearest-rank percentile. */
    static long pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    // ---- cameras ---------------------------------------------------------------------------------------------------

    void register(String jdbcUrl, List<String> ids) {
        StringBuilder yaml = new StringBuilder("cameras:\n");
        for (int i = 0; i < ids.size(); i++) {
            String entry = scenarios.get(i % CLIPS).cameraYaml(ids.get(i), clips.get(i % CLIPS).toString());
            // every scenario looks at the same plaza: each camera is moved 35 m east of the one before (location and
            // calibration alike), or their stalls would be one problem seen by many cameras, one case (CaseMerger)
            yaml.append(shiftEast(entry.substring(entry.indexOf('\n') + 1), i * CAMERA_SPACING_DEG));
        }
        List<Camera> cameras = CameraFile.read(yaml.toString(), "bench cameras", new CameraFile.Checks(grids::lookup, null));
        try (Database db = it.open(jdbcUrl)) {
            new CameraStore(db.dataSource()).upsert(cameras, grids::lookup);
        }
    }

    /** Longitude between two cameras' scenes (≈ 35 m at Dalian's latitude, beyond {@code CaseMerger}'s 25 m for stalls). */
    static final double CAMERA_SPACING_DEG = 0.0004;

    /** The YAML with every longitude (Dalian's lie between 120 and 124) moved by {@code deg}. */
    static String shiftEast(String yaml, double deg) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b12[0-4]\\.\\d+").matcher(yaml);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, String.format(Locale.ROOT, "%.7f", Double.parseDouble(m.group()) + deg));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A short dwell rule for the camera's plaza zone: stay 4 s, forgive 3 s gaps, end after 3 s unseen, no latest pictures. */
    void pushRule(String camera) throws Exception {
        String id = "stall." + camera;
        String zone = scenarios.get(0).zones().get(0).name();
        it.pushRule(id, "{\"schema\":1,\"rule_id\":\"" + id + "\",\"family\":\"dwell.stall\",\"kind\":\"dwell\","
                + "\"scope\":{\"camera\":\"" + camera + "\",\"zone\":\"" + zone + "\"},\"object\":\"stall\","
                + "\"category\":{\"kind\":\"event\",\"code\":\"0501\"},\"stay_s\":4,\"max_gap_s\":3,\"clear_s\":3,"
                + "\"min_score\":0.6,\"latest_every_s\":3600}");
    }

    /** The camera playing {@code clip} in a loop as a camera sends it (paced; one frame every 800 ms sampled). */
    static CameraStream feed(String camera, Path clip, FrameSink sink) {
        StreamSettings s = StreamSettings.DEFAULTS.withKeyFramesOnly(false).withSampleInterval(Duration.ofMillis(800))
                .withHeartbeat(Duration.ofMillis(500)).withPaceFiles(true);
        return new CameraStream(camera, clip.toString(), List.of(), s, sink).start();
    }

    // ---- readers ---------------------------------------------------------------------------------------------------

    static final class CaseSeen {
        String problemKey;
        Long confirmTs;
        Long uncommittedAt;
        Long committedAt;
    }

    /** Two consumers from the topics' ends: read_committed (what readers see) and read_uncommitted (when the job wrote it). */
    static final class Readers implements AutoCloseable {
        final Map<String, CaseSeen> cases = new ConcurrentHashMap<>();
        /** problem key @ detection ts → when the raised detection was seen (uncommitted). */
        final Map<String, Long> raisedAt = new ConcurrentHashMap<>();
        private final List<String> cameras;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(2);

        Readers(List<String> cameras) {
            this.cameras = cameras;
        }

        void start() throws InterruptedException {
            threads.add(reader("read_committed", true));
            threads.add(reader("read_uncommitted", false));
            threads.forEach(Thread::start);
            ready.await();
        }

        private Thread reader(String isolation, boolean committed) {
            return new Thread(() -> {
                Properties p = new Properties();
                p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, it.services.kafkaBootstrap());
                p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
                p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
                try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                    List<TopicPartition> parts = Stream.concat(
                            IntStream.range(0, Topics.CASES.partitions()).mapToObj(i -> new TopicPartition(Topics.CASES.name(), i)),
                            committed ? Stream.empty()
                                    : IntStream.range(0, Topics.DETECTIONS.partitions()).mapToObj(i -> new TopicPartition(Topics.DETECTIONS.name(), i)))
                            .toList();
                    c.assign(parts);
                    c.seekToEnd(parts);
                    parts.forEach(c::position); // resolve the end now, before the job writes
                    ready.countDown();
                    while (!stop.get()) {
                        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                            long now = System.currentTimeMillis();
                            if (r.value() != null) {
                                take(r, now, committed);
                            }
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "latency-reader-" + isolation);
        }

        private void take(ConsumerRecord<String, byte[]> r, long now, boolean committed) throws java.io.IOException {
            JsonNode n = Json.mapper().readTree(r.value());
            if (r.topic().equals(Topics.DETECTIONS.name())) {
                if (cameras.contains(n.path("source").path("id").asText()) && n.path("state").asText().equals("raised")) {
                    raisedAt.putIfAbsent(n.path("problem_key").asText() + "@" + n.path("ts").asLong(), now);
                }
                return;
            }
            if (!n.path("type").asText().equals("new")) {
                return;
            }
            JsonNode c = n.path("case");
            boolean ours = false;
            for (JsonNode s : c.path("sources")) {
                ours |= cameras.contains(s.path("id").asText());
            }
            if (!ours) {
                return;
            }
            CaseSeen seen = cases.computeIfAbsent(c.path("case_id").asText(), k -> new CaseSeen());
            synchronized (seen) {
                for (JsonNode e : c.path("evidence")) {
                    if (e.path("uri").asText().contains("-confirmed-")) {
                        seen.confirmTs = e.path("ts").asLong();
                    }
                }
                String camera = c.path("sources").get(0).path("id").asText();
                String zone = c.path("sources").get(0).path("zone").asText();
                seen.problemKey = "camera:" + camera + ":" + zone + ":stall";
                if (committed && seen.committedAt == null) {
                    seen.committedAt = now;
                } else if (!committed && seen.uncommittedAt == null) {
                    seen.uncommittedAt = now;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(5_000);
            }
        }
    }
}
