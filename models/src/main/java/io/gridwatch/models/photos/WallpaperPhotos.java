package io.gridwatch.models.photos;

import io.gridwatch.models.cnn.Task;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Real photographs and artwork from Debian's wallpaper packages: the one source of real pictures the models may learn
 * from (issue 13). Which files, from which package version, with which licence and for what — training (hard negatives
 * and backgrounds for composites) or the held-out photo test set — is the committed manifest {@code wallpapers.csv}
 * beside this class; models/DATA.md explains the choice. Training and test files come from different packages, so no
 * training step ever reads a test photo.
 *
 * <p>Nothing large is in git: a file is taken from the installed package where its SHA-256 matches, else the
 * package's {@code .deb} of the manifest's version is fetched with {@code apt-get download} into the cache folder and
 * unpacked there ({@code dpkg-deb -x}); every file is checked against its SHA-256 before use.
 */
public final class WallpaperPhotos {

    /** What a manifest file is for. */
    public enum Use { TRAIN, TEST }

    /**
     * One manifest row.
     *
     * @param path   the file's path as the package installs it
     * @param kind   {@code photo} (a photograph) or {@code art} (a drawing or render)
     * @param tasks  the tasks it may be a negative for: open water (a lake, the sea) is not 道路积水 and not snow either,
     *               but teaching the objects model that a lake is nothing would fight its water class, so such photos
     *               serve the snow task only
     */
    public record Entry(String pkg, String version, String path, String sha256, String licence, Use use, String kind, Set<Task> tasks) {

        /** The file's name in the photo test folder: {@code <package>/<file name>}. */
        public String testName() {
            return pkg + "/" + Path.of(path).getFileName();
        }

        public boolean photo() {
            return "photo".equals(kind);
        }
    }

    private static final String MANIFEST = "wallpapers.csv";
    /** Larger pictures are scaled to this width once and cached: a 4:3 crop of a quarter of it is a 320-px frame at full detail. */
    public static final int WORK_WIDTH = 1280;

    private WallpaperPhotos() {
    }

