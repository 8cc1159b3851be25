package io.gridwatch.ingest.video;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kinds of stream CONTRACTS.md §2 names beyond files, MPEG-TS over TCP and RTSP over RTP/UDP (CameraStreamTest):
 * RTSP interleaved over TCP, HTTP, MPEG-TS over UDP; and what cameras send that is not a 1080p H.264 stream: a 4K
 * stream (decoded and scaled down), H.265 (decoded), and a codec this FFmpeg build cannot decode (a clear error that
 * names the camera and the codec, and no other camera touched). All served by the ffmpeg command line, decoded for real.
 */
class StreamKindsTest {

    @TempDir
    static Path dir;
    static Path moving;

    static final List<double[][]> TOP = List.<double[][]>of(new double[][]{{0, 0}, {1, 0}, {1, 0.5}, {0, 0.5}});

    @BeforeAll
    static void clips() {
        moving = TestClips.clip(dir, "moving.mp4", 10, TestClips.MOVING_TOP);
    }

    /**
     * The default asks for RTP interleaved over TCP (it passes firewalls and loses nothing); Debian's relay only sends RTP
     * over UDP and answers 400 to that SETUP: the camera says so, takes UDP and reads.
     */
    @Test
    void anRtspServerThatRefusesTcpIsReadOverUdp() throws Exception {
        int clientPort = TestClips.freePort();
        int sourcePort = TestClips.freePort();
        int rtpStart = 20_000 + 2 * new Random().nextInt(10_000);
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        Process relay = TestClips.rtspRelay(clientPort, sourcePort, rtpStart);
        Process push = null;
        try {
            awaitListening(sourcePort); // a pusher that comes before the relay listens gives up at once
            push = TestClips.pushRtsp(moving, sourcePort, "cam-tcp");
            try (CameraStream cam = new CameraStream("cam-rtsp-tcp", "rtsp://127.0.0.1:" + clientPort + "/cam-tcp", TOP,
                    CameraStreamTest.FAST.withRtspTransport("tcp"), out::add).start()) {
                await(() -> out.size() >= 3, "3 frames over RTSP after falling back to UDP", cam);
                assertThat(cam.health().state()).isEqualTo(CameraHealth.State.ONLINE);
                assertThat(cam.health().errors()).as("the refusal of TCP (and a 404 or two before the pusher is there)").isPositive();
            }
            assertThat(brightPixels(out.get(out.size() - 1))).as("the white box, decoded").isGreaterThan(2000);
        } finally {
            TestClips.stop(push);
            TestClips.stop(relay);
        }
    }

    @Test
    void anHttpCameraIsRead() throws Exception {
        int port = TestClips.freePort();
        // ffmpeg as an HTTP server: one client, MPEG-TS in real time (what many encoders offer as "HTTP-TS")
        Process server = ffmpeg("-re", "-stream_loop", "-1", "-i", moving.toString(), "-c", "copy", "-f", "mpegts",
                "-listen", "1", "http://127.0.0.1:" + port + "/live.ts");
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        try {
            Thread.sleep(500);
            try (CameraStream cam = new CameraStream("cam-http", "http://127.0.0.1:" + port + "/live.ts", TOP,
                    CameraStreamTest.FAST, out::add).start()) {
                await(() -> out.size() >= 3, "3 frames over HTTP", cam);
                assertThat(cam.health().keyFramesOnly()).isTrue();
            }
            assertThat(brightPixels(out.get(out.size() - 1))).isGreaterThan(2000);
        } finally {
            TestClips.stop(server);
        }
    }

    @Test
    void anMpegTsCameraIsReadOverUdp() throws Exception {
        int port = TestClips.freePort();
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        // the camera listens; the encoder sends datagrams to it (multicast cameras work the same way)
        try (CameraStream cam = new CameraStream("cam-udp", "udp://127.0.0.1:" + port, TOP, CameraStreamTest.FAST, out::add).start()) {
            Thread.sleep(300);
            Process sender = ffmpeg("-re", "-stream_loop", "-1", "-i", moving.toString(), "-c", "copy", "-f", "mpegts",
                    "udp://127.0.0.1:" + port + "?pkt_size=1316");
            try {
                await(() -> out.size() >= 3, "3 frames over UDP", cam);
            } finally {
                TestClips.stop(sender);
            }
        }
        assertThat(brightPixels(out.get(out.size() - 1))).isGreaterThan(2000);
    }

