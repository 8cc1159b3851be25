package io.gridwatch.cli;

import io.gridwatch.stack.BackgroundProcess;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The demo's camera stream servers: Debian's {@code rtsp-server-perl} relay with ffmpeg pushing a clip to it (cameras
 * pull {@code rtsp://127.0.0.1:PORT/NAME}, RTP over UDP), and ffmpeg serving a clip as MPEG-TS over TCP to the first
 * client (DEPENDENCIES.md: what works as a test camera here; ffmpeg cannot serve RTSP itself). Each clip plays once, in
 * real time. Every process started here ends with {@link #close()}, with this JVM's shutdown hook, and — when this JVM
 * is killed outright — by a watchdog that polls for this JVM once a second: none outlives the demo.
 */
final class DemoStreams implements AutoCloseable {

    /** The Debian packages that provide the programs. */
    static final List<String> PACKAGES = List.of("ffmpeg", "rtsp-server-perl");


    private final Path log;
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "demo-streams-stop");
    private Process relay;
    private int relayClientPort = -1;
    private int relaySourcePort = -1;

    /** @param log where the servers' output goes (appended) */
    DemoStreams(Path log) throws IOException {
        this.log = log;
        Files.createDirectories(log.getParent());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether {@code program} is an executable on the PATH. */
    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** The programs of {@link #PACKAGES} that are missing (each package has a program of its own name). */
    static List<String> missing() {
        return PACKAGES.stream().filter(p -> !onPath(p)).toList();
    }

    /** Starts the RTSP relay (once) and returns the port cameras pull from. */
    int rtspRelay() throws IOException, InterruptedException {
        if (relayClientPort < 0) {
            relayClientPort = freePort();
            relaySourcePort = freePort();
            int rtpStart = 20_000 + 2 * ThreadLocalRandom.current().nextInt(10_000);
            relay = start(List.of("rtsp-server-perl", "-c", Integer.toString(relayClientPort), "-s", Integer.toString(relaySourcePort),
                    "--rtp_start_port", Integer.toString(rtpStart)));
            // ffmpeg's push must find the relay listening: a push that comes too early fails for good
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!listening(relaySourcePort)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the RTSP relay (rtsp-server-perl) did not listen on port " + relaySourcePort + " within 15 s; see " + log);
                }
                Thread.sleep(100);
            }
        }
        return relayClientPort;
    }

    /** ffmpeg pushing {@code clip} once, in real time, to the relay as {@code name}; returns the URL a camera reads. */
    Served pushRtsp(Path clip, String name) throws IOException, InterruptedException {
        int port = rtspRelay();
        Process p = start(List.of("ffmpeg", "-nostdin", "-v", "error", "-re", "-i", clip.toString(), "-c", "copy", "-f", "rtsp",
                "rtsp://127.0.0.1:" + relaySourcePort + "/" + name));
        return new Served("rtsp://127.0.0.1:" + port + "/" + name, "RTSP via the rtsp-server-perl relay", p, System.currentTimeMillis());
    }

    /** ffmpeg serving {@code clip} once, in real time from the moment a camera connects, as MPEG-TS over TCP. */
    Served serveTcp(Path clip) throws IOException {
        int port = freePort();
        Process p = start(List.of("ffmpeg", "-nostdin", "-v", "error", "-re", "-i", clip.toString(), "-c", "copy", "-f", "mpegts",
                "tcp://127.0.0.1:" + port + "?listen=1"));
        return new Served("tcp://127.0.0.1:" + port, "MPEG-TS over TCP from ffmpeg", p, -1);
    }

    /**
     * A stream being served.
     *
     * @param startedAt when the clip began to play (wall time), or -1 when it starts with the first client
     */
    record Served(String url, String how, Process process, long startedAt) {
    }

    /** Stops every server (TERM, then KILL after 5 s). */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }

    /** The relay, once started: "rtsp-server-perl on port P (pid N)". */
    String relay() {
        return relay == null ? "none" : "rtsp-server-perl on port " + relayClientPort + " (pid " + relay.pid() + ")";
    }

    /** The pids of the servers still running. */
    synchronized List<Long> running() {
        return processes.stream().filter(Process::isAlive).map(Process::pid).toList();
    }

    private synchronized void stopAll() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized Process start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        processes.add(p);
        watch(p);
        return p;
    }

    /** Ends the stream server with this JVM, even when the JVM is killed (the stack's watchdog, {@link BackgroundProcess}). */
    private void watch(Process program) throws IOException {
        try {
            BackgroundProcess.endWithThisJvm(program, log);
        } catch (io.gridwatch.stack.StackException e) {
            throw new IOException("stream server " + program.pid() + ": " + e.getMessage(), e);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DemoStreams[%d processes, log %s]", processes.size(), log);
    }
}
