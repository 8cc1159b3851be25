package io.gridwatch.models;

import java.util.Objects;

/**
 * What every detector reports, whatever its backend: a label, a score in 0..1 and a box in 0..1
 * image coordinates. Labels are {@link SceneClass} ids for the tile CNN, {@code stationary_object}
 * for background subtraction and {@code vendor} for the people detector.
 */
public record DetectedObject(String label, double score, Box box) {

    public DetectedObject {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(box, "box");
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be in 0..1: " + score);
        }
    }
}
