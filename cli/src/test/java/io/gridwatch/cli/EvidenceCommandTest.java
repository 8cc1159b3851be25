package io.gridwatch.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch evidence add | show | purge} as an operator uses them, on a real photograph and a real folder. */
class EvidenceCommandTest {

    /** A real photograph with a face, from Debian's opencv-doc package (./gridwatch test installs it). */
    static final Path PHOTO = Path.of("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");

    @TempDir
    static Path home;
    static Path config;

    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    @BeforeAll
    static void configure() throws Exception {
        assertThat(PHOTO).as("missing %s: install Debian's opencv-doc (apt-get install opencv-doc)", PHOTO).isRegularFile();
        config = Files.writeString(home.resolve("gridwatch.yaml"), "stack:\n  var_dir: var\nevidence:\n  retention_days: 30\n");
    }

    private static URI add(String camera, Instant at) {
        CliRun r = run("evidence", "add", PHOTO.toString(), "--camera", camera, "--role", "confirmed", "--at", at.toString(),
                "--box", "0.61,0.83,0.72,0.99", "--label", "ball 0.91");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("blurred {FACE=");
        return URI.create(r.out().lines().findFirst().orElseThrow());
    }

    @Test
    void aFrameIsRenderedStoredShownAndATamperedOneIsCaught() throws Exception {
        // an hour ago, so that the other test's purges keep it whenever the tests run
        Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        URI uri = add("cam-ev-1", at);
        Path file = Path.of(uri);
        var utc = at.atOffset(java.time.ZoneOffset.UTC);
        assertThat(file).startsWith(home.resolve("var/evidence/cam-ev-1/" + utc.toLocalDate()));
        assertThat(file.getFileName().toString())
                .startsWith(java.time.format.DateTimeFormatter.ofPattern("HHmmss").format(utc) + ".000Z-confirmed-").endsWith(".jpg");
        byte[] jpeg = Files.readAllBytes(file);
        assertThat(jpeg[0] & 0xff).isEqualTo(0xff);
        assertThat(jpeg[1] & 0xff).isEqualTo(0xd8);
        assertThat(add("cam-ev-1", at)).as("the same frame again: same URI").isEqualTo(uri);

        CliRun show = run("evidence", "show", uri.toString());
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(show.out()).contains("name    matches").contains(file.toString());
        String sha = show.out().lines().filter(l -> l.startsWith("sha256")).findFirst().orElseThrow().substring(8);
        assertThat(run("evidence", "show", uri.toString(), "--sha256", sha).status()).isZero();
        assertThat(run("evidence", "show", uri.toString(), "--sha256", "00" + sha.substring(2)).status()).isEqualTo(1);

        jpeg[jpeg.length / 2] ^= 0x55;
        Files.write(file, jpeg);
        CliRun tampered = run("evidence", "show", uri.toString());
        assertThat(tampered.status()).isEqualTo(1);
        assertThat(tampered.out()).contains("DOES NOT MATCH");
        assertThat(tampered.err()).contains("changed after it was stored");

        CliRun outside = run("evidence", "show", config.toUri().toString());
        assertThat(outside.status()).isEqualTo(1);
        assertThat(outside.err()).contains("is not a picture of the store");
    }

    @Test
    void purgeDeletesWhatIsOlderThanTheRetention() throws Exception {
        URI old = add("cam-ev-2", Instant.now().minus(Duration.ofDays(45)));
        URI recent = add("cam-ev-2", Instant.now().minus(Duration.ofDays(5)));

        CliRun purge = run("evidence", "purge");
        assertThat(purge.status()).as(purge.err()).isZero();
        assertThat(purge.out()).startsWith("deleted 1 pictures");
        assertThat(Path.of(old)).doesNotExist();
        assertThat(Path.of(recent)).exists();
        assertThat(run("evidence", "show", old.toString()).status()).isEqualTo(Gridwatch.NOT_FOUND);

        assertThat(run("evidence", "purge", "--older-than", "1").out()).startsWith("deleted 1 pictures");
        assertThat(Path.of(recent)).doesNotExist();
    }
}
