package io.gridwatch.jobs;

import io.gridwatch.evidence.EvidenceStore;
import io.gridwatch.evidence.FileEvidenceStore;
import io.gridwatch.models.Box;
import io.gridwatch.models.evidence.EvidenceFrames;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * How the video job makes and keeps its evidence pictures: a {@link Renderer} that prepares a frame for keeping
 * (faces and licence plates blurred first, then its box drawn and labelled: models' {@link EvidenceFrames}), and the
 * {@link EvidenceStore} it goes to ({@link FileEvidenceStore} by default). Both are serialisable factories, so that
 * the job graph carries them and each operator instance makes its own.
 */
public final class EvidencePictures {

    private EvidencePictures() {
    }

    /** Prepares a frame for keeping: the picture that is stored, never the raw frame. */
    @FunctionalInterface
    public interface Renderer extends Serializable {
        /**
         * @param box   0..1 {@code [x1, y1, x2, y2]}
         * @param label a short ASCII label drawn with the box
         */
        byte[] render(byte[] jpeg, double[] box, String label) throws IOException;
    }

    /** Opens the evidence store of one operator instance. */
    @FunctionalInterface
    public interface StoreFactory extends Serializable {
        EvidenceStore open() throws IOException;
    }

    /** Files under {@code dir} ({@code evidence.dir} under the stack's var dir). */
    public static StoreFactory files(String dir) {
        return () -> new FileEvidenceStore(Path.of(dir));
    }

    /** Faces and plates blurred, then the box: one {@link EvidenceFrames} per operator instance (it is not thread-safe). */
    public static Renderer blurred() {
        return new Blurred();
    }

    private static final class Blurred implements Renderer {
        private static final long serialVersionUID = 1L;
        private transient EvidenceFrames frames;

        @Override
        public byte[] render(byte[] jpeg, double[] box, String label) {
            if (frames == null) {
                frames = new EvidenceFrames();
            }
            return frames.render(jpeg, box == null ? null : new Box(box[0], box[1], box[2], box[3]), label).jpeg();
        }
    }
}
