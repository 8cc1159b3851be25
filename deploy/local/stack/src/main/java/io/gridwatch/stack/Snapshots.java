package io.gridwatch.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The snapshots a job of ours left on disk, and which one to resume from. Flink writes a snapshot's {@code _metadata}
 * last, so a directory without it (a checkpoint under way when the process was killed) is never a candidate.
 *
 * <p>Layout, as Flink's filesystem checkpoint storage writes it: {@code <checkpoints>/<job id>/chk-<N>/_metadata} and
 * {@code <savepoints>/savepoint-<short job id>-<random>/_metadata}.
 */
public final class Snapshots {

    static final String METADATA = "_metadata";
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
    private static final Pattern SAVEPOINT = Pattern.compile("savepoint-([0-9a-f]+)-.*");

    private final Path checkpoints;
    private final Path savepoints;

    /**
     * @param checkpoints the job's checkpoint directory (Flink's {@code execution.checkpointing.dir})
     * @param savepoints  the job's savepoint directory (Flink's {@code execution.checkpointing.savepoint-dir})
     */
    public Snapshots(Path checkpoints, Path savepoints) {
        this.checkpoints = checkpoints.toAbsolutePath().normalize();
        this.savepoints = savepoints.toAbsolutePath().normalize();
    }

    public Path checkpointsDir() {
        return checkpoints;
    }

    public Path savepointsDir() {
        return savepoints;
    }

    /** Every completed snapshot, newest first (by completion time; a higher checkpoint number breaks a tie). */
    public List<Snapshot> all() {
        List<Snapshot> out = new ArrayList<>();
        for (Path jobDir : children(checkpoints)) {
            for (Path dir : children(jobDir)) {
                Matcher m = CHECKPOINT.matcher(dir.getFileName().toString());
                if (m.matches()) {
                    completedAt(dir).ifPresent(t -> out.add(new Snapshot(Snapshot.Kind.CHECKPOINT, dir, jobDir.getFileName().toString(),
                            Long.parseLong(m.group(1)), t.toInstant())));
                }
            }
        }
        for (Path dir : children(savepoints)) {
            Matcher m = SAVEPOINT.matcher(dir.getFileName().toString());
            if (m.matches()) {
                completedAt(dir).ifPresent(t -> out.add(new Snapshot(Snapshot.Kind.SAVEPOINT, dir, m.group(1), -1, t.toInstant())));
            }
        }
        out.sort(Comparator.comparing(Snapshot::taken).thenComparingLong(Snapshot::number).reversed());
        return out;
    }

    /** The snapshot to resume from: the newest completed one, checkpoint or savepoint. */
    public Optional<Snapshot> newest() {
        return all().stream().findFirst();
    }

    /** The newest completed checkpoint of one job. */
    public Optional<Snapshot> newestCheckpointOf(String jobId) {
        return all().stream().filter(s -> s.kind() == Snapshot.Kind.CHECKPOINT && s.jobId().equals(jobId)).findFirst();
    }

    /**
     * Deletes the snapshots of earlier jobs once {@code jobId} has completed a checkpoint of its own: a job restored
     * from a snapshot does not own it (Flink's no-claim mode), so without this every restart would leave one behind.
     * The running job's own directory is Flink's to manage (it keeps the configured number of retained checkpoints).
     *
     * @return the directories deleted
     */
    public List<Path> pruneBefore(String jobId) {
        Optional<Snapshot> own = newestCheckpointOf(jobId);
        if (own.isEmpty()) {
            return List.of();
        }
        List<Path> deleted = new ArrayList<>();
        for (Path jobDir : children(checkpoints)) {
            if (!jobDir.getFileName().toString().equals(jobId) && Files.isDirectory(jobDir) && olderThan(jobDir, own.get())) {
                deleteTree(jobDir);
                deleted.add(jobDir);
            }
        }
        for (Snapshot s : all()) {
            if (s.kind() == Snapshot.Kind.SAVEPOINT && s.taken().isBefore(own.get().taken())) {
                deleteTree(s.dir());
                deleted.add(s.dir());
            }
        }
        return deleted;
    }

    /** Whether every snapshot in an earlier job's directory is older than {@code own} (none may be newer). */
    private static boolean olderThan(Path jobDir, Snapshot own) {
        for (Path dir : children(jobDir)) {
            Optional<FileTime> t = completedAt(dir);
            if (t.isPresent() && !t.get().toInstant().isBefore(own.taken())) {
                return false;
            }
        }
        return true;
    }

    private static Optional<FileTime> completedAt(Path dir) {
        Path metadata = dir.resolve(METADATA);
        try {
            if (Files.isRegularFile(metadata) && Files.size(metadata) > 0) {
                return Optional.of(Files.getLastModifiedTime(metadata));
            }
        } catch (IOException e) {
            // removed meanwhile (Flink subsumed it): not a candidate
        }
        return Optional.empty();
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return List.of(); // removed meanwhile
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the old snapshot " + dir, e);
        }
    }
}
