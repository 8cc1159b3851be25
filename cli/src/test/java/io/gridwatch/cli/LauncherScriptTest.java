package io.gridwatch.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The ./gridwatch script's own checks, before any Java runs. */
class LauncherScriptTest {

    static Path script() {
        Path root = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath();
        Path s = root.resolve("gridwatch");
        assertThat(s).isExecutable();
        return s;
    }

    static String run(Path script, Path path) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", script.toString(), "status").redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", path.toString());
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        return out;
    }

    @Test
    void aMissingJavaIsNamedWithWhatToInstall() throws Exception {
        Path empty = Files.createTempDirectory("no-java");
        assertThat(run(script(), empty)).contains("Java 17 or newer is missing").contains("apt-get install openjdk-17");
    }

    @Test
    void anOldJavaIsNamedWithItsVersion() throws Exception {
        Path bin = Files.createTempDirectory("old-java");
        Path fake = bin.resolve("java");
        // a stand-in that answers like Java 11 does, so the version check has something old to refuse
        Files.writeString(fake, "#!/bin/sh\necho '    java.specification.version = 11' >&2\n");
        fake.toFile().setExecutable(true);
        for (String tool : new String[] {"sed", "sh"}) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/bin", tool).toRealPath());
        }
        assertThat(run(script(), bin)).contains("Java 11 found").contains("needs Java 17 or newer");
    }
}
