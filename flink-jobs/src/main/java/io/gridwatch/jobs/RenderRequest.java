package io.gridwatch.jobs;

import io.gridwatch.detection.Detection;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * What the video detection operator hands its evidence stage ({@link EvidenceRendering}) for one frame: the evidence
 * pictures the zone trackers asked of this frame (named up front, not rendered yet) and the detections the frame gave.
 * A detection's {@code frame} evidence items whose {@code sha256} is null are filled in by that stage once their
 * pictures are stored, before the detection goes on to the cases; a request without detections (the picture of the
 * frame where an object appeared, which a later detection refers to) only renders. The frame's JPEG travels only when
 * there is something to render.
 *
 * @param jpeg        the camera's frame as sampled ({@code gw.frames.v1}); null when {@code pictures} is empty
 * @param pictures    the pictures to render from it
 * @param detections  what the frame gave, in order
 */
public record RenderRequest(String cameraId, long sequence, long captureTime, byte[] jpeg, ArrayList<Picture> pictures,
                            ArrayList<Detection> detections) implements Serializable {

    /**
     * One picture to render: where it goes ({@code EvidenceStore.reserve}), its role and the box to draw.
     *
     * @param box 0..1 {@code [x1, y1, x2, y2]}, or null (a closing frame)
     */
    public record Picture(String uri, String role, double[] box) implements Serializable {
    }
}
