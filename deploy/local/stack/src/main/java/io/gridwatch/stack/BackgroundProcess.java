package io.gridwatch.stack;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts programs whose output goes to a log file and that outlive the JVM that started them.
 * {@code ownSession} puts the program in its own session ({@code setsid}), so that Ctrl-C or a closed
 * terminal of the launcher does not reach it; tests leave it off so that their services die with the build, and then a
 * watchdog ends the program when this JVM ends, however it ends.
 */
public final class BackgroundProcess {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private BackgroundProcess() {
    }

    static Process start(List<String> command, Path logFile, boolean ownSession) {
        List<String> full = new ArrayList<>();
        if (ownSession && Files.isExecutable(SETSID)) {
            full.add(SETSID.toString()); // execs the program in place: the pid stays the one we record
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new StackException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        if (!ownSession) {
            endWithThisJvm(p, logFile);
        }
        return p;
    }

    /**
     * Polls, once a second, whether this JVM and the program still run; when this JVM is gone first, TERMs the program
     * and KILLs it 5 s later. A shutdown hook does not run when the JVM is killed (kill -9, the build killed), and a
     * process does not die with its parent on its own. In a session of its own, so that a signal to the JVM's process
     * group does not end the watchdog before the program. The state test skips zombies: /proc keeps them until reaped.
     */
    public static void endWithThisJvm(Process program, Path logFile) {
        String script = """
                alive() { [ -r /proc/$1/stat ] && read -r s < /proc/$1/stat && s=${s##*) } && [ "${s%% *}" != Z ]; }
                while alive $0 && alive $1; do sleep 1; done
                if alive $1 && ! alive $0; then
                  echo "gridwatch watchdog: JVM $0 is gone, stopping pid $1 that it started"
                  kill $1; for i in $(seq 50); do alive $1 || exit 0; sleep 0.1; done; kill -9 $1
                fi""";
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.addAll(List.of("bash", "-c", script, String.valueOf(ProcessHandle.current().pid()), String.valueOf(program.pid())));
        try {
            new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            program.destroyForcibly();
            throw new StackException("cannot start the watchdog that ends " + program.pid() + " with this JVM: " + e.getMessage(), e);
        }
    }

    /** Runs a command to its end, output appended to {@code logFile}; returns its exit code. */
    static int run(List<String> command, Path logFile, Duration timeout, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new StackException(String.join(" ", command) + " did not finish within " + timeout.toSeconds()
                        + " s; see " + logFile);
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new StackException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while running " + command.get(0), e);
        }
    }

    /** The java launcher of this JVM, so that child JVMs run on the same Java. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static boolean runningAsRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 && "0".equals(out);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting for a service", e);
        }
    }
}
