package io.gridwatch.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Ends a process a test started when the test JVM ends first, however it ends: a shutdown hook does not run when the
 * JVM is killed (kill -9, the build killed), and a server that detached itself (pg_ctl's) does not die with its
 * launcher. A small shell loop polls both once a second; when the JVM is gone it TERMs the process, KILLs it 5 s later
 * and deletes the process's directory. It runs in a session of its own, so that a signal to the JVM's process group
 * does not end it first. (The local stack's own services get the same from {@code BackgroundProcess}.)
 */
final class JvmWatchdog {

    private static final String SCRIPT = """
            alive() { [ -r /proc/$1/stat ] && read -r s < /proc/$1/stat && s=${s##*) } && [ "${s%% *}" != Z ]; }
            while alive $0 && alive $1; do sleep 1; done
            if alive $0; then exit 0; fi
            if alive $1; then
              kill $1; for i in $(seq 50); do alive $1 || break; sleep 0.1; done
              alive $1 && kill -9 $1
            fi
            [ -n "$2" ] && sleep 1 && rm -rf -- "$2"
            exit 0""";

    private JvmWatchdog() {
    }

    /**
     * @param pid     the process to end with this JVM
     * @param cleanUp a directory to delete after it, or null
     */
    static void endWithThisJvm(long pid, Path cleanUp) {
        List<String> command = List.of("setsid", "bash", "-c", SCRIPT, String.valueOf(ProcessHandle.current().pid()), String.valueOf(pid),
                cleanUp == null ? "" : cleanUp.toAbsolutePath().toString());
        try {
            new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the watchdog that ends process " + pid + " with this JVM", e);
        }
    }
}
