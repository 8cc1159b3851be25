package io.gridwatch.testkit;

import io.gridwatch.stack.PostgresEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of one test's own, which the test may stop and start again — an outage of the database, which
 * the shared server of {@link TestServices} must never have. Made with the machine's server binaries
 * ({@code initdb}, {@code pg_ctl}) in a temporary directory, on a free port of 127.0.0.1, trust authentication, user
 * {@value #USER}. As root the binaries run as the user {@code postgres} (the server refuses root).
 *
 * <p>The cluster ends with the JVM however it ends: {@link #close()} or a shutdown hook stops it and deletes its
 * directory, and a {@link JvmWatchdog} does the same when the JVM is killed.
 *
 * <pre>{@code
 * try (PrivatePostgres pg = PrivatePostgres.create()) {
 *     String url = pg.newDatabase("outage");
 *     pg.crash();            // pg_ctl stop -m immediate: no shutdown checkpoint, connections cut
 *     pg.start();            // crash recovery, then it answers again on the same port
 * }
 * }</pre>
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrivatePostgres.class);
    /** The cluster's superuser. */
    public static final String USER = "postgres";
    private static final String HOST = "127.0.0.1";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Path DEBIAN_BINARIES = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asRoot;
    private final Thread shutdownHook;
    private boolean closed;

    private PrivatePostgres(Path bin, Path dir, int port, boolean asRoot) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asRoot = asRoot;
        this.shutdownHook = new Thread(this::stopAndDelete, "gridwatch-private-postgres-stop");
    }

    /** Makes a new cluster (initdb) and starts it; the server answers when this returns. */
    public static PrivatePostgres create() {
        Path bin = binaries();
        boolean root = "0".equals(run(List.of("id", "-u"), Duration.ofSeconds(10)).strip());
        Path dir;
        try {
            dir = Files.createTempDirectory("gw-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, dir, TestServices.freePort(), root);
        Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
        try {
            if (root) {
                run(List.of("chown", USER + ":", dir.toString()), COMMAND_TIMEOUT);
            }
            long t0 = System.nanoTime();
            run(pg.asServerUser(bin.resolve("initdb").toString(), "-D", pg.dataDir().toString(), "-U", USER, "--auth=trust",
                    "--no-sync", "-E", "UTF8", "--locale=C"), COMMAND_TIMEOUT);
            log.info("private PostgreSQL cluster made in {} ms in {}", (System.nanoTime() - t0) / 1_000_000, dir);
            pg.start();
            return pg;
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /** Starts the (stopped) server and waits until it accepts connections; a crashed one recovers first. */
    public void start() {
        long t0 = System.nanoTime();
        // fsync off: the machine does not crash in a test, only the server does, and the page cache survives that
        run(asServerUser(bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", String.valueOf(COMMAND_TIMEOUT.toSeconds()), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=" + HOST + " -c fsync=off -c max_connections=100", "start"),
                COMMAND_TIMEOUT.plusSeconds(5));
        long pid = postmasterPid().orElseThrow(() -> new IllegalStateException("PostgreSQL started but wrote no postmaster.pid in "
                + dataDir() + "; see " + dir.resolve("server.log")));
        JvmWatchdog.endWithThisJvm(pid, dir);
        log.info("private PostgreSQL on {}:{} started in {} ms (pid {})", HOST, port, (System.nanoTime() - t0) / 1_000_000, pid);
    }

    /**
     * Stops the server the closest way to a crash ({@code pg_ctl stop -m immediate}): open connections are cut, nothing
     * is checkpointed, and the next {@link #start()} recovers from the WAL.
     */
    public void crash() {
        stop("immediate");
    }

    /** Stops the server cleanly ({@code -m fast}: connections are ended, a shutdown checkpoint is written). */
    public void stop() {
        stop("fast");
    }

    private void stop(String mode) {
        long t0 = System.nanoTime();
        run(asServerUser(bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-m", mode, "-w", "stop"), COMMAND_TIMEOUT);
        log.info("private PostgreSQL on {}:{} stopped ({}) in {} ms", HOST, port, mode, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Whether the server runs (its postmaster.pid names a live process). */
    public boolean running() {
        return postmasterPid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The server as the stack describes one, e.g. to create databases. */
    public PostgresEndpoint endpoint() {
        return new PostgresEndpoint(HOST, port, USER, null, PostgresEndpoint.Origin.EXTERNAL, postmasterPid().orElse(null), dataDir());
    }

    /**
     * Creates a fresh database and returns its JDBC URL.
     *
     * @param prefix the start of the name, letters, digits and underscores (a unique suffix is added)
     */
    public String newDatabase(String prefix) {
        String name = prefix.toLowerCase(Locale.ROOT) + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PostgresEndpoint pg = endpoint();
        pg.ensureDatabase(name);
        return pg.jdbcUrl(name);
    }

    /** Stops the server (if it runs) and deletes its directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run
        }
        stopAndDelete();
    }

    private void stopAndDelete() {
        try {
            if (running()) {
                stop("immediate");
            }
        } catch (RuntimeException e) {
            log.warn("stopping the private PostgreSQL in {} failed: {}", dir, e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    private Path dataDir() {
        return dir.resolve("data");
    }

    private Optional<Long> postmasterPid() {
        Path pidFile = dataDir().resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private List<String> asServerUser(String... command) {
        List<String> out = new ArrayList<>();
        if (asRoot) {
            out.addAll(List.of("runuser", "-u", USER, "--"));
        }
        out.addAll(List.of(command));
        return out;
    }

    /** The newest server binaries of the machine: Debian's {@code /usr/lib/postgresql/N/bin}, else those on the PATH. */
    private static Path binaries() {
        if (Files.isDirectory(DEBIAN_BINARIES)) {
            try (Stream<Path> versions = Files.list(DEBIAN_BINARIES)) {
                Optional<Path> newest = versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                        .map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "initdb")) && Files.isExecutable(Path.of(d, "pg_ctl"))) {
                return Path.of(d);
            }
        }
        throw new IllegalStateException("PostgreSQL's server programs (initdb, pg_ctl) are neither under " + DEBIAN_BINARIES
                + "/N/bin nor on the PATH: install them (apt-get install postgresql) to run this test");
    }

    /** Runs a command to its end; its output, or an exception with the output when it fails. */
    private static String run(List<String> command, Duration timeout) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            // pg_ctl start leaves the server holding no pipe of ours (-l), so reading to the end terminates
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s:\n" + out);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }
}
