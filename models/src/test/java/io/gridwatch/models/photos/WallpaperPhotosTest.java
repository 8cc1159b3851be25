package io.gridwatch.models.photos;

import io.gridwatch.models.cnn.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WallpaperPhotosTest {

    @TempDir
    Path dir;

    @Test
    void theTestPhotosComeFromPackagesNoTrainingStepReadsAndEveryFileHasItsLicenceAndHash() throws Exception {
        List<WallpaperPhotos.Entry> all = WallpaperPhotos.manifest();
        assertThat(all).allSatisfy(e -> {
            assertThat(e.sha256()).matches("[0-9a-f]{64}");
            assertThat(e.licence()).isNotBlank().doesNotContain("?");
            assertThat(e.path()).startsWith("/usr/share/");
            assertThat(e.kind()).isIn("photo", "art");
            assertThat(e.tasks()).isNotEmpty();
        });
        Set<String> train = WallpaperPhotos.manifest(WallpaperPhotos.Use.TRAIN).stream().map(WallpaperPhotos.Entry::pkg).collect(Collectors.toSet());
        Set<String> test = WallpaperPhotos.manifest(WallpaperPhotos.Use.TEST).stream().map(WallpaperPhotos.Entry::pkg).collect(Collectors.toSet());
        assertThat(train).isNotEmpty().doesNotContainAnyElementsOf(test);
        assertThat(test).isNotEmpty();
        // the committed labels name exactly the test photos, each once
        List<String> labelled = new String(WallpaperPhotos.class.getResourceAsStream("test-labels.csv").readAllBytes(), StandardCharsets.UTF_8)
                .lines().skip(1).map(l -> l.split(",")[0]).toList();
        assertThat(labelled).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                WallpaperPhotos.manifest(WallpaperPhotos.Use.TEST).stream().map(WallpaperPhotos.Entry::testName).toList());
        // a lake or the sea is not 道路积水: such photos are negatives for the snow model only
        assertThat(all).filteredOn(e -> !e.tasks().contains(Task.OBJECTS)).isNotEmpty().allMatch(e -> e.use() == WallpaperPhotos.Use.TRAIN);
    }

    @Test
    void aFileThatIsNotTheOneInTheManifestIsRefusedWithBothHashes() throws Exception {
        WallpaperPhotos.Entry e = Wallpapers.entry("Kleiber_by_Lukas_Baubkus.jpg");
        Path cached = dir.resolve("debs").resolve(e.pkg() + "_" + e.version().replace(':', '%')).resolve(e.path().substring(1));
        Files.createDirectories(cached.getParent());
        Files.writeString(cached, "not a photograph");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertThatThrownBy(() -> WallpaperPhotos.files(List.of(e), dir, new PrintStream(log, true, StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(cached.toString()).hasMessageContaining(e.sha256()).hasMessageContaining("not the file");
    }

    @Test
    void aFetchedPhotoMatchesItsHashAndIsScaledOnceIntoTheCache() {
        WallpaperPhotos.Entry e = Wallpapers.entry("Kleiber_by_Lukas_Baubkus.jpg");
        Path file = Wallpapers.file("Kleiber_by_Lukas_Baubkus.jpg");
        assertThat(WallpaperPhotos.sha256(file)).isEqualTo(e.sha256());
        var img = WallpaperPhotos.workImage(e, file, dir);
        assertThat(img.getWidth()).isEqualTo(WallpaperPhotos.WORK_WIDTH);
        assertThat(dir.resolve("scaled").resolve(e.sha256() + ".png")).isRegularFile();
        var again = WallpaperPhotos.workImage(e, file, dir);
        assertThat(again.getHeight()).isEqualTo(img.getHeight());
        assertThat(again.getRGB(600, 300)).isEqualTo(img.getRGB(600, 300));
    }
}
