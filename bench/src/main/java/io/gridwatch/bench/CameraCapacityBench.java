package io.gridwatch.bench;

import io.gridwatch.ingest.video.CameraHealth;
import io.gridwatch.ingest.video.CameraStream;
import io.gridwatch.ingest.video.SampledFrame;
import io.gridwatch.ingest.video.StreamSettings;
import io.gridwatch.camera.CameraZone;
import io.gridwatch.camera.ImagePoint;
import io.gridwatch.detection.Detection;
import io.gridwatch.jobs.TileAnalyser;
import io.gridwatch.models.scene.CameraScenario;
import io.gridwatch.video.CameraScene;
import io.gridwatch.video.DwellRules;
import io.gridwatch.video.TileFrame;
import io.gridwatch.video.WatchedZone;
import io.gridwatch.video.ZoneTracker;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many cameras one core analyses at one frame every 2 s (issue 12's target: ≥ 40): N real 1080p25 H.264 streams with
 * a key frame every 2 s, each served by its own ffmpeg as MPEG-TS over TCP (DEPENDENCIES.md), each read by the real
 * {@link CameraStream} (key frames only, the change gate on the decoder's luma plane inside the camera's zones, colour
 * conversion and JPEG only for frames it lets through), and those frames then go through what the video job does with a
 * frame ({@code VideoDetectionFunction}, evidence pictures aside): {@link TileAnalyser#decode} (reduced JPEG decode),
 * {@link TileAnalyser#analyse(String, BufferedImage, long, List)} (both tile models on the zones' changed tiles, the
 * neighbourhood stage) and the camera's {@link CameraScene} with its state as bytes — keyed by camera onto one thread a core,
 * as Flink keys the job. Ingest and job share this JVM here; in the system they are two processes. Only this JVM's CPU
 * counts (the ffmpeg servers stand in for cameras). Content: scripted scene clips ({@link CameraScenario}, people and things
 * moving, drawn at 320×180 and scaled to 1080p with temporal sensor noise), or ffmpeg's test pattern.
 *
 * <p>{@code bench/run cameras [--cameras 8] [--seconds 60] [--content scene|pattern] [--warmup 10] [--gate 0.02]}
 */
public final class CameraCapacityBench {

    private static final int W = 1920;
    private static final int H = 1080;

    public static void main(String[] args) throws Exception {
        int cameras = 8;
        int seconds = 60;
        int warmup = 10;
        String content = "scene";
        double threshold = StreamSettings.DEFAULTS.changeThreshold();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cameras" -> cameras = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--content" -> content = args[++i];
                case "--gate" -> threshold = Double.parseDouble(args[++i]); // 1e-9: every frame passes, the worst case
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--cameras N --seconds S --warmup S --content scene|pattern --gate THRESHOLD)");
            }
        }
        if (!content.equals("scene") && !content.equals("pattern")) {
            throw new IllegalArgumentException("--content is scene or pattern, got " + content);
        }
        Path cache = Path.of(System.getProperty("gridwatch.repo.root", ".")).resolve("var/bench/cameras");
        Files.createDirectories(cache);
        List<Clip> clips = content.equals("scene") ? sceneClips(cache) : List.of(new Clip(patternClip(cache), List.of(), List.of()));
        int cores = Runtime.getRuntime().availableProcessors();
        long pid = ProcessHandle.current().pid();

        System.out.printf(Locale.ROOT, "cameras: %d × 1080p25 H.264, key frame every 2 s, content %s, change gate threshold %s; the job's "
                + "analysis on %d threads (one a core, cameras keyed onto them); %s%n", cameras, content, threshold, cores, ProcStats.loadAverage());
        DecodeSplit split = decodeSplit(clips.get(0).file);
        System.out.printf(Locale.ROOT, "one thread, from the file (demuxing included): %.1f ms CPU a 1080p key frame fully decoded, %.1f ms "
                + "with skip_loop_filter=all and flags2=fast (%s)%n", split.fullMs, split.fastMs, content);
        batchCosts();

        // the video job's analysis, keyed by camera as Flink keys it: camera c always on shard c % cores, one thread each,
        // each with its own TileAnalyser (models loaded once; per-camera scores kept) and the cameras' CameraScene state
        Shard[] shards = new Shard[cores];
        for (int i = 0; i < cores; i++) {
            shards[i] = new Shard(i, Math.max(4, cameras * 2 / cores + 2));
        }
        for (Shard sh : shards) { // load the models on every shard thread before measuring
            sh.pool.submit(() -> sh.analyser()).get();
        }
        System.gc();
        long rssBefore = rssKb(pid);
        long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();

        AtomicLong detected = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicLong late = new AtomicLong();
        AtomicLong jpegDecodeNs = new AtomicLong();
        AtomicLong analyseNs = new AtomicLong();
        AtomicLong sceneNs = new AtomicLong();
        AtomicLong detections = new AtomicLong();
        AtomicLong jpegBytes = new AtomicLong();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<Process> servers = new ArrayList<>();
        List<CameraStream> streams = new ArrayList<>();
        boolean[] measuring = {false};
        try {
            for (int c = 0; c < cameras; c++) {
                Clip clip = clips.get(c % clips.size());
                int port = freePort();
                servers.add(new ProcessBuilder("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip.file.toString(), "-c", "copy",
                        "-f", "mpegts", "tcp://127.0.0.1:" + port + "?listen=1").redirectErrorStream(true)
                        .redirectOutput(cache.resolve("server-" + c + ".log").toFile()).start());
                Thread.sleep(300);
                StreamSettings settings = StreamSettings.DEFAULTS.withChangeThreshold(threshold);
                String id = "bench-" + c;
                List<CameraZone> zones = clip.cameraZones;
                Shard shard = shards[c % cores];
                streams.add(new CameraStream(id, "tcp://127.0.0.1:" + port, clip.zones, settings, frame -> {
                    try {
                        shard.pool.execute(() -> {
                            // what VideoDetectionFunction.processElement does with a frame, evidence pictures aside
                            ThreadCpu cpu = new ThreadCpu(mx);
                            BufferedImage img = TileAnalyser.decode(frame.jpeg());
                            long t1 = cpu.ns();
                            byte[] state = shard.scenes.get(id);
                            CameraScene scene = state == null ? new CameraScene() : CameraScene.fromBytes(state);
                            long t1b = cpu.ns();
                            TileFrame tiles = shard.analyser().analyse(id, img, frame.captureTime(), zones, scene.baseline());
                            long t2 = cpu.ns();
                            List<WatchedZone> wz = new ArrayList<>();
                            for (CameraZone z : zones) {
                                wz.add(WatchedZone.of(z, tiles));
                            }
                            int n = scene.onFrame(id, tiles, wz, RULES, PICTURES, PLACE).detections().size();
                            shard.scenes.put(id, scene.toBytes());
                            long t3 = cpu.ns();
                            if (measuring[0]) {
                                jpegBytes.addAndGet(frame.jpeg().length);
                                jpegDecodeNs.addAndGet(t1);
                                analyseNs.addAndGet(t2 - t1b);
                                sceneNs.addAndGet(t3 - t2 + t1b - t1);
                                detected.incrementAndGet();
                                detections.addAndGet(n);
                                if (System.currentTimeMillis() - frame.captureTime() > 2000) {
                                    late.incrementAndGet();
                                }
                            }
                        });
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        if (measuring[0]) {
                            dropped.incrementAndGet(); // the shard is behind by two frames a camera: a frame not analysed
                        }
                    }
                }).start());
            }
            Thread.sleep(warmup * 1000L);
            long[] in0 = new long[cameras];
            long[] out0 = new long[cameras];
            for (int c = 0; c < cameras; c++) {
                CameraHealth h = streams.get(c).health();
                in0[c] = h.framesIn();
                out0[c] = h.framesOut();
            }
            long camCpu0 = threadCpu(mx, "camera-");
            long detCpu0 = threadCpu(mx, "detect-");
            long[] stages0 = stages(streams);
            long[] an0 = analysed(shards);
            double jvm0 = ProcStats.cpuSeconds(pid);
            long t0 = System.nanoTime();
            measuring[0] = true;
            Thread.sleep(seconds * 1000L);
            measuring[0] = false;
            double wall = (System.nanoTime() - t0) / 1e9;
            double jvmCpu = ProcStats.cpuSeconds(pid) - jvm0;
            long camCpu = threadCpu(mx, "camera-") - camCpu0;
            long detCpu = threadCpu(mx, "detect-") - detCpu0;
            long[] stages1 = stages(streams);
            long[] an1 = analysed(shards);
            long rssAfter = rssKb(pid);
            long heapAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
            String load = ProcStats.loadAverage();

            long sampled = 0;
            long passed = 0;
            System.out.println("camera      key frames  passed gate  state");
            for (int c = 0; c < cameras; c++) {
                CameraHealth h = streams.get(c).health();
                long in = h.framesIn() - in0[c];
                long out = h.framesOut() - out0[c];
                sampled += in;
                passed += out;
                if (c < 12 || c == cameras - 1) {
                    System.out.printf(Locale.ROOT, "bench-%-5d %10d  %11d  %s%s%n", c, in, out, h.state(), h.lastError() == null ? "" : " (" + h.lastError() + ")");
                } else if (c == 12) {
                    System.out.println("…");
                }
            }
            long expected = Math.round(cameras * wall / 2);
            double perSampledCam = sampled == 0 ? Double.NaN : camCpu / 1e6 / sampled;
            double perDetected = detected.get() == 0 ? Double.NaN : detCpu / 1e6 / detected.get();
            double jvmPerSampled = sampled == 0 ? Double.NaN : jvmCpu * 1000 / sampled;
            System.out.printf(Locale.ROOT, "over %.0f s: %,d key frames sampled (%,d expected at one per 2 s a camera: %,d missing), %,d passed the gate "
                    + "(%.0f %%), %,d analysed, %,d dropped (a shard full), %,d late (analysed > 2 s after sampling); %,d detections%n",
                    wall, sampled, expected, Math.max(0, expected - sampled), passed, 100.0 * passed / Math.max(1, sampled), detected.get(),
                    dropped.get(), late.get(), detections.get());
            long gated = stages1[4] - stages0[4];
            long encoded = stages1[5] - stages0[5];
            System.out.printf(Locale.ROOT, "INGEST (camera threads, CameraStream) %.1f ms CPU per sampled key frame: read + decode %.1f, BGR conversion "
                            + "(only pictures without 8-bit luma) %.1f, gate %.2f (per sampled frame); JPEG (shrink + MJPEG) %.1f per frame let through (thread CPU; decoding alone from the file "
                            + "%.1f ms, above)%n", perSampledCam, per(stages1[0] - stages0[0], gated), per(stages1[1] - stages0[1], gated),
                    per(stages1[2] - stages0[2], gated), per(stages1[3] - stages0[3], encoded), split.fastMs);
            System.out.printf(Locale.ROOT, "JPEG: %.0f KiB a frame on average (%d×%d)%n", jpegBytes.get() / 1024.0 / Math.max(1, detected.get()), 1280, 720);
            long frames = an1[0] - an0[0];
            System.out.printf(Locale.ROOT, "JOB (shard threads, VideoDetectionFunction's path) %.1f ms CPU per analysed frame: JPEG decode (reduced) %.1f, "
                            + "TileAnalyser %.1f [scale + thumbnails + change test %.1f, cut + both nets %.1f, neighbourhood stage + factors %.1f], "
                            + "camera scene + state %.1f%n",
                    perDetected, per(jpegDecodeNs.get(), detected.get()), per(analyseNs.get(), detected.get()), per(an1[4] - an0[4], frames),
                    per(an1[5] - an0[5], frames), per(an1[6] - an0[6], frames), per(sceneNs.get(), detected.get()));
            System.out.printf(Locale.ROOT, "tiles: %.1f a frame, %.1f in the zones and their margin, %.1f scored by the nets (%.0f %% of all; the rest "
                            + "outside the zones or unchanged)%n", (double) (an1[1] - an0[1]) / Math.max(1, frames), (double) (an1[2] - an0[2]) / Math.max(1, frames),
                    (double) (an1[3] - an0[3]) / Math.max(1, frames), 100.0 * (an1[3] - an0[3]) / Math.max(1, an1[1] - an0[1]));
            System.out.printf(Locale.ROOT, "whole JVM: %.1f CPU s in %.0f s = %.2f cores busy; %.1f ms CPU per sampled frame (GC, JIT and all included)%n",
                    jvmCpu, wall, jvmCpu / wall, jvmPerSampled);
            // a camera at one frame every 2 s costs half its CPU per sampled frame each second
            System.out.printf(Locale.ROOT, "=> cameras per core at one frame every 2 s: %.1f (whole-JVM CPU per sampled frame; %.1f from the "
                    + "JVM's CPU over the cameras actually running, which misses frames not delivered)%n", 2000 / jvmPerSampled, cameras * wall / jvmCpu);
            System.out.printf(Locale.ROOT, "memory: RSS %,d MiB before the cameras (models loaded), %,d MiB with them: %.1f MiB a camera, of which "
                            + "%.1f MiB the Java heap the collector chose to grow (committed %,d → %,d MiB); without it %.1f MiB a camera; %s%n",
                    rssBefore / 1024, rssAfter / 1024, (rssAfter - rssBefore) / 1024.0 / cameras, (heapAfter - heapBefore) / 1048576.0 / cameras,
                    heapBefore >> 20, heapAfter >> 20, ((rssAfter - rssBefore) / 1024.0 - (heapAfter - heapBefore) / 1048576.0) / cameras, ProcStats.heap());
            System.out.println(load + " (machine with " + cores + " cores, shared)");
        } finally {
            for (CameraStream s : streams) {
                s.close();
            }
            for (Process p : servers) {
                p.destroy();
            }
            for (Shard sh : shards) {
                sh.pool.shutdownNow();
            }
        }
    }

    /**
     * Both nets' CPU per tile by batch size, on this thread: whether batching tiles of several frames (cameras) into one call
     * would pay. The tiles are cut from a noise picture (the cost does not depend on content).
     */
    private static void batchCosts() {
        var objects = io.gridwatch.models.cnn.TileClassifier.committed(io.gridwatch.models.cnn.Task.OBJECTS);
        var snow = io.gridwatch.models.cnn.TileClassifier.committed(io.gridwatch.models.cnn.Task.SNOW);
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        List<byte[]> tiles = new ArrayList<>();
        for (int i = 0; i < 96; i++) {
            byte[] t = new byte[io.gridwatch.models.tiles.Tiles.BYTES];
            for (int j = 0; j < t.length; j++) {
                t[j] = (byte) r.nextInt(256);
            }
            tiles.add(t);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder line = new StringBuilder("both nets, ms CPU a tile by tiles in one call (one thread):");
        for (int round = 0; round < 2; round++) { // the first warms up
            for (int b : new int[] {1, 4, 12, 24, 45, 96}) {
                int reps = Math.max(3, 96 / b);
                long t0 = mx.getCurrentThreadCpuTime();
                for (int k = 0; k < reps; k++) {
                    List<byte[]> part = tiles.subList(0, b);
                    objects.tileScores(part);
                    snow.tileScores(part);
                }
                if (round == 1) {
                    line.append(String.format(Locale.ROOT, " %d: %.2f", b, (mx.getCurrentThreadCpuTime() - t0) / 1e6 / reps / b));
                }
            }
        }
        System.out.println(line);
    }

    private static double per(long nanos, long n) {
        return n == 0 ? Double.NaN : nanos / 1e6 / n;
    }

    private static long[] stages(List<CameraStream> streams) {
        long[] out = new long[6];
        for (CameraStream s : streams) {
            CameraStream.Costs c = s.costs();
            out[0] += c.readNs();
            out[1] += c.convertNs();
            out[2] += c.gateNs();
            out[3] += c.jpegNs();
            out[4] += c.judged();
            out[5] += c.encoded();
        }
        return out;
    }

    private static long[] analysed(Shard[] shards) {
        long[] out = new long[7];
        for (Shard sh : shards) {
            TileAnalyser.Stats st = sh.analyserStats();
            if (st == null) {
                continue;
            }
            out[0] += st.frames();
            out[1] += st.tiles();
            out[2] += st.inScoredSet();
            out[3] += st.scored();
            out[4] += st.prepareNs();
            out[5] += st.netsNs();
            out[6] += st.contextNs();
        }
        return out;
    }

    private static final DwellRules RULES = DwellRules.defaults();
    private static final ZoneTracker.Pictures PICTURES = (role, box) -> Detection.Evidence.frame("bench:" + role, 0, box, "0".repeat(64));
    private static final ZoneTracker.Placement PLACE = box -> new ZoneTracker.Place(121.64, 38.91, null, null);

    /** One key group of the video job: a thread, its TileAnalyser, and the camera scenes of its cameras (as bytes, like keyed state). */
    private static final class Shard {
        final ThreadPoolExecutor pool;
        final java.util.Map<String, byte[]> scenes = new java.util.HashMap<>();
        private volatile TileAnalyser analyser;

        Shard(int index, int queue) {
            pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
                Thread t = new Thread(r, "detect-" + index);
                t.setDaemon(true);
                return t;
            });
        }

        /** On the shard's thread only. */
        TileAnalyser analyser() {
            if (analyser == null) {
                analyser = new TileAnalyser();
            }
            return analyser;
        }

        TileAnalyser.Stats analyserStats() {
            TileAnalyser a = analyser;
            return a == null ? null : a.stats();
        }
    }

    private record Clip(Path file, List<double[][]> zones, List<CameraZone> cameraZones) {
    }

    /** The five scenarios at 320×180, 8 s each, scaled to 1080p25 with fresh sensor noise in every frame; made once. */
    private static List<Clip> sceneClips(Path cache) throws Exception {
        List<Clip> out = new ArrayList<>();
        for (CameraScenario.Kind k : CameraScenario.Kind.values()) {
            // 40 frames at 5 a second: 8 s, a multiple of the 2 s key-frame interval, so that looping keeps the cadence
            CameraScenario sc = new CameraScenario(k, 11, 40, 10, 9, 33, 320, 180);
            Path ts = cache.resolve("scene-" + k.id() + "-1080p25.ts");
            if (!Files.isRegularFile(ts)) {
                Path mp4 = cache.resolve("scene-" + k.id() + "-320x180.mp4");
                sc.write(mp4);
                ffmpeg(List.of("ffmpeg", "-v", "error", "-y", "-i", mp4.toString(), "-vf",
                        "scale=" + W + ":" + H + ":flags=bicubic,fps=25,noise=alls=8:allf=t+u", "-t", "8", "-c:v", "libx264", "-preset", "veryfast",
                        "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-pix_fmt", "yuv420p",
                        "-f", "mpegts", ts + ".tmp"), ts);
            }
            List<double[][]> zones = new ArrayList<>();
            List<CameraZone> cameraZones = new ArrayList<>();
            for (CameraScenario.Zone z : sc.zones()) {
                zones.add(z.polygon());
                List<ImagePoint> pts = new ArrayList<>();
                for (double[] p : z.polygon()) {
                    pts.add(new ImagePoint(p[0], p[1]));
                }
                cameraZones.add(new CameraZone(z.name(), z.purpose(), pts, Optional.empty()));
            }
            out.add(new Clip(ts, zones, cameraZones));
        }
        return out;
    }

    private static Path patternClip(Path cache) throws Exception {
        Path ts = cache.resolve("pattern-1080p25.ts");
        if (!Files.isRegularFile(ts)) {
            ffmpeg(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=" + W + "x" + H + ":rate=25", "-t", "8", "-c:v", "libx264",
                    "-preset", "veryfast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-b:v", "4M", "-pix_fmt", "yuv420p", "-f", "mpegts",
                    ts + ".tmp"), ts);
        }
        return ts;
    }

    private static void ffmpeg(List<String> cmd, Path target) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ffmpeg failed (" + String.join(" ", cmd) + "): " + log);
        }
        Files.move(Path.of(target + ".tmp"), target);
        System.out.println("made " + target + " (" + Files.size(target) / 1024 + " KiB)");
    }

    private record DecodeSplit(double fullMs, double fastMs) {
    }

    /**
     * Key frames of one clip decoded on this thread, as {@link CameraStream} does (skip_frame=nokey, one thread) without
     * conversion: with full decoding, and with the loop filter skipped and flags2=fast (what CameraStream sets now).
     */
    private static DecodeSplit decodeSplit(Path file) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] ms = new double[2];
        for (int round = 0; round < 2; round++) { // the first round warms up
            for (int pass = 0; pass < 2; pass++) {
                int n = 0;
                long cpu = 0;
                for (int loop = 0; loop < 4; loop++) { // opened again each time: a seek would decode every frame up to its target
                    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
                        g.setVideoOption("skip_frame", "nokey");
                        g.setVideoOption("threads", "1");
                        if (pass == 1) {
                            g.setVideoOption("skip_loop_filter", "all");
                            g.setVideoOption("flags2", "+fast");
                        }
                        g.setImageMode(org.bytedeco.javacv.FrameGrabber.ImageMode.RAW); // no conversion
                        g.start();
                        long t0 = mx.getCurrentThreadCpuTime();
                        for (Frame f = g.grabImage(); f != null; f = g.grabImage()) {
                            n++;
                        }
                        cpu += mx.getCurrentThreadCpuTime() - t0;
                        g.stop();
                    }
                }
                ms[pass] = cpu / 1e6 / Math.max(1, n);
            }
        }
        return new DecodeSplit(ms[0], ms[1]);
    }

    /** CPU time of the current thread since construction. */
    private static final class ThreadCpu {
        private final ThreadMXBean mx;
        private final long t0;

        ThreadCpu(ThreadMXBean mx) {
            this.mx = mx;
            this.t0 = mx.getCurrentThreadCpuTime();
        }

        long ns() {
            return mx.getCurrentThreadCpuTime() - t0;
        }
    }

    private static long threadCpu(ThreadMXBean mx, String prefix) {
        long total = 0;
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, t);
            }
        }
        return total;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
