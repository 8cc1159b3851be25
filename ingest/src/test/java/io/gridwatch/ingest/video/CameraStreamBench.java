package io.gridwatch.ingest.video;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU cost of one sampled 1080p key frame through CameraStream: demux of the whole stream, decode
 * of key frames only, the change gate, and (for frames let through) the downscaled JPEG. A 1080p25
 * H.264 clip with a key frame every 2 s is read unpaced, so the figure is CPU per sampled frame, not
 * a count of live streams. Prints figures, asserts nothing about time (PRACTICES.md 15). Not part of
 * the suite (no *Test name):
 * {@code mvn -o -pl ingest test -Dtest=CameraStreamBench -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.seconds=20]}.
 */
class CameraStreamBench {

    @TempDir
    Path dir;

    @Test
    void costPerSampled1080pKeyFrame() throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 20);
        Path moving = dir.resolve("moving1080.mp4");
        Path still = dir.resolve("still1080.mp4");
        // testsrc2 moves everywhere (every sample passes the gate); a still picture is gated
        ffmpeg("testsrc2=s=1920x1080:r=25", moving);
        ffmpeg("smptehdbars=s=1920x1080:r=25", still);
        System.out.printf(Locale.ROOT, "clips: %d and %d bytes, 20 s each, 1080p25 H.264 (libx264 preset veryfast), key frame every 2 s%n",
                Files.size(moving), Files.size(still));
        StreamSettings gated = StreamSettings.DEFAULTS.withPaceFiles(false);
        run(moving, seconds, gated.withChangeThreshold(1e-6), "every sample changed (all JPEG-encoded)");
        run(moving, seconds, gated, "default gate (testsrc2 changes too little inside the picture: mostly gated)");
        run(still, seconds, gated, "default gate, still picture");
    }

    /** Resident memory per 1080p camera: {@code bench.cameras} streams of one clip, read in real time. */
    @Test
    void memoryPer1080pCamera() throws Exception {
        int n = Integer.getInteger("bench.cameras", 10);
        Path clip = dir.resolve("moving1080.mp4");
        ffmpeg("testsrc2=s=1920x1080:r=25", clip);
        StreamSettings s = StreamSettings.DEFAULTS.withChangeThreshold(1e-6); // paced, every sample encoded
        try (CameraStream warm = new CameraStream("warm", clip.toString(), List.of(), s.withPaceFiles(false), f -> { }).start()) {
            Thread.sleep(3000); // natives loaded and mapped before the baseline
        }
        System.gc();
        long rss0 = rssKb();
        long heap0 = usedHeap();
        List<CameraStream> cams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cams.add(new CameraStream("mem-" + i, clip.toString(), List.of(), s, f -> { }).start());
        }
        Thread.sleep(12_000);
        long out = cams.stream().mapToLong(c -> c.health().framesOut()).sum();
        System.gc();
        long rss1 = rssKb();
        long heap1 = usedHeap();
        for (CameraStream c : cams) {
            c.close();
        }
        System.out.printf(Locale.ROOT, "%d cameras of 1080p25 H.264, real time, %d frames let through: RSS +%.1f MB (%.1f MB a camera), heap after GC +%.1f MB%n",
                n, out, (rss1 - rss0) / 1024.0, (rss1 - rss0) / 1024.0 / n, (heap1 - heap0) / 1e6);
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static void run(Path clip, int seconds, StreamSettings s, String what) throws Exception {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicLong bytes = new AtomicLong();
        // one camera: the figure is CPU per frame; more cameras only share the same cores
        List<CameraStream> cams = new ArrayList<>();
        CameraStream warm = new CameraStream("warm", clip.toString(), List.of(), s, f -> { }).start();
        Thread.sleep(3000); // natives loaded, JIT warm
        warm.close();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        cams.add(new CameraStream("bench", clip.toString(), List.of(), s, f -> bytes.addAndGet(f.jpeg().length)).start());
        Thread.sleep(seconds * 1000L);
        CameraHealth h = cams.get(0).health();
        long cpu = os.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - t0;
        for (CameraStream c : cams) {
            c.close();
        }
        double msPerFrame = cpu / 1e6 / h.framesIn();
        System.out.printf(Locale.ROOT,
                "%s, %s: %d key frames decoded, %d let through (%.0f KB JPEG mean) in %.1f s wall, %.1f s CPU: %.1f ms CPU a decoded frame"
                        + " -> %.0f cameras per core at one frame every 2 s%n",
                clip.getFileName(), what, h.framesIn(), h.framesOut(), h.framesOut() == 0 ? 0 : bytes.get() / 1024.0 / h.framesOut(), wall / 1e9,
                cpu / 1e9, msPerFrame, 2000 / msPerFrame);
    }

    private static void ffmpeg(String source, Path out) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", "20", "-c:v", "libx264",
                "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ffmpeg failed: " + log);
        }
    }
}
