package io.gridwatch.evidence;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a case's evidence pictures are kept (CONTRACTS.md §4 {@code evidence[]}): files under {@code var/evidence} by
 * default; an S3-compatible object store can implement the same interface. A picture is stored once and never changed:
 * it is named by its content, and the case carries its URI and SHA-256.
 */
public interface EvidenceStore extends AutoCloseable {

    /**
     * One stored picture.
     *
     * @param uri    where it can be read again ({@code file:///…} for files, {@code s3://bucket/key} for an object store)
     * @param sha256 the stored bytes' SHA-256, lower-case hex
     * @param bytes  how many bytes were stored
     */
    record Stored(URI uri, String sha256, long bytes) {
    }

    /**
     * Stores a picture that is ready to keep (box drawn, faces and plates already blurred). Storing the same bytes for
     * the same camera and time again returns the same URI and stores nothing new.
     *
     * @param cameraId the camera that took it
     * @param takenAt  when the frame was taken
     * @param role     what the picture shows in its case: {@code appeared}, {@code confirmed}, {@code latest}, {@code cleared}
     * @param jpeg     the picture
     */
    Stored put(String cameraId, Instant takenAt, String role, byte[] jpeg) throws IOException;

    /**
     * Where a picture that is not rendered yet will be stored: decided up front from what it shows, not from its bytes,
     * so that a case can refer to it while it is being rendered off the detection path ({@link #putAt}). The same
     * arguments always give the same URI.
     *
     * @param slot tells apart the pictures of one camera, moment and role (e.g. the box drawn on it); any text
     */
    URI reserve(String cameraId, Instant takenAt, String role, String slot);

    /**
     * Stores a picture at a URI of {@link #reserve}. A picture already there with the same bytes is left alone; other
     * bytes replace it (a picture rendered again after the job restarted from a checkpoint: whoever reads it later
     * hashes what is there then).
     */
    Stored putAt(URI reserved, byte[] jpeg) throws IOException;

    /** The picture at {@code uri}, when this store holds it. */
    Optional<byte[]> get(URI uri) throws IOException;

    /** Deletes pictures taken before {@code cutoff} (retention); returns how many were deleted. */
    int deleteTakenBefore(Instant cutoff) throws IOException;

    @Override
    default void close() throws IOException {
    }
}
