package io.gridwatch.jobs;

import io.gridwatch.evidence.EvidenceStore;
import io.gridwatch.evidence.FileEvidenceStore;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where the video job keeps its evidence pictures: a serialisable factory of the {@link EvidenceStore}
 * ({@link FileEvidenceStore} by default), so that the job graph carries it and each operator instance opens its own.
 * The pictures are rendered and stored by models' {@code EvidenceRecorder} (faces and plates blurred first).
 */
public final class EvidencePictures {

    private EvidencePictures() {
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
}
