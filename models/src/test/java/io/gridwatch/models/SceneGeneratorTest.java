package io.gridwatch.models;

import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.scene.SceneGenerator;
import io.gridwatch.models.scene.SceneRecipe;
import io.gridwatch.models.scene.SceneRecipe.Light;
import org.junit.jupiter.api.Test;

import java.awt.image.DataBufferByte;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SceneGeneratorTest {

    private final SceneGenerator gen = new SceneGenerator();

    private static byte[] pixels(Scene s) {
        return ((DataBufferByte) s.image().getRaster().getDataBuffer()).getData();
    }

    /** Mean absolute difference of horizontally neighbouring bytes in the lower half: noise and texture. */
    private static double grain(Scene s) {
        byte[] p = pixels(s);
        int w = s.width() * 3;
        double sum = 0;
        int n = 0;
        for (int y = s.height() / 2; y < s.height(); y++) {
            for (int x = 3; x < w; x++) {
                sum += Math.abs((p[y * w + x] & 0xFF) - (p[y * w + x - 3] & 0xFF));
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void theSameSeedDrawsTheSameSceneBitForBit() {
        for (long seed : new long[] {1, 42, 9_000_000_123L}) {
            Scene a = gen.generate(seed, SceneRecipe.mixed(seed));
            Scene b = gen.generate(seed, SceneRecipe.mixed(seed));
            assertThat(pixels(a)).isEqualTo(pixels(b));
            assertThat(a.mask()).isEqualTo(b.mask());
            assertThat(a.placed()).isEqualTo(b.placed());
        }
        assertThat(pixels(gen.generate(1, SceneRecipe.mixed(1)))).isNotEqualTo(pixels(gen.generate(2, SceneRecipe.mixed(1))));
    }

    @Test
    void plantedObjectsAreInTheMaskAndInsideTheirBoxes() {
        for (SceneClass c : List.of(SceneClass.STALL, SceneClass.GARBAGE, SceneClass.WATER)) {
            for (long seed = 100; seed < 106; seed++) {
                Scene s = gen.generate(seed, SceneRecipe.of(c));
                assertThat(s.targets()).as("seed %d %s", seed, c).hasSize(1);
                Box box = s.targets().get(0).box();
                int inside = 0;
                int outside = 0;
                for (int y = 0; y < s.height(); y++) {
                    for (int x = 0; x < s.width(); x++) {
                        if (s.classAt(x, y) == c) {
                            double px = 1.0 / s.width(); // one pixel of slack: the mask is not anti-aliased, the box is
                            double fx = (x + 0.5) / s.width();
                            double fy = (y + 0.5) / s.height();
                            if (fx >= box.x1() - px && fx <= box.x2() + px && fy >= box.y1() - px && fy <= box.y2() + px) {
                                inside++;
                            } else {
                                outside++;
                            }
                        }
                    }
                }
                assertThat(inside).as("seed %d %s: visible pixels", seed, c).isGreaterThan(150);
                assertThat(outside).isZero();
            }
        }
    }

    @Test
    void distractorOnlyScenesHaveDistractorsAndNoTarget() {
        Set<String> kinds = new java.util.TreeSet<>();
        for (long seed = 0; seed < 30; seed++) {
            Scene s = gen.generate(seed, SceneRecipe.distractorsOnly(6));
            assertThat(s.targets()).isEmpty();
            for (byte b : s.mask()) {
                assertThat(b).isZero();
            }
            s.distractors().forEach(p -> kinds.add(p.kind()));
        }
        assertThat(kinds).contains("pedestrian", "parked car", "wet-looking stain", "road markings", "shadow");
    }

    @Test
    void snowCoversTheGroundAndEveryLightIsDrawn() {
        Scene s = gen.generate(5, new SceneRecipe(SceneRecipe.Setting.STREET, Light.DAY, List.of(), true, 2));
        long snow = 0;
        for (byte b : s.mask()) {
            snow += b == SceneClass.SNOW.ordinal() ? 1 : 0;
        }
        assertThat(snow).isGreaterThan(s.width() * s.height() / 5);
        EnumSet<Light> seen = EnumSet.noneOf(Light.class);
        double dayGrain = 0;
        double nightGrain = 0;
        for (Light l : Light.values()) {
            Scene x = gen.generate(77, SceneRecipe.of(SceneClass.STALL).withLight(l));
            seen.add(x.light());
            if (l == Light.DAY) {
                dayGrain = grain(x);
            } else if (l == Light.NIGHT) {
                nightGrain = grain(x);
            }
        }
        // at night auto exposure amplifies the sensor noise: the picture is grainier
        assertThat(nightGrain).isGreaterThan(dayGrain * 1.5);
        assertThat(seen).containsExactlyInAnyOrder(Light.values());
    }
}
