package io.gridwatch.stack;

import io.gridwatch.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a running gridwatch service last said about itself, in {@code var/run/<service>.status.json}; the service
 * rewrites it every {@link #INTERVAL}, so that {@code up} can wait for it to be ready and {@code status} can show it
 * without talking to it.
 *
 * @param service   the service's name ({@code ingest}, {@code pipeline}, …)
 * @param pid       the process that wrote it
 * @param ready     whether it does its work now (ingest: connected to MQTT; a job: RUNNING)
 * @param state     a word for people: {@code starting}, {@code running}, {@code stopping}, {@code failed}
 * @param detail    one line for people: counts, job id, last checkpoint
 * @param updatedAt when it was written, epoch milliseconds
 */
public record ServiceHeartbeat(String service, long pid, boolean ready, String state, String detail, long updatedAt) {

    /** How often a service rewrites its heartbeat. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);
    /** A heartbeat older than this means the service hangs (or died without a trace). */
    public static final Duration STALE = INTERVAL.multipliedBy(8);

    public ServiceHeartbeat {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }

    /** A heartbeat of this process, now. */
    public static ServiceHeartbeat now(String service, boolean ready, String state, String detail) {
        return new ServiceHeartbeat(service, ProcessHandle.current().pid(), ready, state, detail, System.currentTimeMillis());
    }

    /** The heartbeat file of a service: {@code var/run/<service>.status.json}. */
    public static Path file(Path varDir, String service) {
        return varDir.resolve("run").resolve(service + ".status.json");
    }

    /** Writes it whole (a temporary file moved into place), so that a reader never sees half of it. */
    public void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, Json.mapper().writeValueAsBytes(this));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The heartbeat in {@code file}, if there is a readable one. */
    public static Optional<ServiceHeartbeat> read(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Json.mapper().readValue(file.toFile(), ServiceHeartbeat.class)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // written by another version, or removed meanwhile
        }
    }

    /** Whether it is recent enough to trust. */
    public boolean fresh() {
        return Instant.ofEpochMilli(updatedAt).plus(STALE).isAfter(Instant.now());
    }
}
