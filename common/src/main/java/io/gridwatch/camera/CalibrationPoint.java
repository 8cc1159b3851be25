package io.gridwatch.camera;

import java.util.Objects;

/** One point of a camera's calibration: where a spot of the ground shows in the image, and where it is. */
public record CalibrationPoint(ImagePoint image, GroundPoint ground) {
    public CalibrationPoint {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(ground, "ground");
    }
}
