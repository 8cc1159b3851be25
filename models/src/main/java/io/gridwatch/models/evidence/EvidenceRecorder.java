package io.gridwatch.models.evidence;

import io.gridwatch.detection.Detection;
import io.gridwatch.evidence.EvidenceStore;
import io.gridwatch.models.Box;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the video job calls for each evidence frame of a case (CONTRACTS.md §4): renders it ({@link EvidenceFrames}: faces
 * and plates blurred, box and label drawn), stores it ({@link EvidenceStore}), and returns the {@code frame} evidence item
 * the case carries — URI, time, box and SHA-256. The camera's raw frame is never stored. Not thread-safe (its renderer is
 * not): one per operator instance.
 */
public final class EvidenceRecorder implements AutoCloseable {

    /** Which of a case's pictures this is. */
    public enum Role {
        /** the frame where the object first appeared */
        APPEARED,
        /** the frame that confirmed it (the case was raised) */
        CONFIRMED,
        /** the latest frame while it stays */
        LATEST,
        /** a closing frame once it is gone (no box) */
        CLEARED;

        /** The role's name in file names and in the video domain ({@code io.gridwatch.video.ZoneTracker}): lower case. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role named {@code id} ({@code appeared}, {@code confirmed}, {@code latest}, {@code cleared}). */
        public static Role of(String id) {
            for (Role r : values()) {
                if (r.id().equals(id)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown evidence role '" + id + "'");
        }
    }

    private final EvidenceStore store;
    private final EvidenceFrames frames = new EvidenceFrames();

    public EvidenceRecorder(EvidenceStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Renders and stores one frame.
     *
     * @param cameraId the camera that took it
     * @param ts       when it was taken, epoch milliseconds
     * @param role     which of the case's pictures it is
     * @param jpeg     the camera's frame as sampled ({@code gw.frames.v1})
     * @param box      the object's box in 0..1, or null (a closing frame)
     * @param label    a short ASCII label drawn above the box, e.g. {@code "vendor 0.87"}
     * @throws IllegalArgumentException naming the camera when the frame is not a picture
     */
    public Detection.Evidence record(String cameraId, long ts, Role role, byte[] jpeg, Box box, String label) throws IOException {
        return record(cameraId, ts, role, jpeg, box, label, List.of());
    }

    /**
     * As {@link #record(String, long, Role, byte[], Box, String)}, with the boxes of persons seen in the frame, whose heads
     * are blurred whether a face was found or not ({@link EvidenceFrames#render(byte[], Box, String, List)}).
     */
    public Detection.Evidence record(String cameraId, long ts, Role role, byte[] jpeg, Box box, String label, List<Box> people)
            throws IOException {
        EvidenceFrames.Rendered r;
        try {
            r = frames.render(jpeg, box, label, people);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("camera " + cameraId + ", frame at " + Instant.ofEpochMilli(ts) + ": " + e.getMessage(), e);
        }
        EvidenceStore.Stored s = store.put(cameraId, Instant.ofEpochMilli(ts), role.id(), r.jpeg());
        return Detection.Evidence.frame(s.uri().toString(), ts, box == null ? null : box.toArray(), s.sha256());
    }

    /**
     * Renders one frame and stores it at {@code reserved}, a URI the store chose before the picture existed
     * ({@link EvidenceStore#reserve}): the video job names its pictures on its detection path and renders them off it.
     *
     * @param box   the object's box in 0..1, or null (a closing frame)
     * @param label a short ASCII label drawn above the box
     */
    public Detection.Evidence recordAt(java.net.URI reserved, long ts, byte[] jpeg, Box box, String label) throws IOException {
        EvidenceFrames.Rendered r;
        try {
            r = frames.render(jpeg, box, label, List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(reserved + ": " + e.getMessage(), e);
        }
        EvidenceStore.Stored s = store.putAt(reserved, r.jpeg());
        return Detection.Evidence.frame(s.uri().toString(), ts, box == null ? null : box.toArray(), s.sha256());
    }

    @Override
    public void close() {
        frames.close();
    }
}
