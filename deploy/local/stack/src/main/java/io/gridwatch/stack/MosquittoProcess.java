package io.gridwatch.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Our own Mosquitto: configuration in {@code home/mosquitto.conf}, persistence in {@code home/data/}.
 * Installs the Debian package when it is missing and we are root.
 */
public final class MosquittoProcess {

    private static final Logger log = LoggerFactory.getLogger(MosquittoProcess.class);
    private static final List<Path> KNOWN_LOCATIONS = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/local/sbin/mosquitto"));
    static final String INSTALL_HINT = "install Mosquitto (apt-get install mosquitto)";

    private final String host;
    private final int port;
    private final ServiceFiles files;
    private final boolean ownSession;
    private final PidFile pidFile;
    private final int maxQueuedMessages;

    public MosquittoProcess(String host, int port, ServiceFiles files, boolean ownSession) {
        this(host, port, files, ownSession, 0);
    }

    /** @param maxQueuedMessages see {@link MosquittoConfig#maxQueuedMessages()}: 0 for ours, Mosquitto's default in tests of an adopted broker */
    public MosquittoProcess(String host, int port, ServiceFiles files, boolean ownSession, int maxQueuedMessages) {
        this.maxQueuedMessages = maxQueuedMessages;
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.files = Objects.requireNonNull(files, "files");
        this.ownSession = ownSession;
        this.pidFile = new PidFile(files.pidFile(), configFile().toString());
    }

    public String uri() {
        return "tcp://" + host + ":" + port;
    }

    public Path dataDir() {
        return files.home().resolve("data");
    }

    public Optional<ProcessHandle> process() {
        return pidFile.live();
    }

    /** Whether an MQTT broker (ours or not) answers on our address. */
    public boolean answers() {
        return MqttProbe.answers(uri());
    }

    /**
     * Starts our Mosquitto and waits until it answers. Call only when the port is free or ours.
     *
     * @return whether a new process was started
     */
    public boolean start(Duration timeout) {
        if (process().isPresent()) {
            awaitReady(timeout);
            return false;
        }
        Path binary = binary();
        files.createDirectories();
        try {
            Files.createDirectories(dataDir());
            String user = System.getProperty("user.name");
            Files.writeString(configFile(), new MosquittoConfig(host, port, user, dataDir().toString(), maxQueuedMessages).render(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process p = BackgroundProcess.start(List.of(binary.toString(), "-c", configFile().toString()), files.logFile(), ownSession);
        pidFile.write(p.pid());
        log.info("started Mosquitto on {} (pid {}, data in {}, log {})", uri(), p.pid(), dataDir(), files.logFile());
        awaitReady(timeout);
        return true;
    }

    /** Stops our Mosquitto (it saves its persistence file on SIGTERM). */
    public Optional<Long> stop(Duration grace) {
        Optional<Long> stopped = pidFile.stop(grace);
        stopped.ifPresent(pid -> log.info("stopped Mosquitto (pid {})", pid));
        return stopped;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!pidFile.recordedAlive()) {
                throw new StackException("Mosquitto stopped while starting; the end of " + files.logFile() + ":\n" + files.logTail(20));
            }
            if (PortOwner.accepts(host, port) && answers()) {
                return;
            }
            BackgroundProcess.sleep(Duration.ofMillis(100));
        }
        throw new StackException("Mosquitto did not answer on " + uri() + " within " + timeout.toSeconds() + " s; the end of "
                + files.logFile() + ":\n" + files.logTail(20));
    }

    private Path configFile() {
        return files.home().resolve("mosquitto.conf");
    }

    /** The mosquitto program; installed with apt-get when missing and we are root. */
    static Path binary() {
        Optional<Path> found = locate();
        if (found.isPresent()) {
            return found.get();
        }
        if (!BackgroundProcess.runningAsRoot() || !AptPackage.aptAvailable()) {
            throw new StackException("Mosquitto (the MQTT broker) is not installed: " + INSTALL_HINT + ", then run again");
        }
        try {
            Path aptLog = Files.createTempFile("gridwatch-apt-mosquitto-", ".log");
            new AptPackage("mosquitto").install(aptLog);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return locate().orElseThrow(() -> new StackException("Mosquitto is still missing after apt-get: " + INSTALL_HINT));
    }

    private static Optional<Path> locate() {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        return Stream.concat(Stream.of(path.split(":")).filter(s -> !s.isEmpty()).map(d -> Path.of(d, "mosquitto")),
                        KNOWN_LOCATIONS.stream())
                .filter(Files::isExecutable).findFirst();
    }
}
