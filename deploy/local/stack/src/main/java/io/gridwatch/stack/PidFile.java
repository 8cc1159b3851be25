package io.gridwatch.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The id of a process we started. A recorded id only counts while that process lives and its command line
 * still contains {@code marker} (ids are reused after a reboot).
 */
public record PidFile(Path path, String marker) {

    public PidFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(marker, "marker");
    }

    /** Our process, if it still runs. */
    public Optional<ProcessHandle> live() {
        Optional<Long> pid = recorded();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        boolean ours = handle.isPresent() && LinuxProcess.of(pid.get()).map(p -> p.command().contains(marker)).orElse(false);
        return ours ? handle : Optional.empty();
    }

    /**
     * Whether the recorded process is still alive, whatever its command line says. Right after a start the child
     * may not have exec'd the program yet (its command line is still Java's spawn helper), so {@link #live()}
     * would call a process that is starting "not ours"; a starting service is judged by this instead.
     */
    public boolean recordedAlive() {
        return recorded().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    public void write(long pid) {
        try {
            Files.createDirectories(path.getParent());
            Files.writeString(path, pid + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops our process: SIGTERM, then SIGKILL after {@code grace}. Removes the file.
     *
     * @return the id of the process that was stopped, if one ran
     */
    public Optional<Long> stop(Duration grace) {
        Optional<ProcessHandle> process = live();
        process.ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                p.onExit().join();
            }
        });
        delete();
        return process.map(ProcessHandle::pid);
    }

    private Optional<Long> recorded() {
        try {
            if (!Files.isRegularFile(path)) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(Files.readString(path, StandardCharsets.UTF_8).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
