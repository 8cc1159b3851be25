package io.gridwatch.evidence;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evidence pictures as files under one root folder ({@code <var_dir>/evidence} by default, {@code evidence.dir}):
 * <pre>  &lt;root&gt;/&lt;camera&gt;/&lt;yyyy-MM-dd&gt;/&lt;HHmmss.SSS&gt;Z-&lt;role&gt;-&lt;first 16 hex of sha256&gt;.jpg</pre>
 * (UTC), referenced by {@code file:///…} URIs that an operator can open. A picture named before it was rendered
 * ({@link #reserve}, the video job's) has {@code r} and 16 hex digits of its slot's SHA-256 in place of the content hash:
 * <pre>  &lt;HHmmss.SSS&gt;Z-&lt;role&gt;-r&lt;16 hex&gt;.jpg</pre>
 * Its content hash is in the case only. A file is written to a temporary name beside
 * its final one and moved into place, so a reader never sees half a picture; the same bytes for the same camera, time
 * and role land on the same name and are not written again. The name carries the time the frame was taken, which is
 * what retention ({@link #deleteTakenBefore}) goes by, not the file's modification time.
 */
public final class FileEvidenceStore implements EvidenceStore {

    /** Hex digits of the SHA-256 kept in a file name: 64 bits, enough to tell pictures of one camera and moment apart. */
    public static final int NAME_HASH_HEX = 16;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern FILE_NAME =
            Pattern.compile("(\\d{6}\\.\\d{3})Z-([a-z][a-z0-9-]{0,31})-([0-9a-f]{" + NAME_HASH_HEX + "})\\.jpg");
    /** A name chosen before the picture was rendered: {@code r} and 16 hex of the slot's SHA-256, no content hash. */
    private static final Pattern RESERVED_NAME =
            Pattern.compile("(\\d{6}\\.\\d{3})Z-([a-z][a-z0-9-]{0,31})-r([0-9a-f]{" + NAME_HASH_HEX + "})\\.jpg");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss.SSS");

    private final Path root;

    /** A store under {@code root}; the folder is made when missing. */
    public FileEvidenceStore(Path root) throws IOException {
        Files.createDirectories(root);
        this.root = root.toRealPath();
    }

    public Path root() {
        return root;
    }

    @Override
    public Stored put(String cameraId, Instant takenAt, String role, byte[] jpeg) throws IOException {
        check(cameraId, takenAt, role);
        Objects.requireNonNull(jpeg, "jpeg");
        if (jpeg.length == 0) {
            throw new IllegalArgumentException("evidence for camera " + cameraId + " at " + takenAt + ": empty picture");
        }
        String sha = sha256(jpeg);
        Path file = folder(cameraId, takenAt).resolve(time(takenAt) + "Z-" + role + "-" + sha.substring(0, NAME_HASH_HEX) + ".jpg");
        URI uri = file.toUri();
        if (Files.isRegularFile(file)) {
            String there = sha256(Files.readAllBytes(file));
            if (!there.equals(sha)) {
                throw new IOException("evidence for camera " + cameraId + ": " + file + " already holds other bytes (sha256 "
                        + there + ", new " + sha + ")");
            }
            return new Stored(uri, sha, jpeg.length);
        }
        write(file, jpeg);
        return new Stored(uri, sha, jpeg.length);
    }

    @Override
    public URI reserve(String cameraId, Instant takenAt, String role, String slot) {
        check(cameraId, takenAt, role);
        String key = sha256((cameraId + "\n" + takenAt.toEpochMilli() + "\n" + role + "\n" + slot).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return folder(cameraId, takenAt).resolve(time(takenAt) + "Z-" + role + "-r" + key.substring(0, NAME_HASH_HEX) + ".jpg").toUri();
    }

    @Override
    public Stored putAt(URI reserved, byte[] jpeg) throws IOException {
        Path file = pathOf(reserved);
        if (!RESERVED_NAME.matcher(file.getFileName().toString()).matches()) {
            throw new IllegalArgumentException("evidence URI " + reserved + " was not reserved (FileEvidenceStore.reserve)");
        }
        Objects.requireNonNull(jpeg, "jpeg");
        if (jpeg.length == 0) {
            throw new IllegalArgumentException("evidence " + reserved + ": empty picture");
        }
        String sha = sha256(jpeg);
        if (Files.isRegularFile(file) && sha256(Files.readAllBytes(file)).equals(sha)) {
            return new Stored(reserved, sha, jpeg.length);
        }
        write(file, jpeg);
        return new Stored(reserved, sha, jpeg.length);
    }

    private Path folder(String cameraId, Instant takenAt) {
        return root.resolve(cameraId).resolve(DAY.format(takenAt.atOffset(ZoneOffset.UTC)));
    }

    private static String time(Instant takenAt) {
        return TIME.format(takenAt.atOffset(ZoneOffset.UTC));
    }

    private static void check(String cameraId, Instant takenAt, String role) {
        Objects.requireNonNull(takenAt, "takenAt");
        if (cameraId == null || !SEGMENT.matcher(cameraId).matches() || cameraId.contains("..")) {
            throw new IllegalArgumentException("evidence: camera id '" + cameraId
                    + "' cannot name a folder (letters, digits, '.', '_' or '-', not starting with '.' or '-')");
        }
        if (role == null || !ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("evidence for camera " + cameraId + ": role '" + role
                    + "' must be lower-case letters, digits or '-' (appeared, confirmed, latest, cleared)");
        }
    }

    /** Writes {@code jpeg} to a temporary file beside {@code file} and moves it into place (replacing what was there). */
    private static void write(Path file, byte[] jpeg) throws IOException {
        Path dir = file.getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".part-", ".tmp");
        } catch (NoSuchFileException e) {
            // a purge removed the day's folder, empty, between the two calls: make it again
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".part-", ".tmp");
        }
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                out.write(jpeg);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<byte[]> get(URI uri) throws IOException {
        Path file = pathOf(uri);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * The file behind {@code uri}.
     *
     * @throws IllegalArgumentException when {@code uri} is not a {@code file:} URI of a picture under this store's root
     */
    public Path pathOf(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if (!"file".equals(uri.getScheme())) {
            throw new IllegalArgumentException("evidence URI " + uri + " is not a file: URI of the store under " + root);
        }
        Path file = Path.of(uri).toAbsolutePath().normalize();
        Path real = file;
        try {
            real = file.toRealPath();
        } catch (IOException missing) {
            // a missing file cannot lead out through a link; its normalised path decides
        }
        if (!file.startsWith(root) || !real.startsWith(root) || !isPictureName(file.getFileName().toString())) {
            throw new IllegalArgumentException("evidence URI " + uri + " is not a picture of the store under " + root);
        }
        return file;
    }

    private static boolean isPictureName(String name) {
        return FILE_NAME.matcher(name).matches() || RESERVED_NAME.matcher(name).matches();
    }

    /** Whether the picture's name carries its content hash ({@link #put}); false for a name {@link #reserve}d before rendering. */
    public static boolean namedByContent(Path file) {
        return FILE_NAME.matcher(file.getFileName().toString()).matches();
    }

    /** The first {@value #NAME_HASH_HEX} hex digits of the SHA-256 that the picture's name promises. */
    public static String nameHashPrefix(Path file) {
        Matcher m = FILE_NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an evidence picture name: " + file.getFileName());
        }
        return m.group(3);
    }

    /** When the picture was taken, from its folder (day) and name (time), both UTC; empty for any other file. */
    static Optional<Instant> takenAt(Path file) {
        Matcher m = FILE_NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            m = RESERVED_NAME.matcher(file.getFileName().toString());
        }
        if (!m.matches() || file.getParent() == null) {
            return Optional.empty();
        }
        try {
            LocalDate day = LocalDate.parse(file.getParent().getFileName().toString(), DAY);
            LocalTime time = LocalTime.parse(m.group(1), TIME);
            return Optional.of(day.atTime(time).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Override
    public int deleteTakenBefore(Instant cutoff) throws IOException {
        Objects.requireNonNull(cutoff, "cutoff");
        int[] deleted = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && takenAt(file).map(t -> t.isBefore(cutoff)).orElse(false)) {
                    Files.delete(file);
                    deleted[0]++;
                } else if (attrs.isRegularFile() && isPart(file) && attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                    Files.delete(file); // half a picture left by a writer that died: never referenced by a case
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (!dir.equals(root) && isEmpty(dir)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return deleted[0];
    }

    private static boolean isPart(Path file) {
        String n = file.getFileName().toString();
        return n.startsWith(".part-") && n.endsWith(".tmp");
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
