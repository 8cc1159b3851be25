package io.gridwatch.models.photos;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Real pictures for the models' tests: files of the wallpaper manifest, fetched on first use into the repository's
 * {@code var/cache/wallpapers} (as {@code gridwatch models evaluate --wallpapers} does), so a clean clone downloads a
 * package once and later runs find it there. Only wallpaper packages serve the tests (issue 13: pictures of any other
 * package are kept for an evaluation by others).
 */
public final class Wallpapers {

    /** The repository's cache (the tests run in the module's folder). */
    public static final Path CACHE = Path.of("..", "var", "cache", "wallpapers").toAbsolutePath().normalize();

    private Wallpapers() {
    }

    public static WallpaperPhotos.Entry entry(String fileName) {
        return WallpaperPhotos.manifest().stream().filter(e -> e.path().endsWith("/" + fileName)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + fileName + " in the wallpaper manifest"));
    }

    /** The file of a manifest entry by its file name, fetched if needed. */
    public static Path file(String fileName) {
        WallpaperPhotos.Entry e = entry(fileName);
        return WallpaperPhotos.files(List.of(e), CACHE, new PrintStream(OutputStream.nullOutputStream())).get(e);
    }
}
