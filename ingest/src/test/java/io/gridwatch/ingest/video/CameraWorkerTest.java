package io.gridwatch.ingest.video;

import io.gridwatch.camera.Camera;
import io.gridwatch.camera.CameraFile;
import io.gridwatch.testkit.TestServices;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Camera ingest workers sharing cameras through a consumer group on a compacted registry topic: real Kafka, real H.264
 * files read in real time, a worker in its own JVM killed with SIGKILL.
 */
class CameraWorkerTest {

    /** Files paced as a camera sends them (a key frame every 2 s), quick reconnects. */
    static final StreamSettings STREAM = StreamSettings.DEFAULTS.withTimeouts(Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(1));

    @TempDir
    static Path dir;
    static Path moving;
    static Path still;

    @BeforeAll
    static void clips() {
        moving = TestClips.clip(dir, "moving.mp4", 10, TestClips.MOVING_TOP);
        still = TestClips.clip(dir, "still.mp4", 10, null);
    }

    /** A fresh registry topic laid out as {@link io.gridwatch.topics.Topics#CAMERAS}, so that tests do not see each other's cameras. */
    static String freshTopic() throws Exception {
        String topic = "gw.camerastest" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ".v1";
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.shared().kafkaBootstrap());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, io.gridwatch.topics.Topics.CAMERAS.partitions(), (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get();
        }
        return topic;
    }

    static Camera camera(String id, String url) {
        return CameraFile.read(String.format("""
                cameras:
                  - id: %s
                    url: "%s"
                    location: {lon: 121.6431, lat: 38.9152}
                    zones:
                      - {name: top, purpose: roadway, polygon: [[0,0],[1,0],[1,0.5],[0,0.5]]}
                """, id, url), "test", CameraFile.Checks.FORMAT_ONLY).get(0);
    }

    static CameraWorker.Settings settings(String topic, String group, String worker) {
        return new CameraWorker.Settings(TestServices.shared().kafkaBootstrap(), topic, group, worker,
                CameraWorker.Settings.DEFAULT_SESSION_TIMEOUT, CameraWorker.Settings.DEFAULT_HEARTBEAT, STREAM);
    }

    @Test
    void twoWorkersShareTheCamerasFollowTheRegistryAndKeepBadCamerasToThemselves() throws Exception {
        String topic = freshTopic();
        String group = "cw-" + UUID.randomUUID();
        List<String> ids = List.of("cw-a", "cw-b", "cw-c", "cw-d", "cw-e", "cw-f");
        List<Camera> cams = new ArrayList<>();
        for (String id : ids) {
            cams.add(camera(id, moving.toString()));
        }
        CameraAssignments.publish(TestServices.shared().kafkaBootstrap(), topic, cams, List.of());
        Map<String, List<SampledFrame>> byOne = new ConcurrentHashMap<>();
        Map<String, List<SampledFrame>> byTwo = new ConcurrentHashMap<>();
        try (CameraWorker one = new CameraWorker(settings(topic, group, "w1"), f -> byOne.computeIfAbsent(f.cameraId(), k -> new CopyOnWriteArrayList<>()).add(f)).start();
             CameraWorker two = new CameraWorker(settings(topic, group, "w2"), f -> byTwo.computeIfAbsent(f.cameraId(), k -> new CopyOnWriteArrayList<>()).add(f)).start()) {
            await(() -> one.partitions().size() == 8 && two.partitions().size() == 8 && running(one).size() + running(two).size() == ids.size(),
                    "the 16 partitions split 8/8 and every camera running once");
            Set<String> onOne = running(one);
            Set<String> onTwo = running(two);
            assertThat(onOne).isNotEmpty().doesNotContainAnyElementsOf(onTwo);
            assertThat(onTwo).isNotEmpty();
            assertThat(union(onOne, onTwo)).containsExactlyInAnyOrderElementsOf(ids);
            // the first worker may have held every camera until the second joined: count only frames sent since the split
            byOne.clear();
            byTwo.clear();
            await(() -> ids.stream().allMatch(id -> byOne.containsKey(id) || byTwo.containsKey(id)), "frames from every camera");
            assertThat(byOne.keySet()).isEqualTo(onOne); // each camera's frames come from the worker that holds it
            assertThat(byTwo.keySet()).isEqualTo(onTwo);

            // the registry changes: one camera gets another URL, one is removed, two are broken
            String changed = onOne.iterator().next();
            String removed = onTwo.iterator().next();
            int closedPort = TestClips.freePort();
            CameraAssignments.publish(TestServices.shared().kafkaBootstrap(), topic,
                    List.of(camera(changed, still.toString()), camera("cw-wrong", "tcp://127.0.0.1:" + closedPort),
                            camera("cw-missing", dir.resolve("gone.mp4").toString())), List.of(removed));
            Map<String, List<SampledFrame>> mine = byOne;
            int before = mine.get(changed).size();
            await(() -> mine.get(changed).size() > before && bright(last(mine.get(changed))) == 0, "the changed camera restarted on the still clip");
            await(() -> !running(one).contains(removed) && !running(two).contains(removed), "the removed camera stopped");
            assertThat(two.drainRemoved()).as("the worker that held it").containsExactly(removed);
            assertThat(one.drainRemoved()).isEmpty();
            CameraHealth wrong = awaitHealth(one, two, "cw-wrong", h -> h.errors() >= 2);
            assertThat(wrong.lastError()).contains("tcp://127.0.0.1:" + closedPort).contains("Connection refused");
            CameraHealth missing = awaitHealth(one, two, "cw-missing", h -> true);
            assertThat(missing.state()).isEqualTo(CameraHealth.State.REFUSED);
            assertThat(missing.lastError()).startsWith("camera cw-missing: ").contains("neither a stream URL nor an existing file");
            // the others went on: frames of every remaining camera keep coming, none of them saw an error
            Map<String, Integer> counts = new ConcurrentHashMap<>();
            for (String id : ids) {
                if (!id.equals(removed) && !id.equals(changed)) { // the still clip passes the change gate once a minute
                    counts.put(id, frames(byOne, byTwo, id));
                }
            }
            await(() -> counts.entrySet().stream().allMatch(e -> frames(byOne, byTwo, e.getKey()) > e.getValue()), "frames from the good cameras go on");
            for (CameraWorker w : List.of(one, two)) {
                for (CameraHealth h : w.health()) {
                    if (ids.contains(h.cameraId())) {
                        assertThat(h.errors()).as(h.cameraId()).isZero();
                        assertThat(h.state()).as(h.cameraId()).isEqualTo(CameraHealth.State.ONLINE);
                    }
                }
            }
            int removedFrames = frames(byOne, byTwo, removed);
            Thread.sleep(2_500);
            assertThat(frames(byOne, byTwo, removed)).as("no frames after removal").isLessThanOrEqualTo(removedFrames);
        }
    }

    @Test
    void aKilledWorkersCamerasMoveToTheOtherWithin30Seconds() throws Exception {
        String topic = freshTopic();
        String group = "cw-kill-" + UUID.randomUUID();
        List<String> ids = List.of("kill-1", "kill-2", "kill-3", "kill-4", "kill-5", "kill-6");
        List<Camera> cams = new ArrayList<>();
        for (String id : ids) {
            cams.add(camera(id, moving.toString()));
        }
        CameraAssignments.publish(TestServices.shared().kafkaBootstrap(), topic, cams, List.of());
        Map<String, Long> childFrames = new ConcurrentHashMap<>();
        List<String> childOut = new CopyOnWriteArrayList<>();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CameraWorkerProcess.class.getName(),
                TestServices.shared().kafkaBootstrap(), topic, group, "w-child").redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("frame ")) {
                        childFrames.put(line.substring(6), System.currentTimeMillis());
                    } else {
                        childOut.add(line);
                    }
                }
            } catch (Exception e) {
                // killed
            }
        }, "child-worker-output");
        reader.setDaemon(true);
        reader.start();
        Map<String, Long> firstHere = new ConcurrentHashMap<>();
        try {
            await(() -> childOut.contains("joined") && childFrames.keySet().containsAll(ids), "the child worker runs every camera");
            try (CameraWorker here = new CameraWorker(settings(topic, group, "w-here"), f -> firstHere.putIfAbsent(f.cameraId(), System.currentTimeMillis())).start()) {
                await(() -> here.partitions().size() == 8, "the partitions split between the two workers");
                await(() -> running(here).size() >= 1, "cameras here");
                Thread.sleep(1_000);
                Set<String> onChild = new HashSet<>(ids);
                onChild.removeAll(running(here));
                assertThat(onChild).as("cameras left on the child worker").isNotEmpty();
                long t0 = System.currentTimeMillis();
                child.destroyForcibly(); // SIGKILL: no goodbye to the group, only the session timeout tells
                child.waitFor();
                await(() -> firstHere.keySet().containsAll(onChild), "the killed worker's cameras sending from here");
                long moved = onChild.stream().mapToLong(firstHere::get).max().orElseThrow() - t0;
                System.out.printf("FAILOVER: %d camera(s) of a worker killed with SIGKILL sent frames from the other worker after %,d ms "
                        + "(session timeout %d s, heartbeat %d s)%n", onChild.size(), moved,
                        CameraWorker.Settings.DEFAULT_SESSION_TIMEOUT.toSeconds(), CameraWorker.Settings.DEFAULT_HEARTBEAT.toSeconds());
                assertThat(moved).isLessThan(30_000L);
                assertThat(running(here)).containsExactlyInAnyOrderElementsOf(ids);
            }
        } finally {
            child.destroyForcibly();
        }
    }

    static Set<String> running(CameraWorker w) {
        return w.health().stream().map(CameraHealth::cameraId).collect(Collectors.toSet());
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    static int frames(Map<String, List<SampledFrame>> a, Map<String, List<SampledFrame>> b, String id) {
        return a.getOrDefault(id, List.of()).size() + b.getOrDefault(id, List.of()).size();
    }

    static SampledFrame last(List<SampledFrame> l) {
        return l.get(l.size() - 1);
    }

    static int bright(SampledFrame f) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.jpeg()));
            int n = 0;
            for (int y = 0; y < img.getHeight() / 2; y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    n += ((img.getRGB(x, y) >> 8) & 0xff) > 200 ? 1 : 0;
                }
            }
            return n;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static CameraHealth awaitHealth(CameraWorker a, CameraWorker b, String id, java.util.function.Predicate<CameraHealth> cond) throws InterruptedException {
        CameraHealth[] found = new CameraHealth[1];
        await(() -> {
            for (CameraWorker w : List.of(a, b)) {
                for (CameraHealth h : w.health()) {
                    if (h.cameraId().equals(id) && cond.test(h)) {
                        found[0] = h;
                        return true;
                    }
                }
            }
            return false;
        }, "health of " + id);
        return found[0];
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
