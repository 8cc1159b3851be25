package io.gridwatch.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to start a gridwatch command in a JVM of its own: this JVM's java binary, a class path and the arguments that
 * every command needs (repository root, configuration file).
 *
 * @param javaBinary the {@code java} program (the one running now, so that the child runs on the same Java)
 * @param classPath  the class path of the CLI
 * @param mainClass  the CLI's main class
 * @param baseArgs   arguments before the command, e.g. {@code --repo-root R --config C}
 */
public record ServiceLauncher(String javaBinary, String classPath, String mainClass, List<String> baseArgs) {

    public ServiceLauncher {
        Objects.requireNonNull(javaBinary, "javaBinary");
        Objects.requireNonNull(classPath, "classPath");
        Objects.requireNonNull(mainClass, "mainClass");
        baseArgs = List.copyOf(baseArgs);
    }

    /** The java binary of this JVM. */
    public static String currentJava() {
        return BackgroundProcess.javaBinary();
    }

    /** The full command line of {@code service}. */
    public List<String> command(AppService service) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        cmd.addAll(service.jvmOptions());
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-Dgridwatch.service=" + service.name()); // tells our processes apart in ps and in PidFile's check
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(baseArgs);
        cmd.addAll(service.command());
        return cmd;
    }

    /** The class path of the CLI as its build writes it: {@code cli/target/classes} plus the jars listed in {@code cli/target/gridwatch.classpath}. */
    public static String builtClassPath(Path repoRoot, String listed) {
        return repoRoot.resolve("cli/target/classes").toAbsolutePath() + java.io.File.pathSeparator + listed.strip();
    }
}
