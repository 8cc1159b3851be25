package io.gridwatch.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A Debian package that the stack installs when it runs as root on a machine that lacks it. */
record AptPackage(String name) {

    private static final Logger log = LoggerFactory.getLogger(AptPackage.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final Map<String, String> NON_INTERACTIVE = Map.of("DEBIAN_FRONTEND", "noninteractive");

    static boolean aptAvailable() {
        return Files.isExecutable(Path.of("/usr/bin/apt-get"));
    }

    /** Installs the package; runs {@code apt-get update} only when the first attempt fails. */
    void install(Path logFile) {
        log.info("installing the Debian package {} (apt-get output in {})", name, logFile);
        List<String> install = List.of("apt-get", "install", "-y", "--no-install-recommends", name);
        if (BackgroundProcess.run(install, logFile, TIMEOUT, NON_INTERACTIVE) == 0) {
            return;
        }
        BackgroundProcess.run(List.of("apt-get", "update"), logFile, TIMEOUT, NON_INTERACTIVE);
        if (BackgroundProcess.run(install, logFile, TIMEOUT, NON_INTERACTIVE) != 0) {
            throw new StackException("apt-get install " + name + " failed; see " + logFile
                    + ". Install it yourself (apt-get install " + name + ") and run again.");
        }
    }
}
