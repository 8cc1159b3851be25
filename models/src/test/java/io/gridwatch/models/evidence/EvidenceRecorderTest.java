package io.gridwatch.models.evidence;

import io.gridwatch.detection.Detection;
import io.gridwatch.evidence.FileEvidenceStore;
import io.gridwatch.models.Box;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A case's frame evidence from a real photograph to the stored, blurred picture the case's item points at. */
class EvidenceRecorderTest {

    @Test
    void theCaseItemPointsAtABlurredPictureWithItsHash(@TempDir Path dir) throws Exception {
        byte[] messi = RealPhotos.bytes(RealPhotos.MESSI);
        long ts = Instant.parse("2026-12-03T10:15:30Z").toEpochMilli();
        Box ball = Box.ofPixels(335, 285, 392, 338, 548, 342);
        FileEvidenceStore store = new FileEvidenceStore(dir);
        try (EvidenceRecorder recorder = new EvidenceRecorder(store)) {
            Detection.Evidence e = recorder.record("cam-xg-0001", ts, EvidenceRecorder.Role.CONFIRMED, messi, ball, "ball 0.91");

            assertThat(e.type()).isEqualTo(Detection.Evidence.FRAME);
            assertThat(e.ts()).isEqualTo(ts);
            assertThat(e.box()).containsExactly(ball.toArray());
            assertThat(e.uri()).startsWith("file:///").contains("/cam-xg-0001/2026-12-03/101530.000Z-confirmed-");
            byte[] stored = store.get(URI.create(e.uri())).orElseThrow();
            assertThat(FileEvidenceStore.sha256(stored)).isEqualTo(e.sha256());
            // what is kept has Messi's face blurred: the raw frame is stored nowhere
            Rect face = new Rect(226, 96, 33, 30);
            assertThat(RealPhotos.sharpness(stored, face)).isLessThan(RealPhotos.sharpness(messi, face) / EvidenceFramesTest.DROP);
            try (Stream<Path> files = Files.walk(dir)) {
                assertThat(files.filter(Files::isRegularFile).map(p -> {
                    try {
                        return FileEvidenceStore.sha256(Files.readAllBytes(p));
                    } catch (java.io.IOException x) {
                        throw new java.io.UncheckedIOException(x);
                    }
                })).containsExactly(e.sha256()).doesNotContain(FileEvidenceStore.sha256(messi));
            }

            Detection.Evidence cleared = recorder.record("cam-xg-0001", ts + 60_000, EvidenceRecorder.Role.CLEARED, messi, null, null);
            assertThat(cleared.box()).isNull();
            assertThat(cleared.uri()).contains("-cleared-");

            assertThatThrownBy(() -> recorder.record("cam-xg-0002", ts, EvidenceRecorder.Role.LATEST, new byte[] {1, 2, 3}, ball, "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cam-xg-0002");
        }
    }

    @Test
    void everyPictureTheVideoTrackerAsksForHasARole() {
        for (String role : java.util.List.of(io.gridwatch.video.ZoneTracker.APPEARED, io.gridwatch.video.ZoneTracker.CONFIRMED,
                io.gridwatch.video.ZoneTracker.LATEST, io.gridwatch.video.ZoneTracker.CLEARED)) {
            org.assertj.core.api.Assertions.assertThat(EvidenceRecorder.Role.of(role).id()).isEqualTo(role);
        }
        assertThatThrownBy(() -> EvidenceRecorder.Role.of("raw")).hasMessageContaining("'raw'");
    }
}
