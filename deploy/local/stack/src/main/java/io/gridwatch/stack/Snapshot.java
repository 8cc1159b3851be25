package io.gridwatch.stack;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * A completed Flink snapshot on disk that a job can be restored from: a retained checkpoint ({@code <job id>/chk-N})
 * or a savepoint ({@code savepoint-…}), each a directory with its {@code _metadata} file.
 *
 * @param kind   checkpoint or savepoint
 * @param dir    the directory to restore from (what Flink's {@code execution.state-recovery.path} takes)
 * @param jobId  the id of the job that took it, or its short form in a savepoint's name, or "" when unknown
 * @param number the checkpoint number N of {@code chk-N}; -1 for a savepoint
 * @param taken  when it completed (its {@code _metadata} was written)
 */
public record Snapshot(Kind kind, Path dir, String jobId, long number, Instant taken) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    public enum Kind {
        CHECKPOINT, SAVEPOINT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Snapshot {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(taken, "taken");
    }

    /** {@code checkpoint chk-42 of job 3f…, taken 2026-11-28 12:03:11}, for people. */
    public String describe() {
        return kind.label() + " " + dir.getFileName() + (jobId.isEmpty() ? "" : " of job " + jobId) + ", taken " + TIME.format(taken);
    }

    /** The local time it was taken, {@code 2026-11-28 12:03:11}. */
    public String takenText() {
        return TIME.format(taken);
    }
}
