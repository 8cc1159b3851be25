package io.gridwatch.models.tiles;

import io.gridwatch.models.scene.SceneRecipe;

/**
 * Which scene seeds serve what, so that the held-out sets never touch training: training scene
 * {@code i} of training seed {@code S} is {@code S·10⁷ + i} (S < {@value #MAX_TRAINING_SEED}, so below
 * 9·10⁹); held-out mixed scenes are {@code 9·10⁹ + i}; held-out distractor-only scenes {@code 9.5·10⁹ + i}.
 * Validation scenes (for the context stage and the decision rule, {@link io.gridwatch.models.eval.Calibration}) come from the training seed's
 * own range above any training scene: {@code S·10⁷ + 9·10⁶ + i}.
 */
public final class SceneSets {

    public static final long MAX_TRAINING_SEED = 899;
    public static final long HELD_OUT_BASE = 9_000_000_000L;
    public static final long DISTRACTOR_BASE = 9_500_000_000L;
    /** Scene indices a training seed owns: training scenes below {@link #VALIDATION_FROM}, validation scenes from it. */
    public static final int SCENES_PER_SEED = 10_000_000;
    /** Training scenes stop below this index, validation scenes start at it. */
    public static final int VALIDATION_FROM = 9_000_000;
    /** The most validation scenes a training seed has. */
    public static final int MAX_VALIDATION_SCENES = SCENES_PER_SEED - VALIDATION_FROM;

    private SceneSets() {
    }

    public static long trainingSeed(long seed, int i) {
        if (seed < 0 || seed > MAX_TRAINING_SEED) {
            throw new IllegalArgumentException("training seed must be 0.." + MAX_TRAINING_SEED + " (higher seeds are held out)");
        }
        if (i < 0 || i >= SCENES_PER_SEED) {
            throw new IllegalArgumentException("scene index out of range: " + i);
        }
        return seed * SCENES_PER_SEED + i;
    }

    public static long validationSeed(long seed, int i) {
        return trainingSeed(seed, VALIDATION_FROM + i);
    }

    public static long heldOutSeed(int i) {
        return HELD_OUT_BASE + i;
    }

    public static long distractorSeed(int i) {
        return DISTRACTOR_BASE + i;
    }

    /** The recipe of a held-out distractor-only scene: people, cars, shadows, stains, markings, no target. */
    public static SceneRecipe distractorRecipe(int i) {
        return SceneRecipe.distractorsOnly(4 + i % 5);
    }
}
