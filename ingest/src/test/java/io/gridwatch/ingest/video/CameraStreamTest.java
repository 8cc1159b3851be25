package io.gridwatch.ingest.video;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Camera streams on real H.264, decoded by FFmpeg from files and from ffmpeg serving MPEG-TS over TCP. */
class CameraStreamTest {

    @TempDir
    static Path dir;
    /** 10 s, a box moving along the top: every sample differs there. */
    static Path moving;
    /** 10 s of a still picture. */
    static Path still;

    static final List<double[][]> TOP = List.<double[][]>of(new double[][]{{0, 0}, {1, 0}, {1, 0.5}, {0, 0.5}});
    static final List<double[][]> BOTTOM = List.<double[][]>of(new double[][]{{0, 0.6}, {1, 0.6}, {1, 1}, {0, 1}});

    /** Files decoded as fast as they go, so that tests take seconds; fast reconnects. */
    static final StreamSettings FAST = StreamSettings.DEFAULTS.withPaceFiles(false)
            .withTimeouts(Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(1));

    @BeforeAll
    static void clips() {
        moving = TestClips.clip(dir, "moving.mp4", 10, TestClips.MOVING_TOP);
        still = TestClips.clip(dir, "still.mp4", 10, null);
    }

    @Test
    void aFileIsDecodedAtKeyFramesDownscaledAndLooped() throws Exception {
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        StreamSettings s = new StreamSettings(Duration.ofSeconds(2), true, 0.02, Duration.ofSeconds(60), 64, 36,
                320, 0.8f, Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(1), "tcp", false);
        try (CameraStream cam = new CameraStream("cam-file", moving.toString(), TOP, s, out::add).start()) {
            await(() -> out.size() >= 8, "8 frames out"); // 5 key frames a loop: 8 means it looped
            CameraHealth h = cam.health();
            assertThat(h.state()).isEqualTo(CameraHealth.State.ONLINE);
            assertThat(h.keyFramesOnly()).isTrue();
            assertThat(h.errors()).isZero();
            // only key frames were decoded: 250 frames a 10 s loop, of which 5 are key frames and 4 sampled
            // (the first after a loop comes 40 ms after the last); decoding every frame would be ~60 in a frame out
            assertThat(h.framesIn()).isLessThanOrEqualTo(h.framesOut() * 13 / 10 + 2);
            assertThat(h.lastFrameAt()).isGreaterThan(System.currentTimeMillis() - 10_000);
        }
        for (int i = 0; i < out.size(); i++) {
            SampledFrame f = out.get(i);
            assertThat(f.cameraId()).isEqualTo("cam-file");
            assertThat(f.sequence()).isEqualTo(i);
            assertThat(f.keyFrame()).isTrue();
            assertThat(f.width()).isEqualTo(320); // 640x360 scaled to the longest side 320
            assertThat(f.height()).isEqualTo(180);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.jpeg()));
            assertThat(img.getWidth()).isEqualTo(320);
            assertThat(img.getHeight()).isEqualTo(180);
            // the moving box is white on grey: the top half has bright pixels
            assertThat(brightPixels(img, 0, 90)).as("frame %d", i).isGreaterThan(500);
        }
    }

    @Test
    void everyFrameIsSampledAtAFixedRateWithoutKeyFramesOnly() throws Exception {
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        StreamSettings s = FAST.withKeyFramesOnly(false).withSampleInterval(Duration.ofMillis(400));
        try (CameraStream cam = new CameraStream("cam-rate", moving.toString(), TOP, s, out::add).start()) {
            await(() -> out.size() >= 20, "20 frames out");
            CameraHealth h = cam.health();
            assertThat(h.keyFramesOnly()).isFalse();
            // one frame in ten (25 fps, 0.4 s) is sampled, and every sample shows the box moved
            assertThat(h.framesIn()).isGreaterThanOrEqualTo(9 * (h.framesOut() - 1));
        }
        assertThat(out.stream().filter(SampledFrame::keyFrame).count()).isLessThan(out.size());
    }

    /**
     * Files here are read unpaced, so stream time runs far ahead of the clock: a 10 s loop gives 5
     * key frames of which 4 are sampled (the first after the loop comes 40 ms after the last).
     */
    static final double STREAM_SECONDS_PER_DECODED_FRAME = 8.04 / 5;

    @Test
    void theChangeGateDropsAStillSceneAndMovementOutsideTheZones() throws Exception {
        List<SampledFrame> stillOut = new CopyOnWriteArrayList<>();
        List<SampledFrame> outsideOut = new CopyOnWriteArrayList<>();
        List<SampledFrame> insideOut = new CopyOnWriteArrayList<>();
        CameraHealth a;
        CameraHealth b;
        CameraHealth c;
        try (CameraStream still1 = new CameraStream("cam-still", still.toString(), List.of(), FAST, stillOut::add).start();
             CameraStream outside = new CameraStream("cam-outside", moving.toString(), BOTTOM, FAST, outsideOut::add).start();
             CameraStream inside = new CameraStream("cam-inside", moving.toString(), TOP, FAST, insideOut::add).start()) {
            await(() -> still1.health().framesIn() >= 40 && outside.health().framesIn() >= 40 && inside.health().framesIn() >= 40, "40 frames each");
            a = still1.health();
            b = outside.health();
            c = inside.health();
        }
        for (CameraHealth gated : List.of(a, b)) {
            // the first frame, then only the heartbeat: one a minute of stream time (+1 for a frame counted in while the snapshot was taken)
            long beats = (long) (gated.framesIn() * STREAM_SECONDS_PER_DECODED_FRAME / 60);
            assertThat(gated.framesOut()).as(gated.cameraId()).isBetween(1L, 2 + beats);
            assertThat(gated.framesOut()).as(gated.cameraId()).isLessThan(gated.framesIn() / 5);
        }
        for (SampledFrame f : stillOut.subList(1, stillOut.size())) {
            assertThat(f.change()).isLessThan(0.02); // heartbeats, not changes
        }
        for (SampledFrame f : outsideOut.subList(1, outsideOut.size())) {
            assertThat(f.change()).isLessThan(0.02);
        }
        // the same clip with its zone where the box moves: every sampled frame goes through
        assertThat(c.framesOut()).isGreaterThanOrEqualTo(c.framesIn() * 7 / 10);
        assertThat(stillOut.get(0).change()).isEqualTo(1.0);
        assertThat(insideOut.get(1).change()).isGreaterThan(0.02);
    }

    @Test
    void theGateReadsLumaAndNoFrameIsConvertedToBgr() throws Exception {
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        CameraStream cam = new CameraStream("cam-luma", still.toString(), List.of(), FAST, out::add).start();
        try {
            await(() -> cam.health().framesIn() >= 20, "20 frames");
        } finally {
            cam.close(); // joins the stream's thread: the counts below are final, not caught between two frames
        }
        CameraHealth h = cam.health();
        CameraStream.Costs c = cam.costs();
        // the gate read the decoder's luma plane, and the frames it let through went from YUV to MJPEG: no BGR picture at all
        assertThat(c.judged()).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(h.framesIn()); // sampled of those decoded (4 of 5 a loop)
        assertThat(c.converted()).isZero();
        assertThat(c.encoded()).isLessThan(c.judged() / 5).isGreaterThanOrEqualTo(1);
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(out.get(0).jpeg()));
        assertThat(first.getWidth()).isEqualTo(out.get(0).width());
        assertThat(first.getHeight()).isEqualTo(out.get(0).height());
        assertThat(out.size()).isEqualTo((int) c.encoded());
        assertThat(h.framesOut()).isEqualTo(c.encoded());
        assertThat(c.readNs()).isPositive();
    }

    @Test
    void theHeartbeatLetsAStillSceneThroughOncePerPeriod() throws Exception {
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        CameraHealth h;
        try (CameraStream cam = new CameraStream("cam-beat", still.toString(), List.of(), FAST.withHeartbeat(Duration.ofSeconds(20)), out::add).start()) {
            await(() -> cam.health().framesIn() >= 100, "100 frames");
            h = cam.health();
        }
        long expected = 1 + (long) (h.framesIn() * STREAM_SECONDS_PER_DECODED_FRAME / 20.1);
        assertThat(h.framesOut()).isBetween(expected - 2, expected + 1);
        assertThat(expected).isGreaterThan(5);
    }

    @Test
    void aLiveStreamThatDropsComesBackByItself() throws Exception {
        int port = TestClips.freePort();
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        Process server = TestClips.serveTcp(moving, port);
        try (CameraStream cam = new CameraStream("cam-tcp", "tcp://127.0.0.1:" + port, TOP, FAST, out::add).start()) {
            await(() -> out.size() >= 8, "8 frames from the live stream");
            assertThat(cam.health().state()).isEqualTo(CameraHealth.State.ONLINE);
            // live, in real time: a key frame every 2 s (ffmpeg's clock starts before the camera connects, so it sends the first seconds in a burst)
            assertThat(out.get(7).captureTime() - out.get(5).captureTime()).isBetween(3000L, 5000L);
            long errorsBefore = cam.health().errors(); // the first attempt may have come before ffmpeg listened
            TestClips.stop(server);
            await(() -> cam.health().errors() > errorsBefore, "the drop noticed");
            assertThat(cam.health().lastError()).contains("stream ended (the peer closed it)");
            assertThat(cam.health().state()).isNotEqualTo(CameraHealth.State.ONLINE);
            int before = out.size();
            server = TestClips.serveTcp(moving, port);
            await(() -> out.size() >= before + 2, "frames again after the server came back");
            CameraHealth h = cam.health();
            assertThat(h.state()).isEqualTo(CameraHealth.State.ONLINE);
            assertThat(h.reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(out.get(out.size() - 1).sequence()).isEqualTo(out.size() - 1); // sequence continues across the reconnect
        } finally {
            TestClips.stop(server);
        }
    }

    @Test
    void aStreamThatStallsMidwayIsDroppedWithinTheStallTimeoutAndComesBack() throws Exception {
        int port = TestClips.freePort();
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        Process server = TestClips.serveTcp(moving, port);
        try (CameraStream cam = new CameraStream("cam-stall", "tcp://127.0.0.1:" + port, TOP, FAST, out::add).start()) {
            await(() -> out.size() >= 2, "2 frames from the live stream");
            long errorsBefore = cam.health().errors();
            // the server freezes with its connection open: no error from the network, only silence
            new ProcessBuilder("kill", "-STOP", Long.toString(server.pid())).start().waitFor();
            long frozenAt = System.currentTimeMillis();
            await(() -> cam.health().errors() > errorsBefore, "the stall noticed");
            // FAST's stall timeout is 3 s; what was buffered before the freeze is read first
            assertThat(System.currentTimeMillis() - frozenAt).isBetween(2_000L, 15_000L);
            assertThat(cam.health().state()).isNotEqualTo(CameraHealth.State.ONLINE);
            assertThat(cam.health().lastError()).contains("tcp://127.0.0.1:" + port).contains("stalled: no data for");
            TestClips.stop(server);
            int before = out.size();
            server = TestClips.serveTcp(moving, port);
            await(() -> out.size() >= before + 2, "frames again from a new server");
            assertThat(cam.health().state()).isEqualTo(CameraHealth.State.ONLINE);
        } finally {
            TestClips.stop(server);
        }
    }

    @Test
    void aLiveStreamWithoutKeyFramesIsGivenUpOnAndReadFrameByFrameWhileOthersGoOn() throws Exception {
        int port = TestClips.freePort();
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        List<SampledFrame> beside = new CopyOnWriteArrayList<>();
        StreamSettings s = FAST.withSampleInterval(Duration.ofMillis(500)).withPaceFiles(true);
        Process server = TestClips.serveTcpWithoutKeyFrames(port);
        try (CameraStream cam = new CameraStream("cam-nokey", "tcp://127.0.0.1:" + port, List.of(), s, out::add).start();
             CameraStream other = new CameraStream("cam-beside", moving.toString(), TOP, s, beside::add).start()) {
            assertThat(cam.keyFrameTimeout()).isEqualTo(Duration.ofSeconds(6)); // twice FAST's stall timeout
            await(() -> cam.health().lastError() != null && cam.health().lastError().contains("no key frame"), "the missing key frames noticed");
            CameraHealth h = cam.health();
            assertThat(h.lastError()).contains("tcp://127.0.0.1:" + port).contains("data arrives but no key frame came for 6 s");
            assertThat(h.keyFramesOnly()).as("read frame by frame from now on").isFalse();
            assertThat(out).hasSizeLessThanOrEqualTo(1); // the first frame is the stream's only key frame
            assertThat(beside).as("the other camera went on meanwhile").hasSizeGreaterThanOrEqualTo(3);
            TestClips.stop(server); // ffmpeg serves one client: a new one for the reconnect
            server = TestClips.serveTcpWithoutKeyFrames(port);
            int before = out.size();
            await(() -> out.size() >= before + 4, "frames sampled from every frame of the stream");
            assertThat(cam.health().state()).isEqualTo(CameraHealth.State.ONLINE);
            List<SampledFrame> now = List.copyOf(out); // the stream still appends: a sub-list view of the live list would throw
            assertThat(now.subList(before, now.size())).noneMatch(SampledFrame::keyFrame);
        } finally {
            TestClips.stop(server);
        }
    }

    @Test
    void anRtspCameraIsReadOverRtp() throws Exception {
        int clientPort = TestClips.freePort();
        int sourcePort = TestClips.freePort();
        int rtpStart = 20_000 + 2 * new Random().nextInt(10_000);
        List<SampledFrame> out = new CopyOnWriteArrayList<>();
        Process relay = TestClips.rtspRelay(clientPort, sourcePort, rtpStart);
        Process push = null;
        try {
            // the relay must listen before ffmpeg pushes (a push that comes too early fails for good; a camera retries)
            await(() -> {
                try (Socket probe = new Socket("127.0.0.1", sourcePort)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            }, "the RTSP relay listening");
            push = TestClips.pushRtsp(moving, sourcePort, "cam1");
            try (CameraStream cam = new CameraStream("cam-rtsp", "rtsp://127.0.0.1:" + clientPort + "/cam1", TOP,
                    FAST.withRtspTransport("udp"), out::add).start()) {
                await(() -> out.size() >= 3, "3 frames over RTSP");
                CameraHealth h = cam.health();
                assertThat(h.state()).isEqualTo(CameraHealth.State.ONLINE);
                assertThat(h.keyFramesOnly()).isTrue();
            }
            for (SampledFrame f : out) {
                assertThat(f.keyFrame()).isTrue();
                assertThat(f.width()).isEqualTo(640);
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.jpeg()));
                assertThat(brightPixels(img, 0, 180)).isGreaterThan(2000); // the white box, decoded
            }
        } finally {
            TestClips.stop(push);
            TestClips.stop(relay);
        }
    }

    @Test
    void aWrongUrlAndGarbageGiveClearErrorsAndTouchNoOtherCamera() throws Exception {
        int closed = TestClips.freePort();
        List<SampledFrame> good = new CopyOnWriteArrayList<>();
        List<SampledFrame> bad = new CopyOnWriteArrayList<>();
        try (ServerSocket garbage = new ServerSocket(0)) {
            Thread sender = new Thread(() -> sendGarbage(garbage), "garbage-server");
            sender.setDaemon(true);
            sender.start();
            try (CameraStream wrong = new CameraStream("cam-wrong", "tcp://127.0.0.1:" + closed, List.of(), FAST, bad::add).start();
                 CameraStream noise = new CameraStream("cam-noise", "tcp://127.0.0.1:" + garbage.getLocalPort(), List.of(), FAST, bad::add).start();
                 CameraStream fine = new CameraStream("cam-fine", moving.toString(), TOP, FAST, good::add).start()) {
                await(() -> wrong.health().errors() >= 2 && noise.health().errors() >= 2 && good.size() >= 10,
                        "errors on the bad cameras, frames from the good one");
                assertThat(wrong.health().lastError()).startsWith("cannot read tcp_mpegts stream tcp://127.0.0.1:" + closed + ": Connection refused — ")
                        .doesNotContain("bytedeco");
                assertThat(wrong.health().keyFramesOnly()).as("a refused connection says nothing about key frames").isTrue();
                assertThat(wrong.health().reconnects()).isGreaterThanOrEqualTo(1);
                assertThat(noise.health().lastError()).contains("tcp://127.0.0.1:" + garbage.getLocalPort());
                assertThat(bad).isEmpty();
                assertThat(fine.health().errors()).isZero();
            }
        }
        assertThatThrownBy(() -> new CameraStream("cam-x", "ftp://example.org/a", List.of(), FAST, f -> { }))
                .hasMessageContaining("cam-x").hasMessageContaining("unsupported scheme 'ftp'");
        assertThatThrownBy(() -> new CameraStream("cam-y", "/no/such/clip.mp4", List.of(), FAST, f -> { }))
                .hasMessageContaining("cam-y").hasMessageContaining("neither a stream URL nor an existing file");
        assertThatThrownBy(() -> new CameraStream("cam-z", moving.toString(), List.<double[][]>of(new double[][]{{0, 0}, {1.5, 0}, {1, 1}}), FAST, f -> { }))
                .hasMessageContaining("cam-z").hasMessageContaining("outside 0..1");
    }

    @Test
    void aSilentStreamIsNoticedWithinTheStallTimeoutAndRetried() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // accept and never send a byte
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.currentTimeMillis();
            try (CameraStream cam = new CameraStream("cam-silent", "tcp://127.0.0.1:" + silent.getLocalPort(), List.of(), FAST, f -> { }).start()) {
                await(() -> cam.health().errors() >= 2, "two stalls noticed");
                // FAST's stall timeout is 3 s: two stalls and a backoff between them, well under a minute
                assertThat(System.currentTimeMillis() - start).isBetween(5_000L, 30_000L);
                assertThat(cam.health().lastError()).contains("tcp://127.0.0.1:" + silent.getLocalPort());
                assertThat(cam.health().framesIn()).isZero();
                assertThat(held).hasSizeGreaterThanOrEqualTo(2); // it connected again by itself
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static void sendGarbage(ServerSocket server) {
        Random r = new Random(7);
        byte[] b = new byte[4096];
        while (!server.isClosed()) {
            try (Socket s = server.accept(); OutputStream o = s.getOutputStream()) {
                for (int i = 0; i < 2000; i++) { // ~8 MB of noise, then hang up
                    r.nextBytes(b);
                    o.write(b);
                }
            } catch (Exception e) {
                // the camera hung up, or the test ended
            }
        }
    }

    private static int brightPixels(BufferedImage img, int fromRow, int toRow) {
        int n = 0;
        for (int y = fromRow; y < toRow; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                n += ((rgb >> 8) & 0xff) > 200 ? 1 : 0;
            }
        }
        return n;
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