    @Test
    void a4kStreamIsDecodedAndScaledDown() throws Exception {
        Path uhd = encode("uhd.mp4", "3840x2160", "libx264", 4);
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        try (CameraStream cam = new CameraStream("cam-4k", uhd.toString(), List.of(), CameraStreamTest.FAST, out::add).start()) {
            await(() -> out.size() >= 2, "2 frames of a 4K stream", cam);
            assertThat(cam.health().errors()).isZero();
        }
        SampledFrame f = out.get(0);
        assertThat(f.width()).isEqualTo(StreamSettings.DEFAULTS.maxSide());
        assertThat(f.height()).isEqualTo(StreamSettings.DEFAULTS.maxSide() * 9 / 16);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.jpeg()));
        assertThat(img.getWidth()).isEqualTo(f.width());
    }

    @Test
    void anH265StreamIsDecoded() throws Exception {
        Path hevc = encode("hevc.mp4", "1280x720", "libx265", 2);
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        try (CameraStream cam = new CameraStream("cam-hevc", hevc.toString(), List.of(), CameraStreamTest.FAST, out::add).start()) {
            await(() -> out.size() >= 2, "2 frames of an H.265 stream", cam);
            assertThat(cam.health().errors()).isZero();
        }
        assertThat(out.get(0).width()).isEqualTo(1280);
    }

    @Test
    void aCodecThisBuildCannotDecodeIsAClearErrorAndTouchesNoOtherCamera() throws Exception {
        Path av1 = encode("av1.mkv", "640x360", "libsvtav1", 2);
        List<SampledFrame> bad = new CopyOnWriteArrayList<>();
        List<SampledFrame> good = new CopyOnWriteArrayList<>();
        try (CameraStream odd = new CameraStream("cam-av1", av1.toString(), List.of(), CameraStreamTest.FAST, bad::add).start();
             CameraStream fine = new CameraStream("cam-fine", moving.toString(), TOP, CameraStreamTest.FAST, good::add).start()) {
            await(() -> odd.health().errors() >= 1 && good.size() >= 5, "an error on the AV1 camera, frames from the other", odd);
            // FFmpeg 5.0's own av1 decoder only drives hardware, and JavaCPP's build has no libdav1d: nothing decodes
            assertThat(bad).isEmpty();
            assertThat(odd.health().lastError()).contains(av1.toString()).contains("codec 'av1'").contains("cannot decode")
                    .doesNotContain("bytedeco");
            assertThat(fine.health().errors()).isZero();
        }
    }

    /** A clip of {@code seconds} at 25 fps with a key frame every 2 s, {@code size} pixels, encoded by {@code codec}. */
    private static Path encode(String name, String size, String codec, int seconds) throws Exception {
        Path file = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("-y", "-f", "lavfi", "-i", "testsrc2=s=" + size + ":r=25", "-t",
                Integer.toString(seconds), "-c:v", codec, "-g", "50", "-pix_fmt", "yuv420p"));
        if (codec.equals("libx264") || codec.equals("libx265")) {
            cmd.addAll(List.of("-preset", "ultrafast")); // the test is about decoding; encoding 4K well takes a while
        }
        if (codec.equals("libx265")) {
            cmd.addAll(List.of("-x265-params", "log-level=error"));
        }
        if (codec.equals("libsvtav1")) {
            cmd.addAll(List.of("-preset", "12"));
        }
        cmd.add(file.toString());
        Process p = ffmpeg(cmd.toArray(String[]::new));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("ffmpeg encodes " + name).isTrue();
        assertThat(p.exitValue()).as("ffmpeg encodes " + name).isZero();
        return file;
    }

    private static Process ffmpeg(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void awaitListening(int port) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing listens on port " + port);
    }

    private static long brightPixels(SampledFrame f) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.jpeg()));
        long n = 0;
        for (int y = 0; y < img.getHeight() / 2; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xff) > 200) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void await(BooleanSupplier cond, String what, CameraStream cam) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what + "; health: " + cam.health());
            }
            Thread.sleep(50);
        }
    }
}
