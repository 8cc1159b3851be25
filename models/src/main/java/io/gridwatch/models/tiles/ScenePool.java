package io.gridwatch.models.tiles;

import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;

import java.util.List;
import java.util.function.IntFunction;
import java.util.function.LongFunction;
import java.util.stream.IntStream;

/** Generates numbered scenes on all cores; the result is in index order, the same whatever the thread count. */
public final class ScenePool {

    private ScenePool() {
    }

    public static List<Scene> generate(int n, IntFunction<Long> seedOf, LongFunction<SceneRecipe> recipeOf) {
        SceneGenerator g = new SceneGenerator();
        return IntStream.range(0, n).parallel().mapToObj(i -> {
            long seed = seedOf.apply(i);
            return g.generate(seed, recipeOf.apply(seed));
        }).toList();
    }

    /** The held-out mixed scenes 0..n-1 (seeds {@link SceneSets#heldOutSeed}). */
    public static List<Scene> heldOut(int n) {
        return generate(n, SceneSets::heldOutSeed, SceneRecipe::mixed);
    }

    /** The held-out distractor-only scenes 0..n-1 (seeds {@link SceneSets#distractorSeed}). */
    public static List<Scene> distractorsOnly(int n) {
        return generate(n, SceneSets::distractorSeed, s -> SceneSets.distractorRecipe((int) (s - SceneSets.DISTRACTOR_BASE)));
    }
}
