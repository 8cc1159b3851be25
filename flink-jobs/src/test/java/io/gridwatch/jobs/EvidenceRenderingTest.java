package io.gridwatch.jobs;

import io.gridwatch.detection.Detection;
import io.gridwatch.evidence.FileEvidenceStore;
import io.gridwatch.video.ZoneTracker;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The video job's evidence stage ({@link EvidenceRendering}) in Flink's Async I/O operator, with a real
 * {@link FileEvidenceStore} and real rendering (OpenCV): pictures land on their reserved URIs and the detections leave
 * with the SHA-256 of what is stored, also for a picture rendered by an earlier request; a picture that cannot be rendered
 * lets its detection through without it; a request in flight at a checkpoint is rendered after the restore.
 */
class EvidenceRenderingTest {

    static final String CAM = "cam-render-1";
    static final long T0 = Instant.parse("2026-12-03T08:00:00Z").toEpochMilli();
    static final double[] BOX = {0.2, 0.4, 0.6, 0.9};

    @TempDir
    Path dir;

    @Test
    void theRaisedDetectionLeavesWithTheHashesOfItsAppearedAndConfirmedPictures() throws Exception {
        FileEvidenceStore store = new FileEvidenceStore(dir);
        URI appeared = store.reserve(CAM, Instant.ofEpochMilli(T0), ZoneTracker.APPEARED, "a");
        URI confirmed = store.reserve(CAM, Instant.ofEpochMilli(T0 + 5_000), ZoneTracker.CONFIRMED, "c");
        List<Detection> out;
        try (var h = harness()) {
            h.open();
            // the appeared picture alone (no detection yet), then the frame that confirms it: in flight together
            h.processElement(request(1, T0, frame(1), List.of(new RenderRequest.Picture(appeared.toString(), ZoneTracker.APPEARED, BOX))), T0);
            h.processElement(request(2, T0 + 5_000, frame(2), List.of(new RenderRequest.Picture(confirmed.toString(), ZoneTracker.CONFIRMED, BOX)),
                    raised(T0 + 5_000, pending(appeared, T0), pending(confirmed, T0 + 5_000))), T0 + 5_000);
            h.endInput();
            out = h.extractOutputValues();
        }
        assertThat(out).hasSize(1);
        List<Detection.Evidence> evidence = out.get(0).evidence();
        assertThat(evidence).extracting(Detection.Evidence::uri).containsExactly(appeared.toString(), confirmed.toString());
        for (Detection.Evidence e : evidence) {
            assertThat(e.sha256()).isEqualTo(FileEvidenceStore.sha256(Files.readAllBytes(Path.of(URI.create(e.uri())))));
            assertThat(e.box()).containsExactly(BOX);
        }
        assertThat(evidence.get(0).sha256()).isNotEqualTo(evidence.get(1).sha256());

        // later, in a new instance (a restart): the appeared picture is read back from the store and hashed
        URI cleared = store.reserve(CAM, Instant.ofEpochMilli(T0 + 60_000), ZoneTracker.CLEARED, "x");
        try (var h = harness()) {
            h.open();
            h.processElement(request(3, T0 + 60_000, frame(3), List.of(new RenderRequest.Picture(cleared.toString(), ZoneTracker.CLEARED, null)),
                    raised(T0 + 60_000, pending(appeared, T0), pending(cleared, T0 + 60_000))), T0 + 60_000);
            h.endInput();
            out = h.extractOutputValues();
        }
        assertThat(out.get(0).evidence()).extracting(Detection.Evidence::sha256)
                .containsExactly(evidence.get(0).sha256(), FileEvidenceStore.sha256(Files.readAllBytes(Path.of(cleared))));
    }

