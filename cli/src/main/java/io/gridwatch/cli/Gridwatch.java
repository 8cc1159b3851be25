package io.gridwatch.cli;

import io.gridwatch.config.GridwatchConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./gridwatch}: the one entry point. */
@Command(name = "gridwatch", mixinStandardHelpOptions = true, scope = picocli.CommandLine.ScopeType.INHERIT, version = "gridwatch 0.1.0",
        description = "Real-time sensing for Dalian's 智慧城管 (smart urban management): sensors and cameras to cases on unit grids.",
        subcommands = {StackCommands.Up.class, StackCommands.Down.class, StackCommands.Status.class,
                DemoCommand.class, GridsCommand.class, CatalogueCommand.class, CasesCommand.class,
                SensorsCommand.class, CamerasCommand.class, IngestCommand.class, PipelineCommand.class, RulesCommand.class, ModelsCommand.class,
                EvidenceCommand.class},
        footer = {"", "The test suite: ./gridwatch test  (see README.md)"})
public final class Gridwatch implements Callable<Integer> {

    /** Exit status for "asked a good question, the answer is: nothing there" (e.g. a point outside every grid). */
    static final int NOT_FOUND = 3;

    @Option(names = "--config", paramLabel = "FILE", description = "a YAML file overriding the defaults (or GRIDWATCH_CONFIG)")
    Path config;

    @Option(names = "--repo-root", hidden = true, description = "set by the ./gridwatch script")
    Path repoRoot;

    @Option(names = {"-v", "--verbose"}, description = "print stack traces of errors")
    boolean verbose;

    private Workspace workspace;

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    Workspace workspace() {
        if (workspace == null) {
            Path file = config;
            if (file == null && System.getenv("GRIDWATCH_CONFIG") != null) {
                file = Path.of(System.getenv("GRIDWATCH_CONFIG"));
            }
            if (file != null && !Files.isRegularFile(file)) {
                throw new GridwatchConfig.ConfigException("configuration file " + file + " does not exist");
            }
            Path root = repoRoot != null ? repoRoot : Path.of("").toAbsolutePath();
            workspace = new Workspace(GridwatchConfig.load(file), root);
        }
        return workspace;
    }

    public static void main(String[] args) {
        System.exit(run(new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), args));
    }

    /** Runs the command line and returns its exit status: 0 ok, 1 failed, 2 bad usage, 3 not found. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(out);
        System.setErr(err);
        try {
            Gridwatch top = new Gridwatch();
            CommandLine cl = new CommandLine(top);
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(err, true));
            cl.setExecutionExceptionHandler((e, line, parsed) -> {
                err.println("gridwatch: error: " + message(e));
                if (top.verbose) {
                    e.printStackTrace(err);
                }
                return 1;
            });
            return cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            Throwable c = e.getCause();
            return c != null ? message(c) : e.getClass().getSimpleName();
        }
        return m;
    }
}
