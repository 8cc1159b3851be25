package io.gridwatch.jobs;

import java.io.Serializable;

/**
 * One record of {@code gw.frames.v1} (CONTRACTS.md §3): the camera's JPEG and the metadata ingest put in the record
 * headers (see ingest's {@code FrameSink}). A record whose headers cannot be read arrives with {@link #problem} set,
 * so that the video job can say which camera sent it, instead of the source failing.
 *
 * @param problem why the record is not a usable frame; null for a good one
 */
public record Frame(String cameraId, long captureTime, int width, int height, boolean keyFrame, long sequence, byte[] jpeg,
                    String problem) implements Serializable {

    public boolean isValid() {
        return problem == null;
    }
}