    @Test
    void aPictureThatCannotBeMadeLeavesItsDetectionGoingOnWithoutIt() throws Exception {
        FileEvidenceStore store = new FileEvidenceStore(dir);
        URI broken = store.reserve(CAM, Instant.ofEpochMilli(T0), ZoneTracker.CONFIRMED, "b");
        URI neverStored = store.reserve(CAM, Instant.ofEpochMilli(T0 - 60_000), ZoneTracker.APPEARED, "n");
        List<Detection> out;
        try (var h = harness()) {
            h.open();
            h.processElement(request(1, T0, new byte[] {1, 2, 3}, List.of(new RenderRequest.Picture(broken.toString(), ZoneTracker.CONFIRMED, BOX)),
                    raised(T0, pending(neverStored, T0 - 60_000), pending(broken, T0))), T0);
            h.endInput();
            out = h.extractOutputValues();
        }
        assertThat(out).hasSize(1);
        assertThat(out.get(0).state()).isEqualTo(Detection.State.RAISED);
        assertThat(out.get(0).evidence()).isEmpty();
        assertThat(store.get(broken)).isEmpty();
    }

    @Test
    void aRequestInFlightAtACheckpointIsRenderedAfterTheRestore() throws Exception {
        FileEvidenceStore store = new FileEvidenceStore(dir);
        URI confirmed = store.reserve(CAM, Instant.ofEpochMilli(T0), ZoneTracker.CONFIRMED, "c");
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(request(1, T0, frame(1), List.of(new RenderRequest.Picture(confirmed.toString(), ZoneTracker.CONFIRMED, BOX)),
                    raised(T0, pending(confirmed, T0))), T0);
            snapshot = h.snapshot(1, T0); // the render takes a while: the request is still in flight
        }
        Files.deleteIfExists(Path.of(confirmed)); // as if the first instance had died before storing it
        List<Detection> out;
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.endInput();
            out = h.extractOutputValues();
        }
        assertThat(out).hasSize(1);
        assertThat(out.get(0).evidence()).singleElement().satisfies(e ->
                assertThat(e.sha256()).isEqualTo(FileEvidenceStore.sha256(Files.readAllBytes(Path.of(confirmed)))));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    OneInputStreamOperatorTestHarness<RenderRequest, Detection> harness() throws Exception {
        VideoDetectionFunction.Settings settings = new VideoDetectionFunction.Settings("jdbc:postgresql://unused/x", "gridwatch",
                () -> (lon, lat) -> java.util.Optional.empty(), EvidencePictures.files(dir.toString()), Duration.ofSeconds(60), 2);
        TypeSerializer<RenderRequest> in = TypeInformation.of(RenderRequest.class).createSerializer(new SerializerConfigImpl());
        return new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(new EvidenceRendering(settings),
                EvidenceRendering.TIMEOUT.toMillis(), 8, AsyncDataStream.OutputMode.UNORDERED), in, new MockEnvironmentBuilder().build());
    }

    static RenderRequest request(long seq, long ts, byte[] jpeg, List<RenderRequest.Picture> pictures, Detection... detections) {
        return new RenderRequest(CAM, seq, ts, jpeg, new ArrayList<>(pictures), new ArrayList<>(List.of(detections)));
    }

    static Detection.Evidence pending(URI uri, long ts) {
        return new Detection.Evidence(Detection.Evidence.FRAME, uri.toString(), ts, BOX, null);
    }

    static Detection raised(long ts, Detection.Evidence... evidence) {
        return new Detection(Detection.SCHEMA, CAM + "/plaza/stall/" + ts + "/raised", Detection.Source.camera(CAM, "plaza"), "stall.x",
                Detection.State.RAISED, "camera:" + CAM + ":plaza:stall", new Detection.Category(io.gridwatch.catalogue.CatalogueClass.Kind.EVENT, "0501"),
                null, null, null, ts, ts - 5_000, 0.9, 121.64, 38.91, null, null, "dwell_s", 5.0, "s", new ArrayList<>(List.of(evidence)), null, null);
    }

    /** A 320×240 street-like JPEG, different per seed. */
    static byte[] frame(int seed) throws Exception {
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        Random r = new Random(seed);
        for (int i = 0; i < 40; i++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            g.fillRect(r.nextInt(320), r.nextInt(240), 10 + r.nextInt(80), 10 + r.nextInt(60));
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
