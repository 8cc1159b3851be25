package io.gridwatch.jobs;

import io.gridwatch.evidence.EvidenceStore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A minimal {@link EvidenceStore}: one file per picture, {@code <dir>/<camera>/<taken-ms>-<role>-<sha256>.jpg}, written
 * once (to a temporary file, then moved). Stands in for the {@code FileEvidenceStore} of branch {@code evidence}
 * until that is merged.
 */
public final class DirectoryEvidenceStore implements EvidenceStore {

    private final Path dir;

    public DirectoryEvidenceStore(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    @Override
    public Stored put(String cameraId, Instant takenAt, String role, byte[] jpeg) throws IOException {
        if (!cameraId.matches("[A-Za-z0-9_.-]{1,64}") || !role.matches("[a-z]{1,16}")) {
            throw new IOException("camera '" + cameraId + "' or role '" + role + "' cannot name a file");
        }
        String sha = sha256(jpeg);
        Path file = dir.resolve(cameraId).resolve(takenAt.toEpochMilli() + "-" + role + "-" + sha + ".jpg");
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "evidence", ".tmp");
            Files.write(tmp, jpeg);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return new Stored(file.toUri(), sha, jpeg.length);
    }

    @Override
    public Optional<byte[]> get(URI uri) throws IOException {
        Path p = Path.of(uri);
        return p.startsWith(dir) && Files.isRegularFile(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
    }

    @Override
    public int deleteTakenBefore(Instant cutoff) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = p.getFileName().toString();
                int dash = name.indexOf('-');
                if (dash > 0 && name.substring(0, dash).chars().allMatch(Character::isDigit)
                        && Long.parseLong(name.substring(0, dash)) < cutoff.toEpochMilli()) {
                    Files.delete(p);
                    n++;
                }
            }
        }
        return n;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
