package io.gridwatch.ingest.video;

import java.util.Objects;

/**
 * A frame let through by sampling and the change gate, as a downscaled JPEG with the metadata
 * CONTRACTS §3 puts in the headers of {@code gw.frames.v1}.
 *
 * @param cameraId    the camera
 * @param captureTime epoch milliseconds when the frame was grabbed
 * @param width       width of the JPEG in pixels
 * @param height      height of the JPEG in pixels
 * @param keyFrame    whether the stream coded it as a key frame
 * @param sequence    per-stream counter of frames let through, from 0, kept across reconnects
 * @param change      mean grey difference inside the zones to the previous frame let through (0..1; 1 for the first)
 * @param jpeg        the encoded picture; not copied, do not modify
 */
public record SampledFrame(String cameraId, long captureTime, int width, int height, boolean keyFrame, long sequence,
                           double change, byte[] jpeg) {

    public SampledFrame {
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(jpeg, "jpeg");
    }

    @Override
    public String toString() { // not the bytes
        return "SampledFrame[" + cameraId + " #" + sequence + " " + width + "x" + height + (keyFrame ? " key" : "")
                + " change=" + String.format(java.util.Locale.ROOT, "%.3f", change) + " " + jpeg.length + " B at " + captureTime + "]";
    }
}
