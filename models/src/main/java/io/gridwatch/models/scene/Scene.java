package io.gridwatch.models.scene;

import io.gridwatch.models.Box;
import io.gridwatch.models.SceneClass;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One generated camera image with its truth: a label mask (one {@link SceneClass} ordinal per
 * pixel, what is visible there) and the objects placed, targets and distractors.
 *
 * @param image  {@code TYPE_3BYTE_BGR}, after lighting, sensor noise and JPEG compression
 * @param mask   row-major, {@code width × height} bytes
 */
public record Scene(long seed, SceneRecipe recipe, SceneRecipe.Setting setting, SceneRecipe.Light light,
                    BufferedImage image, byte[] mask, List<Placed> placed) {

    /** One thing drawn: a target (class ≠ NONE) or a distractor (class NONE), and its box. */
    public record Placed(SceneClass cls, String kind, Box box) {
    }

    public int width() {
        return image.getWidth();
    }

    public int height() {
        return image.getHeight();
    }

    public SceneClass classAt(int x, int y) {
        return SceneClass.values()[mask[y * width() + x]];
    }

    public List<Placed> targets() {
        return placed.stream().filter(p -> p.cls() != SceneClass.NONE).toList();
    }

    public List<Placed> distractors() {
        return placed.stream().filter(p -> p.cls() == SceneClass.NONE).toList();
    }
}
