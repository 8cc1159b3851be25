package io.gridwatch.bench;

import io.gridwatch.ingest.video.CameraHealth;
import io.gridwatch.ingest.video.CameraStream;
import io.gridwatch.ingest.video.SampledFrame;
import io.gridwatch.ingest.video.StreamSettings;
import io.gridwatch.models.Detector;
import io.gridwatch.models.DetectorConfig;
import io.gridwatch.models.Detectors;
import io.gridwatch.models.scene.CameraScenario;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many cameras one core analyses at one frame every 2 s (issue 12's target: ≥ 40): N real 1080p25 H.264 streams with
 * a key frame every 2 s, each served by its own ffmpeg as MPEG-TS over TCP (DEPENDENCIES.md), each read by the real
 * {@link CameraStream} (key frames only, change gate inside the camera's zones, JPEG), and the frames the gate lets through
 * decoded and run through the committed tile detector on a fixed pool of one thread per core. Only this JVM's CPU counts
 * (the ffmpeg servers stand in for cameras). Content: scripted scene clips ({@link CameraScenario}, people and things
 * moving, drawn at 320×180 and scaled to 1080p with temporal sensor noise), or ffmpeg's test pattern.
 *
 * <p>{@code bench/run cameras [--cameras 8] [--seconds 60] [--content scene|pattern] [--warmup 10]}
 */
public final class CameraCapacityBench {

    private static final int W = 1920;
    private static final int H = 1080;

    public static void main(String[] args) throws Exception {
        int cameras = 8;
        int seconds = 60;
        int warmup = 10;
        String content = "scene";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cameras" -> cameras = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--content" -> content = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--cameras N --seconds S --warmup S --content scene|pattern)");
            }
        }
        if (!content.equals("scene") && !content.equals("pattern")) {
            throw new IllegalArgumentException("--content is scene or pattern, got " + content);
        }
        Path cache = Path.of(System.getProperty("gridwatch.repo.root", ".")).resolve("var/bench/cameras");
        Files.createDirectories(cache);
        List<Clip> clips = content.equals("scene") ? sceneClips(cache) : List.of(new Clip(patternClip(cache), List.of()));
        int cores = Runtime.getRuntime().availableProcessors();
        long pid = ProcessHandle.current().pid();

        System.out.printf(Locale.ROOT, "cameras: %d × 1080p25 H.264, key frame every 2 s, content %s; detection pool %d threads (one a core); %s%n",
                cameras, content, cores, ProcStats.loadAverage());
        DecodeSplit split = decodeSplit(clips.get(0).file);
        System.out.printf(Locale.ROOT, "one thread, from the file (demuxing included): %.1f ms CPU a 1080p key frame fully decoded, %.1f ms "
                + "with skip_loop_filter=all and flags2=fast (%s)%n", split.fullMs, split.fastMs, content);

        ThreadLocal<Detector> detectors = ThreadLocal.withInitial(() -> Detectors.create(new DetectorConfig.CnnTiles("committed", 0.5)));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(cores, cores, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(cameras * 2),
                r -> {
                    Thread t = new Thread(r, "detect-" + System.nanoTime());
                    t.setDaemon(true);
                    return t;
                });
        // load the models on every pool thread before measuring
        for (int i = 0; i < cores; i++) {
            pool.submit(() -> detectors.get().detect(new BufferedImage(320, 180, BufferedImage.TYPE_3BYTE_BGR), 0)).get();
        }
        System.gc();
        long rssBefore = rssKb(pid);
        long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();

        AtomicLong detected = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicLong late = new AtomicLong();
        AtomicLong jpegDecodeNs = new AtomicLong();
        AtomicLong detectNs = new AtomicLong();
        AtomicLong objects = new AtomicLong();
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
                StreamSettings settings = StreamSettings.DEFAULTS;
                streams.add(new CameraStream("bench-" + c, "tcp://127.0.0.1:" + port, clip.zones, settings, frame -> {
                    try {
                        pool.execute(() -> {
                            ThreadCpu cpu = new ThreadCpu(mx);
                            BufferedImage img = jpeg(frame.jpeg());
                            long mid = cpu.ns();
                            int n = detectors.get().detect(img, frame.captureTime()).size();
                            long end = cpu.ns();
                            if (measuring[0]) {
                                jpegDecodeNs.addAndGet(mid);
                                detectNs.addAndGet(end - mid);
                                detected.incrementAndGet();
                                objects.addAndGet(n);
                                if (System.currentTimeMillis() - frame.captureTime() > 2000) {
                                    late.incrementAndGet();
                                }
                            }
                        });
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        if (measuring[0]) {
                            dropped.incrementAndGet(); // the pool is behind by two frames a camera: a frame not analysed
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
            double jvm0 = ProcStats.cpuSeconds(pid);
            long t0 = System.nanoTime();
            measuring[0] = true;
            Thread.sleep(seconds * 1000L);
            measuring[0] = false;
            double wall = (System.nanoTime() - t0) / 1e9;
            double jvmCpu = ProcStats.cpuSeconds(pid) - jvm0;
            long camCpu = threadCpu(mx, "camera-") - camCpu0;
            long detCpu = threadCpu(mx, "detect-") - detCpu0;
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
                    + "(%.0f %%), %,d analysed, %,d dropped (detection pool full), %,d late (analysed > 2 s after sampling); %,d objects reported%n",
                    wall, sampled, expected, Math.max(0, expected - sampled), passed, 100.0 * passed / Math.max(1, sampled), detected.get(),
                    dropped.get(), late.get(), objects.get());
            System.out.printf(Locale.ROOT, "CPU per sampled key frame, camera threads (demux + decode + scale to BGR + gate, + JPEG when it passes): "
                    + "%.1f ms, of which decoding alone about %.1f ms (measured above)%n", perSampledCam, split.fastMs);
            System.out.printf(Locale.ROOT, "CPU per analysed frame, detection threads: JPEG decode (1/4 subsampled) %.1f ms + tile detector %.1f ms = %.1f ms%n",
                    detected.get() == 0 ? Double.NaN : jpegDecodeNs.get() / 1e6 / detected.get(), detected.get() == 0 ? Double.NaN : detectNs.get() / 1e6 / detected.get(),
                    perDetected);
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
            pool.shutdownNow();
        }
    }

    private record Clip(Path file, List<double[][]> zones) {
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
            for (CameraScenario.Zone z : sc.zones()) {
                zones.add(z.polygon());
            }
            out.add(new Clip(ts, zones));
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

    private static BufferedImage jpeg(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader r = ImageIO.getImageReadersByFormatName("jpeg").next();
            try {
                r.setInput(in);
                ImageReadParam p = r.getDefaultReadParam();
                int sub = Math.max(1, r.getWidth(0) / 320); // the detector works at 320 px wide: decode no more than that
                p.setSourceSubsampling(sub, sub, 0, 0);
                return r.read(0, p);
            } finally {
                r.dispose();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot decode a sampled JPEG: " + e.getMessage(), e);
        }
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
