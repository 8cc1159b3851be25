package io.gridwatch.evidence;

import io.gridwatch.config.GridwatchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileEvidenceStoreTest {

    private static final Instant T = Instant.parse("2026-12-03T10:15:30.250Z");

    private static byte[] picture(String s) {
        return ("\u00ff\u00d8 not really a JPEG, but bytes: " + s).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPictureIsStoredUnderCameraAndDayNamedByTimeRoleAndHash(@TempDir Path dir) throws IOException {
        FileEvidenceStore store = new FileEvidenceStore(dir.resolve("evidence"));
        byte[] jpeg = picture("a");
        EvidenceStore.Stored s = store.put("cam-xg-0001", T, "appeared", jpeg);

        String sha = FileEvidenceStore.sha256(jpeg);
        assertThat(s.sha256()).isEqualTo(sha).hasSize(64);
        assertThat(s.bytes()).isEqualTo(jpeg.length);
        assertThat(s.uri().getScheme()).isEqualTo("file");
        assertThat(s.uri().toString()).startsWith("file:///");
        Path file = Path.of(s.uri());
        assertThat(file).isEqualTo(store.root().resolve("cam-xg-0001/2026-12-03/101530.250Z-appeared-" + sha.substring(0, 16) + ".jpg"));
        assertThat(Files.readAllBytes(file)).isEqualTo(jpeg);
        assertThat(store.get(s.uri())).hasValueSatisfying(b -> assertThat(b).isEqualTo(jpeg));
        assertThat(FileEvidenceStore.nameHashPrefix(file)).isEqualTo(sha.substring(0, 16));
        // written through a temporary file that is gone afterwards
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly(file.getFileName().toString());
        }
    }

    @Test
    void theSameBytesTwiceGiveTheSameUriAndNothingNew(@TempDir Path dir) throws IOException {
        FileEvidenceStore store = new FileEvidenceStore(dir);
        EvidenceStore.Stored first = store.put("cam-1", T, "confirmed", picture("b"));
        Path file = Path.of(first.uri());
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        EvidenceStore.Stored again = store.put("cam-1", T, "confirmed", picture("b"));
        assertThat(again).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(fileCount(dir)).isEqualTo(1);

        EvidenceStore.Stored other = store.put("cam-1", T, "confirmed", picture("c"));
        assertThat(other.uri()).isNotEqualTo(first.uri());
        assertThat(fileCount(dir)).isEqualTo(2);
    }

    @Test
    void aPictureNamedBeforeRenderingLandsOnItsReservedUriAndARenderAgainReplacesIt(@TempDir Path dir) throws IOException {
        FileEvidenceStore store = new FileEvidenceStore(dir.resolve("evidence"));
        URI uri = store.reserve("cam-xg-0001", T, "confirmed", "0.1000,0.2000,0.3000,0.4000");
        // decided by camera, time, role and slot alone: the same again, another for another slot or role
        assertThat(store.reserve("cam-xg-0001", T, "confirmed", "0.1000,0.2000,0.3000,0.4000")).isEqualTo(uri);
        assertThat(store.reserve("cam-xg-0001", T, "confirmed", "0.1000,0.2000,0.3000,0.5000")).isNotEqualTo(uri);
        assertThat(store.reserve("cam-xg-0001", T, "appeared", "0.1000,0.2000,0.3000,0.4000")).isNotEqualTo(uri);
        Path file = Path.of(uri);
        assertThat(file.getParent()).isEqualTo(store.root().resolve("cam-xg-0001/2026-12-03"));
        assertThat(file.getFileName().toString()).matches("101530\\.250Z-confirmed-r[0-9a-f]{16}\\.jpg");
        assertThat(store.get(uri)).isEmpty();

        EvidenceStore.Stored s = store.putAt(uri, picture("x"));
        assertThat(s.uri()).isEqualTo(uri);
        assertThat(s.sha256()).isEqualTo(FileEvidenceStore.sha256(picture("x")));
        assertThat(store.get(uri)).hasValueSatisfying(b -> assertThat(b).isEqualTo(picture("x")));
        assertThat(FileEvidenceStore.namedByContent(file)).isFalse();
        assertThat(FileEvidenceStore.namedByContent(Path.of(store.put("cam-xg-0001", T, "latest", picture("y")).uri()))).isTrue();
        // rendered again after a restart: what is there now is what a reader hashes
        assertThat(store.putAt(uri, picture("z")).sha256()).isEqualTo(FileEvidenceStore.sha256(picture("z")));
        assertThat(store.get(uri)).hasValueSatisfying(b -> assertThat(b).isEqualTo(picture("z")));
        // only reserved names: a content-named URI or one outside the root is refused
        URI named = store.put("cam-xg-0001", T, "cleared", picture("w")).uri();
        assertThatThrownBy(() -> store.putAt(named, picture("v"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.putAt(dir.resolve("101530.250Z-confirmed-r0123456789abcdef.jpg").toUri(), picture("v")))
                .isInstanceOf(IllegalArgumentException.class);
        // retention goes by the time in a reserved name too
        assertThat(store.deleteTakenBefore(T.plusSeconds(1))).isEqualTo(3);
        assertThat(store.get(uri)).isEmpty();
    }

    @Test
    void getRefusesUrisOutsideItsRoot(@TempDir Path dir) throws IOException {
        FileEvidenceStore store = new FileEvidenceStore(dir.resolve("evidence"));
        EvidenceStore.Stored s = store.put("cam-1", T, "latest", picture("d"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not evidence");

        assertThatThrownBy(() -> store.get(secret.toUri())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(secret.toUri().toString());
        URI dotDot = URI.create(s.uri().toString().replace("/cam-1/2026-12-03/", "/cam-1/2026-12-03/../../../")
                .replaceAll("[^/]+\\.jpg$", "secret.txt"));
        assertThatThrownBy(() -> store.get(dotDot)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get(URI.create("s3://bucket/cam-1/x.jpg"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3://bucket");
        // a link inside the root that points out of it is refused too
        Path outside = Files.write(dir.resolve("101530.250Z-latest-0123456789abcdef.jpg"), picture("outside"));
        Path link = Files.createSymbolicLink(store.root().resolve("cam-1/2026-12-03/111111.000Z-latest-0123456789abcdef.jpg"), outside);
        assertThatThrownBy(() -> store.get(link.toUri())).isInstanceOf(IllegalArgumentException.class);
        // a picture of the store that is gone is just absent
        Files.delete(Path.of(s.uri()));
        assertThat(store.get(s.uri())).isEmpty();
    }

    @Test
    void badCameraIdsAndRolesAreRefusedByName(@TempDir Path dir) throws IOException {
        FileEvidenceStore store = new FileEvidenceStore(dir);
        assertThatThrownBy(() -> store.put("../etc", T, "latest", picture("e"))).hasMessageContaining("'../etc'");
        assertThatThrownBy(() -> store.put("cam 1", T, "latest", picture("e"))).hasMessageContaining("'cam 1'");
        assertThatThrownBy(() -> store.put("cam-1", T, "Latest/..", picture("e"))).hasMessageContaining("cam-1").hasMessageContaining("'Latest/..'");
        assertThatThrownBy(() -> store.put("cam-1", T, "latest", new byte[0])).hasMessageContaining("cam-1").hasMessageContaining("empty");
        assertThat(fileCount(dir)).isZero();
    }

    @Test
    void retentionDeletesOldPicturesAndEmptyFoldersAndNothingElse(@TempDir Path dir) throws IOException {
        FileEvidenceStore store = new FileEvidenceStore(dir);
        Instant now = Instant.parse("2026-12-03T12:00:00Z");
        EvidenceStore.Stored old1 = store.put("cam-1", now.minus(Duration.ofDays(40)), "appeared", picture("f"));
        EvidenceStore.Stored old2 = store.put("cam-2", now.minus(Duration.ofDays(31)), "cleared", picture("g"));
        EvidenceStore.Stored keep1 = store.put("cam-1", now.minus(Duration.ofDays(29)), "latest", picture("h"));
        EvidenceStore.Stored keep2 = store.put("cam-1", now.minus(Duration.ofDays(40)).plus(Duration.ofDays(40)), "latest", picture("i"));
        Path foreign = Files.writeString(Path.of(old1.uri()).getParent().resolve("README.txt"), "an operator's note");
        Path deadWriter = Files.write(Path.of(keep1.uri()).getParent().resolve(".part-123.tmp"), picture("half"));
        Files.setLastModifiedTime(deadWriter, java.nio.file.attribute.FileTime.from(now.minus(Duration.ofDays(35))));
        Path liveWriter = Files.write(Path.of(keep1.uri()).getParent().resolve(".part-456.tmp"), picture("half"));

        int deleted = store.deleteTakenBefore(now.minus(Duration.ofDays(30)));

        assertThat(deleted).isEqualTo(2);
        assertThat(store.get(old1.uri())).isEmpty();
        assertThat(store.get(old2.uri())).isEmpty();
        assertThat(store.get(keep1.uri())).isPresent();
        assertThat(store.get(keep2.uri())).isPresent();
        assertThat(foreign).exists();
        assertThat(deadWriter).doesNotExist();
        assertThat(liveWriter).exists();
        // cam-2 had only the old picture: its day folder and camera folder are gone
        assertThat(dir.resolve("cam-2")).doesNotExist();
        assertThat(store.root()).exists();
        assertThat(store.deleteTakenBefore(now.minus(Duration.ofDays(30)))).isZero();
    }

    @Test
    void theEvidenceSectionOfTheConfigurationHasDefaultsAndRejectsUnknownKeys(@TempDir Path dir) throws IOException {
        GridwatchConfig.EvidenceConfig e = GridwatchConfig.defaults().evidence();
        assertThat(e.root(Path.of("/srv/gw/var"))).isEqualTo(Path.of("/srv/gw/var/evidence"));
        assertThat(e.retention()).isEqualTo(Duration.ofDays(30));

        Path f = Files.writeString(dir.resolve("ev.yaml"), "evidence:\n  dir: /data/evidence\n  retention_days: 90\n");
        GridwatchConfig.EvidenceConfig o = GridwatchConfig.load(f).evidence();
        assertThat(o.root(Path.of("/srv/gw/var"))).isEqualTo(Path.of("/data/evidence"));
        assertThat(o.retentionDays()).isEqualTo(90);

        Path typo = Files.writeString(dir.resolve("typo.yaml"), "evidence:\n  retention: 90\n");
        assertThatThrownBy(() -> GridwatchConfig.load(typo)).hasMessageContaining("'retention'").hasMessageContaining("retention_days");
        Path zero = Files.writeString(dir.resolve("zero.yaml"), "evidence:\n  retention_days: 0\n");
        assertThatThrownBy(() -> GridwatchConfig.load(zero)).hasMessageContaining("evidence.retention_days");
    }

    private static long fileCount(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> files = s.filter(Files::isRegularFile).toList();
            return files.size();
        }
    }
}
