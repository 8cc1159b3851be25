package io.gridwatch.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where a service started by us keeps its things.
 *
 * @param home    its own directory: generated configuration and data
 * @param logFile its output (stdout and stderr)
 * @param pidFile the id of the process we started
 */
public record ServiceFiles(Path home, Path logFile, Path pidFile) {

    public ServiceFiles {
        home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
        logFile = Objects.requireNonNull(logFile, "logFile").toAbsolutePath().normalize();
        pidFile = Objects.requireNonNull(pidFile, "pidFile").toAbsolutePath().normalize();
    }

    /** The layout of the local stack: {@code var/<service>}, {@code var/log/<service>.log}, {@code var/run/<service>.pid}. */
    public static ServiceFiles under(Path varDir, String service) {
        return new ServiceFiles(varDir.resolve(service), varDir.resolve("log").resolve(service + ".log"),
                varDir.resolve("run").resolve(service + ".pid"));
    }

    void createDirectories() {
        try {
            Files.createDirectories(home);
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(pidFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of the log, to show why a service did not start. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log at " + logFile + ")";
        }
    }
}
