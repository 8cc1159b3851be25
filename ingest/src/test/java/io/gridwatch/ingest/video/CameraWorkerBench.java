package io.gridwatch.ingest.video;

import io.gridwatch.camera.Camera;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory and CPU a camera costs a camera ingest worker: {@code bench.cameras} live 1080p25 H.264 cameras (ffmpeg serving a
 * clip as MPEG-TS over TCP in real time, a key frame every 2 s), read through one {@link CameraWorker} that got them from
 * the registry topic, every sample JPEG-encoded and counted (not sent to Kafka). Prints RSS after GC minus the worker's before, per camera,
 * and this JVM's CPU per camera over {@code bench.seconds}. Prints figures, asserts nothing about them (PRACTICES.md 15).
 * Not part of the suite (no *Test name):
 * {@code mvn -o -pl ingest -am test -Dtest=CameraWorkerBench -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.cameras=8 -Dbench.seconds=30]}.
 */
class CameraWorkerBench {

    @TempDir
    Path dir;

    @Test
    void memoryAndCpuPerLiveCamera() throws Exception {
        int n = Integer.getInteger("bench.cameras", 8);
        int seconds = Integer.getInteger("bench.seconds", 30);
        Path clip = dir.resolve("moving1080.mp4");
        Process enc = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=25", "-t", "20", "-c:v", "libx264",
                "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p", clip.toString()).redirectErrorStream(true).start();
        if (!enc.waitFor(300, TimeUnit.SECONDS) || enc.exitValue() != 0) {
            throw new IllegalStateException("ffmpeg failed: " + new String(enc.getInputStream().readAllBytes()));
        }
        String topic = CameraWorkerTest.freshTopic();
        List<Process> servers = new ArrayList<>();
        List<Camera> cams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int port = TestClips.freePort();
            servers.add(TestClips.serveTcp(clip, port));
            cams.add(CameraWorkerTest.camera("bench-" + i, "tcp://127.0.0.1:" + port));
        }
        AtomicLong frames = new AtomicLong();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (CameraWorker w = new CameraWorker(settings(topic), f -> frames.incrementAndGet()).start()) {
            // natives loaded and the group joined before the baseline: a warm-up camera, then none
            CameraAssignments.publish(TestServices.shared().kafkaBootstrap(), topic, List.of(CameraWorkerTest.camera("warm", clip.toString())), List.of());
            CameraWorkerTest.await(() -> frames.get() >= 3, "the warm-up camera");
            CameraAssignments.publish(TestServices.shared().kafkaBootstrap(), topic, List.of(), List.of("warm"));
            CameraWorkerTest.await(() -> w.health().isEmpty(), "the warm-up camera gone");
            System.gc();
            long rss0 = rssKb();
            CameraAssignments.publish(TestServices.shared().kafkaBootstrap(), topic, cams, List.of());
            CameraWorkerTest.await(() -> w.health().size() == n && w.health().stream().allMatch(h -> h.framesOut() > 0), "every camera sending");
            long f0 = frames.get();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu = os.getProcessCpuTime() - cpu0;
            double wall = (System.nanoTime() - t0) / 1e9;
            long sent = frames.get() - f0;
            System.gc();
            long rss1 = rssKb();
            long errors = w.health().stream().mapToLong(CameraHealth::errors).sum();
            System.out.printf(Locale.ROOT, "WORKER BENCH: %d live 1080p25 cameras (MPEG-TS over TCP, key frame every 2 s) on one worker: RSS +%.1f MB "
                            + "(%.1f MB a camera); CPU %.1f%% of a core over %.0f s (%.2f%% a camera; %.1f ms a frame let through, %d frames, %d errors)%n",
                    n, (rss1 - rss0) / 1024.0, (rss1 - rss0) / 1024.0 / n, 100.0 * cpu / 1e9 / wall, wall, 100.0 * cpu / 1e9 / wall / n,
                    sent == 0 ? 0 : cpu / 1e6 / sent, sent, errors);
        } finally {
            for (Process p : servers) {
                TestClips.stop(p);
            }
        }
    }

    /** Every sample JPEG-encoded (testsrc2 changes too little for the default gate), as in CameraStreamBench. */
    private static CameraWorker.Settings settings(String topic) {
        CameraWorker.Settings t = CameraWorkerTest.settings(topic, "bench-" + UUID.randomUUID(), "bench");
        return new CameraWorker.Settings(t.kafkaBootstrap(), t.topic(), t.groupId(), t.workerId(), t.sessionTimeout(), t.heartbeatInterval(),
                t.stream().withChangeThreshold(1e-6));
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
