package io.gridwatch.models.photos;

import io.gridwatch.models.SceneClass;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.scene.Scene;
import io.gridwatch.models.tiles.TileSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.DataBufferByte;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Training scenes on real pictures: a ukui-wallpapers artwork and a lomiri photograph as the backgrounds. */
class PhotoScenesTest {

    static PhotoScenes scenes;

    @BeforeAll
    static void backgrounds() {
        List<PhotoScenes.Background> b = List.of("Kleiber_by_Lukas_Baubkus.jpg", "city.png").stream().map(n -> {
            WallpaperPhotos.Entry e = Wallpapers.entry(n);
            return new PhotoScenes.Background(n, WallpaperPhotos.workImage(e, Wallpapers.file(n), Wallpapers.CACHE), EnumSet.allOf(Task.class),
                    e.photo());
        }).toList();
        scenes = new PhotoScenes(b);
    }

    @Test
    void aRealCropIsNoneEverywhereAndTheSameForTheSameSeed() {
        Scene a = scenes.negative(11, Task.OBJECTS);
        assertThat(a.width()).isEqualTo(320);
        assertThat(a.height()).isEqualTo(240);
        assertThat(a.placed()).isEmpty();
        assertThat(a.mask()).containsOnly((byte) 0);
        assertThat(pixels(scenes.negative(11, Task.OBJECTS))).isEqualTo(pixels(a));
        assertThat(pixels(scenes.negative(12, Task.OBJECTS))).isNotEqualTo(pixels(a));
        TileSet set = new TileSet(Task.OBJECTS);
        set.addTrainingTiles(a, new SplittableRandom(1), 1.0);
        assertThat(set.counts()[0]).isEqualTo(set.size()).isGreaterThanOrEqualTo(63);
    }

    @Test
    void aCompositeCarriesTheGeneratedTargetsWithTheirMaskOntoTheRealPicture() {
        int withTargets = 0;
        for (long seed = 100; seed < 110; seed++) {
            Scene c = scenes.composite(seed, Task.OBJECTS);
            assertThat(pixels(scenes.composite(seed, Task.OBJECTS))).isEqualTo(pixels(c));
            long labelled = count(c.mask(), b -> b != 0);
            if (c.targets().isEmpty()) {
                continue;
            }
            withTargets++;
            assertThat(labelled).as("seed %d: target pixels", seed).isPositive();
            // every target placed is in the mask, and the mask holds nothing else than targets
            for (Scene.Placed p : c.targets()) {
                assertThat(count(c.mask(), b -> b == p.cls().ordinal())).isPositive();
            }
            // most of the picture is the real background: unlabelled
            assertThat(labelled).isLessThan(320L * 240 / 2);
        }
        assertThat(withTargets).isGreaterThanOrEqualTo(8);
        // snow composites: snow lying over a real picture, with its extent among the placed things, giving snow tiles
        Scene s = scenes.composite(7, Task.SNOW);
        assertThat(s.targets()).anyMatch(p -> p.cls() == SceneClass.SNOW);
        TileSet set = new TileSet(Task.SNOW);
        set.addTrainingTiles(s, new SplittableRandom(1), 1.0);
        assertThat(set.counts()[1]).isPositive();
    }

    private static byte[] pixels(Scene s) {
        return ((DataBufferByte) s.image().getRaster().getDataBuffer()).getData().clone();
    }

    private static long count(byte[] mask, java.util.function.IntPredicate p) {
        return java.util.stream.IntStream.range(0, mask.length).filter(i -> p.test(mask[i])).count();
    }

}
