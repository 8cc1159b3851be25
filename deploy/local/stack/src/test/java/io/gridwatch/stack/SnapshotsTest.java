package io.gridwatch.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotsTest {

    @TempDir
    Path var;

    private Path checkpoints() {
        return var.resolve("checkpoints");
    }

    private Path savepoints() {
        return var.resolve("savepoints");
    }

    /** A snapshot directory; with its _metadata (completed at {@code at}) unless {@code at} is null. */
    private Path snapshot(Path dir, Instant at) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("some-state-file"), "x");
        if (at != null) {
            Path m = Files.writeString(dir.resolve("_metadata"), "metadata");
            Files.setLastModifiedTime(m, FileTime.from(at));
        }
        return dir;
    }

    @Test
    void nothingOnDiskMeansNothingToResumeFrom() {
        assertThat(new Snapshots(checkpoints(), savepoints()).newest()).isEmpty();
    }

    @Test
    void theNewestCompletedCheckpointWinsAndOneWithoutMetadataIsSkipped() throws Exception {
        Instant t = Instant.parse("2026-11-28T04:03:00Z");
        snapshot(checkpoints().resolve("aaaa/chk-7"), t);
        snapshot(checkpoints().resolve("aaaa/chk-8"), t.plusSeconds(5));
        snapshot(checkpoints().resolve("aaaa/chk-9"), null); // under way when the process was killed
        snapshot(checkpoints().resolve("aaaa/shared"), null);
        Snapshot s = new Snapshots(checkpoints(), savepoints()).newest().orElseThrow();
        assertThat(s.kind()).isEqualTo(Snapshot.Kind.CHECKPOINT);
        assertThat(s.number()).isEqualTo(8);
        assertThat(s.jobId()).isEqualTo("aaaa");
        assertThat(s.dir()).isEqualTo(checkpoints().resolve("aaaa/chk-8").toAbsolutePath());
        assertThat(s.describe()).startsWith("checkpoint chk-8 of job aaaa, taken ");
    }

    @Test
    void aSavepointNewerThanEveryCheckpointWinsAndAnOlderOneDoesNot() throws Exception {
        Instant t = Instant.parse("2026-11-28T04:03:00Z");
        snapshot(checkpoints().resolve("aaaa/chk-3"), t);
        snapshot(savepoints().resolve("savepoint-aaaa00-0123456789ab"), t.plusSeconds(60));
        Snapshots snapshots = new Snapshots(checkpoints(), savepoints());
        assertThat(snapshots.newest().orElseThrow().kind()).isEqualTo(Snapshot.Kind.SAVEPOINT);
        assertThat(snapshots.newest().orElseThrow().describe()).startsWith("savepoint savepoint-aaaa00-0123456789ab of job aaaa00");

        // a later job restored from the savepoint and checkpointed since: its checkpoint is newer
        snapshot(checkpoints().resolve("bbbb/chk-1"), t.plusSeconds(120));
        assertThat(snapshots.newest().orElseThrow().dir().getFileName().toString()).isEqualTo("chk-1");
        assertThat(snapshots.newest().orElseThrow().jobId()).isEqualTo("bbbb");
    }

    @Test
    void pruningWaitsForTheRunningJobsOwnCheckpointThenDropsEarlierJobsSnapshots() throws Exception {
        Instant t = Instant.parse("2026-11-28T04:03:00Z");
        snapshot(checkpoints().resolve("aaaa/chk-3"), t);
        snapshot(savepoints().resolve("savepoint-aaaa00-0123456789ab"), t.plusSeconds(10));
        Snapshots snapshots = new Snapshots(checkpoints(), savepoints());

        // the restored job has no checkpoint yet: what it restored from must stay
        Files.createDirectories(checkpoints().resolve("bbbb/chk-1"));
        assertThat(snapshots.pruneBefore("bbbb")).isEmpty();
        assertThat(snapshots.all()).hasSize(2);

        snapshot(checkpoints().resolve("bbbb/chk-1"), t.plusSeconds(20));
        assertThat(snapshots.pruneBefore("bbbb")).hasSize(2);
        assertThat(snapshots.all()).extracting(Snapshot::jobId).containsExactly("bbbb");
        assertThat(checkpoints().resolve("aaaa")).doesNotExist();
    }
}
