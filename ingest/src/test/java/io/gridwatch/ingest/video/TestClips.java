package io.gridwatch.ingest.video;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real H.264 clips made with the ffmpeg command line, and ffmpeg serving them as a live camera. */
final class TestClips {

    private TestClips() {
    }

    /**
     * An H.264 MP4 of {@code seconds} at 25 fps, 640×360, a key frame every 2 s: a grey picture with
     * a white 200×120 box placed by {@code overlay} (ffmpeg overlay x/y expressions, evaluated every
     * frame), or no box for a still picture.
     */
    static Path clip(Path dir, String name, int seconds, String overlay) {
        Path file = dir.resolve(name);
        String video = overlay == null ? "color=c=gray:s=640x360:r=25"
                : "color=c=gray:s=640x360:r=25[bg];color=c=white:s=200x120:r=25[box];[bg][box]overlay=" + overlay;
        run(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", video, "-t", Integer.toString(seconds),
                "-c:v", "libx264", "-g", "50", "-pix_fmt", "yuv420p", file.toString()));
        return file;
    }

    /** A box that moves across the top of the picture, {@code 150 px/s}. */
    static final String MOVING_TOP = "x='mod(t*150\\,440)':y=20";

    /** ffmpeg serving {@code clip} in a loop as MPEG-TS over TCP, in real time, to the first client on {@code port}. */
    static Process serveTcp(Path clip, int port) {
        try {
            return new ProcessBuilder("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip.toString(), "-c", "copy",
                    "-f", "mpegts", "tcp://127.0.0.1:" + port + "?listen=1").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start ffmpeg (install the ffmpeg package): " + e.getMessage(), e);
        }
    }

    /**
     * ffmpeg encoding a live test picture with a single key frame, the first (x264 {@code keyint=infinite}), served as
     * MPEG-TS over TCP to the first client on {@code port}: data keeps coming, key frames never again.
     */
    static Process serveTcpWithoutKeyFrames(int port) {
        return start(List.of("ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=s=320x240:r=25", "-c:v", "libx264",
                "-preset", "ultrafast", "-x264-params", "keyint=infinite:scenecut=0", "-pix_fmt", "yuv420p", "-f", "mpegts",
                "tcp://127.0.0.1:" + port + "?listen=1"), "install the ffmpeg package");
    }

    /**
     * Debian's rtsp-server-perl relay: ffmpeg pushes to {@code sourcePort}, cameras pull from
     * {@code clientPort}, RTP over UDP only (it answers TCP interleaving with 400 Bad Request).
     */
    static Process rtspRelay(int clientPort, int sourcePort, int rtpStartPort) {
        return start(List.of("rtsp-server-perl", "-c", Integer.toString(clientPort), "-s", Integer.toString(sourcePort),
                "--rtp_start_port", Integer.toString(rtpStartPort)), "install the rtsp-server-perl package");
    }

    /** ffmpeg pushing {@code clip} in a loop, in real time, to an RTSP server that records it as {@code path}. */
    static Process pushRtsp(Path clip, int sourcePort, String path) {
        return start(List.of("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip.toString(), "-c", "copy", "-f", "rtsp",
                "rtsp://127.0.0.1:" + sourcePort + "/" + path), "install the ffmpeg package");
    }

    private static Process start(List<String> cmd, String hint) {
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd.get(0) + " (" + hint + "): " + e.getMessage(), e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ffmpeg (install the ffmpeg package): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
