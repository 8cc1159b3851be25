package io.gridwatch.models;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One camera's detector: frames in, {@link DetectedObject}s out, whatever the backend. Backends
 * that judge persistence (background subtraction, people standing still) keep state between
 * frames of the same camera, so one instance serves one camera; all of them are made from a
 * {@link DetectorConfig} by {@link Detectors#create}.
 */
public interface Detector extends AutoCloseable {

    /**
     * @param frame           any size and type; backends scale it to their working width
     * @param timestampMillis when the frame was taken: stateful backends measure "stayed" with it
     */
    List<DetectedObject> detect(BufferedImage frame, long timestampMillis);

    /** The configuration {@code type} this detector was made from. */
    String type();

    @Override
    default void close() {
    }
}