    public static List<Entry> manifest() {
        try (InputStream in = WallpaperPhotos.class.getResourceAsStream(MANIFEST);
             Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            List<Entry> out = new ArrayList<>();
            for (CSVRecord c : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                Set<Task> tasks = EnumSet.noneOf(Task.class);
                for (String t : c.get("tasks").trim().split("\\s+")) {
                    tasks.add(Task.of(t));
                }
                out.add(new Entry(c.get("package"), c.get("version"), c.get("path"), c.get("sha256"), c.get("licence"),
                        Use.valueOf(c.get("use").toUpperCase(Locale.ROOT)), c.get("kind"), tasks));
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the wallpaper manifest", e);
        }
    }

    public static List<Entry> manifest(Use use) {
        return manifest().stream().filter(e -> e.use() == use).toList();
    }

    /** The packages (and versions) the entries come from, in manifest order. */
    public static Map<String, String> packages(List<Entry> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        entries.forEach(e -> out.put(e.pkg(), e.version()));
        return out;
    }

    /** SHA-256 of the manifest itself, for model metadata: which photos a model learned from. */
    public static String manifestSha256() {
        try (InputStream in = WallpaperPhotos.class.getResourceAsStream(MANIFEST)) {
            return sha256(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The files of the entries: installed ones where the SHA-256 matches, else unpacked from the package fetched into
     * {@code cacheDir}. Fails with what to do when a package cannot be fetched or a file does not match.
     */
    public static Map<Entry, Path> files(List<Entry> entries, Path cacheDir, PrintStream log) {
        Map<Entry, Path> out = new LinkedHashMap<>();
        Set<String> fetched = new LinkedHashSet<>();
        for (Entry e : entries) {
            Path installed = Path.of(e.path());
            if (Files.isRegularFile(installed) && e.sha256().equals(sha256(installed))) {
                out.put(e, installed);
                continue;
            }
            Path root = cacheDir.resolve("debs").resolve(e.pkg() + "_" + e.version().replace(':', '%'));
            Path file = root.resolve(e.path().substring(1));
            if (!Files.isRegularFile(file) && fetched.add(e.pkg())) {
                fetch(e, root, log);
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(e.pkg() + " " + e.version() + " has no " + e.path() + " (unpacked in " + root + ")");
            }
            String sha = sha256(file);
            if (!sha.equals(e.sha256())) {
                throw new IllegalStateException(file + ": SHA-256 " + sha + ", the manifest says " + e.sha256()
                        + " — not the file the models were trained or measured on");
            }
            out.put(e, file);
        }
        return out;
    }

    /** Where {@link #testSet} puts the held-out photos and their labels. */
    public record TestSet(Path images, Path labels, int photos) {
    }

    /**
     * The held-out photo test set (manifest use {@code test}; packages no training step reads): the files linked (or
     * copied) as {@code <cacheDir>/test/<package>/<file>} beside {@code labels.csv}, the committed labels
     * ({@code test-labels.csv}: each photo looked at and labelled by eye, models/DATA.md), ready for
     * {@code gridwatch models evaluate --images DIR --labels CSV}.
     */
    public static TestSet testSet(Path cacheDir, PrintStream log) {
        List<Entry> entries = manifest(Use.TEST);
        Map<Entry, Path> files = files(entries, cacheDir, log);
        Path dir = cacheDir.resolve("test");
        try {
            for (Entry e : entries) {
                Path to = dir.resolve(e.testName());
                Files.createDirectories(to.getParent());
                Files.deleteIfExists(to);
                try {
                    Files.createSymbolicLink(to, files.get(e).toAbsolutePath());
                } catch (IOException | UnsupportedOperationException ex) {
                    Files.copy(files.get(e), to);
                }
            }
            Path labels = dir.resolve("labels.csv");
            try (InputStream in = WallpaperPhotos.class.getResourceAsStream("test-labels.csv")) {
                Files.write(labels, in.readAllBytes());
            }
            return new TestSet(dir, labels, entries.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fetches {@code pkg=version} with apt-get download and unpacks it under {@code root}. */
    private static void fetch(Entry e, Path root, PrintStream log) {
        try {
            Files.createDirectories(root);
            Path debs = root.getParent();
            String spec = e.pkg() + "=" + e.version();
            log.printf("fetching %s (apt-get download) into %s%n", spec, debs);
            run(debs, "apt-get", "download", spec);
            Path deb;
            try (var s = Files.list(debs)) {
                deb = s.filter(p -> p.getFileName().toString().startsWith(e.pkg() + "_") && p.toString().endsWith(".deb"))
                        .findFirst().orElseThrow(() -> new IllegalStateException("apt-get download left no " + e.pkg() + " .deb in " + debs));
            }
            run(debs, "dpkg-deb", "-x", deb.toString(), root.toString());
            Files.delete(deb);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip()
                        + "\n(the real photos come from Debian's wallpaper packages: on a Debian machine with its package lists, "
                        + "run 'apt-get update' first; elsewhere install the packages named in models/DATA.md)");
            }
        } catch (IOException e) {
            throw new IllegalStateException(cmd[0] + " is not available (" + e.getMessage() + "): the real photos come from Debian "
                    + "packages (models/DATA.md); install them, or run this on a Debian machine", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The picture scaled to at most {@link #WORK_WIDTH} across (TYPE_3BYTE_BGR), cached in {@code cacheDir/scaled} by its
     * SHA-256 so that a 5120×2880 PNG is decoded once.
     */
    public static BufferedImage workImage(Entry e, Path file, Path cacheDir) {
        try {
            Path cached = cacheDir.resolve("scaled").resolve(e.sha256() + ".png");
            if (Files.isRegularFile(cached)) {
                BufferedImage img = ImageIO.read(cached.toFile());
                if (img != null) {
                    return bgr(img, img.getWidth(), img.getHeight());
                }
            }
            BufferedImage src = ImageIO.read(file.toFile());
            if (src == null) {
                throw new IllegalStateException(file + ": not a picture ImageIO reads");
            }
            int w = Math.min(WORK_WIDTH, src.getWidth());
            int h = (int) Math.round(src.getHeight() * (double) w / src.getWidth());
            BufferedImage out = bgr(src, w, h);
            Files.createDirectories(cached.getParent());
            Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
            ImageIO.write(out, "png", tmp.toFile());
            Files.move(tmp, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** {@code src} drawn at w×h (area-averaging when shrinking a lot: bilinear alone aliases fine texture). */
    public static BufferedImage bgr(BufferedImage src, int w, int h) {
        BufferedImage s = src;
        while (s.getWidth() / 2 >= w && s.getHeight() / 2 >= h) { // halve step by step: each step averages 2×2
            BufferedImage half = new BufferedImage(s.getWidth() / 2, s.getHeight() / 2, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = half.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(s, 0, 0, half.getWidth(), half.getHeight(), null);
            g.dispose();
            s = half;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(s, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
