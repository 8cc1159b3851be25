package io.gridwatch.models.scene;

import io.gridwatch.models.SceneClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What a generated scene holds: where the camera looks, the light, the objects to plant and
 * whether to add distractors. Null setting or light means "drawn from the seed".
 *
 * @param objects     the targets to plant: {@link SceneClass#STALL}, {@link SceneClass#GARBAGE}, {@link SceneClass#WATER}
 *                    (repeats allowed); snow is not an object but {@code snow}
 * @param snow        snow lying on the ground (道路积雪)
 * @param distractors how many distractors to add (people passing, parked cars, shadows, stains, road markings);
 *                    markings and shadows also come with the setting and the light
 */
public record SceneRecipe(Setting setting, Light light, List<SceneClass> objects, boolean snow, int distractors) {

    public SceneRecipe {
        objects = List.copyOf(objects);
        for (SceneClass c : objects) {
            if (c == SceneClass.NONE || c == SceneClass.SNOW) {
                throw new IllegalArgumentException("objects are stall, garbage or water; snow is a flag, got " + c.id());
            }
        }
        if (distractors < 0) {
            throw new IllegalArgumentException("distractors must be ≥ 0");
        }
    }

    /** Where a pole-mounted camera looks. */
    public enum Setting { STREET, SIDEWALK, PLAZA }

    /** Light and weather. */
    public enum Light { DAY, DUSK, NIGHT, RAIN, FOG }

    /** Distractors only: every tile of such a scene is {@link SceneClass#NONE}; measures specificity. */
    public static SceneRecipe distractorsOnly(int distractors) {
        return new SceneRecipe(null, null, List.of(), false, distractors);
    }

    public static SceneRecipe of(SceneClass... objects) {
        return new SceneRecipe(null, null, List.of(objects), false, 3);
    }

    public SceneRecipe withLight(Light l) {
        return new SceneRecipe(setting, l, objects, snow, distractors);
    }

    public SceneRecipe withSetting(Setting s) {
        return new SceneRecipe(s, light, objects, snow, distractors);
    }

    public SceneRecipe withSnow(boolean s) {
        return new SceneRecipe(setting, light, objects, s, distractors);
    }

    /**
     * The mix the training and evaluation sets are drawn from: one scene in five holds distractors
     * only, one in five has snow, the others one to three objects of the three kinds.
     */
    public static SceneRecipe mixed(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int distractors = 2 + r.nextInt(6);
        if (r.nextInt(5) == 0) {
            return new SceneRecipe(null, null, List.of(), r.nextInt(6) == 0, distractors + 2);
        }
        boolean snow = r.nextInt(5) == 0;
        List<SceneClass> objects = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        SceneClass[] kinds = {SceneClass.STALL, SceneClass.GARBAGE, SceneClass.WATER};
        for (int i = 0; i < n; i++) {
            SceneClass k = kinds[r.nextInt(kinds.length)];
            if (!(snow && k == SceneClass.WATER)) {
                objects.add(k);
            }
        }
        if (objects.isEmpty()) {
            objects.add(SceneClass.STALL);
        }
        return new SceneRecipe(null, null, objects, snow, distractors);
    }

    @Override
    public String toString() {
        return Objects.toString(setting, "any") + "/" + Objects.toString(light, "any") + " " + objects + (snow ? " +snow" : "")
                + " +" + distractors + " distractors";
    }
}
